/**
 * `sessionloom serve`: the HTTP API and the web inspector over the command's store, until stopped
 * (Ctrl-C or SIGTERM: the server stops taking requests, finishes those under way, closes the store).
 *
 * Tokens come from `$SESSIONLOOM_TOKEN` (one unbound token) or `--tokens-file` (a JSON list of
 * `{ token, userId? }`), never from the command line, where any user of the machine can read them
 * in the process list. Without a token the server binds loopback only.
 */
import { readFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError as CommanderArgumentError } from 'commander';
import { InvalidArgumentError } from '../../errors.js';
import { mountInspector } from '../../server/inspector/index.js';
import { DEFAULT_HOST, DEFAULT_PORT, startServer } from '../../server/serve.js';
import { validateTokens, type AuthToken } from '../../server/auth.js';
import { loadAgents } from '../load-agents.js';
import { printJson, printLines, wantsJson } from '../output.js';
import { closeStore, openStore, resolveStoreUrl } from '../store-url.js';

export const TOKEN_ENVIRONMENT_VARIABLE = 'SESSIONLOOM_TOKEN';

interface ServeOptions {
  host: string;
  port: number;
  tokensFile?: string;
  agents?: string;
}

export function addServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the HTTP API (/api) and the web inspector (/) over the store until stopped')
    .option('--host <address>', 'interface to bind; anything but loopback needs a token', DEFAULT_HOST)
    .option('--port <number>', 'TCP port (0: any free port)', parsePort, DEFAULT_PORT)
    .option('--agents <module>', 'a JavaScript/TypeScript module whose exported agents clients may run (POST /api/sessions/:id/runs)')
    .option('--tokens-file <file>', `JSON list of { "token", "userId"? }: a token bound to a user sees only that user's sessions (or one unbound token in $${TOKEN_ENVIRONMENT_VARIABLE})`)
    .action(async (options: ServeOptions, command: Command) => {
      const tokens = await readTokens(options.tokensFile);
      const agents = options.agents === undefined ? undefined : await loadAgents(options.agents);
      const url = resolveStoreUrl(command);
      const store = await openStore(command, url);
      let server;
      try {
        server = await startServer({
          store,
          host: options.host,
          port: options.port,
          ...(tokens.length > 0 ? { tokens } : {}),
          ...(agents === undefined ? {} : { agents }),
          mount: mountInspector,
        });
      } catch (error) {
        await closeStore(store);
        throw describeListenError(error, options);
      }
      const agentNames = Object.keys(agents ?? {});
      if (wantsJson(command)) printJson({ url: server.url, port: server.port, store: url, tokens: tokens.length, agents: agentNames });
      else {
        printLines(
          `sessionloom inspector: ${server.url}/  (API under ${server.url}/api)`,
          `store: ${url}; ${tokens.length === 0 ? 'no token (loopback only)' : `${tokens.length} token${tokens.length === 1 ? '' : 's'}`}. Ctrl-C stops.`,
          ...(agentNames.length === 0 ? [] : [`agents: ${agentNames.join(', ')}`]),
        );
      }
      await stopped();
      await server.close();
      await closeStore(store);
    });
}

/** Resolves on the first SIGINT or SIGTERM. */
function stopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function readTokens(file: string | undefined): Promise<AuthToken[]> {
  const tokens: AuthToken[] = [];
  const fromEnvironment = process.env[TOKEN_ENVIRONMENT_VARIABLE];
  if (fromEnvironment !== undefined && fromEnvironment !== '') {
    // Checked here rather than by the server, so the error names the variable, not "tokens[0]".
    namingSource(() => validateTokens([{ token: fromEnvironment }]), () => `$${TOKEN_ENVIRONMENT_VARIABLE}`);
    tokens.push({ token: fromEnvironment });
  }
  if (file === undefined) return tokens;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError({ argument: '--tokens-file', message: `cannot read "${file}": ${(error as NodeJS.ErrnoException).code ?? String(error)}.` });
  }
  let listed: unknown;
  try {
    listed = JSON.parse(text);
  } catch {
    throw new InvalidArgumentError({ argument: '--tokens-file', message: `"${file}" is not JSON (expected a list of { "token", "userId"? }).` });
  }
  if (!Array.isArray(listed)) throw new InvalidArgumentError({ argument: '--tokens-file', message: `"${file}" must hold a JSON list of { "token", "userId"? }.` });
  const all = [...tokens, ...(listed as AuthToken[])];
  namingSource(() => validateTokens(all), (index) => `--tokens-file entry ${index - tokens.length + 1} of "${file}"`);
  return all;
}

/** Runs a token check, rewording its refusal in terms of where the token came from (the user never wrote "tokens[0]"). */
function namingSource(check: () => void, argumentOf: (index: number) => string): void {
  try {
    check();
  } catch (error) {
    if (!InvalidArgumentError.isInstance(error)) throw error;
    const index = Number(/^tokens\[(\d+)\]/.exec(error.argument)?.[1] ?? 0);
    const reason = error.message.replace(/^Invalid [^:]+: /, '').replace(/\.$/, '');
    throw new InvalidArgumentError({ argument: argumentOf(index), message: `${reason}${/at least/.test(reason) ? ' (make one with: openssl rand -hex 24)' : ''}.` });
  }
}

function describeListenError(error: unknown, options: ServeOptions): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') return new InvalidArgumentError({ argument: '--port', message: `port ${options.port} on ${options.host} is in use; pick another with --port (0: any free port).` });
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new InvalidArgumentError({ argument: '--host', message: `cannot bind "${options.host}" (${code}).` });
  return error;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new CommanderArgumentError('Expected a port number from 0 to 65535.');
  return port;
}
