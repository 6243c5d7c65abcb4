// Preloaded with `node --import`: makes the native database clients unresolvable, as on a machine
// where they are not installed, for ESM imports (a resolve hook) and CommonJS requires alike.
import { register } from 'node:module';
import Module from 'node:module';

export const BLOCKED = ['better-sqlite3', 'pg', 'ioredis'];

const blocked = (specifier) => BLOCKED.some((name) => specifier === name || specifier.startsWith(`${name}/`));

register(
  `data:text/javascript,${encodeURIComponent(`
    const blocked = ${JSON.stringify(BLOCKED)};
    export async function resolve(specifier, context, next) {
      if (blocked.some((name) => specifier === name || specifier.startsWith(name + '/'))) {
        const error = new Error("Cannot find package '" + specifier + "' (blocked by the test)");
        error.code = 'ERR_MODULE_NOT_FOUND';
        throw error;
      }
      return next(specifier, context);
    }
  `)}`,
);

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (blocked(request)) {
    const error = new Error(`Cannot find module '${request}' (blocked by the test)`);
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return resolveFilename.call(this, request, ...rest);
};
