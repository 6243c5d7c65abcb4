/**
 * Request guards that stand in for a browser's same-origin protections. The API sends no CORS
 * headers, so a web page on another origin can neither read its answers nor send it anything but
 * "simple" requests; these guards close the gaps that leaves.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { jsonError } from './errors.js';

/** Default request body limit: room for a large batch of messages (each is at most 8 MiB by default). */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * DNS rebinding: a page on `evil.example` can make its name resolve to 127.0.0.1 and then talk to
 * a local server as "same origin". The browser still sends `Host: evil.example`, so a server
 * without tokens answers only requests addressed to a loopback name. The set is read per request
 * (`startServer` fills it once it knows its port; empty, everything is refused).
 */
export function hostGuard(allowedHosts: ReadonlySet<string>): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header('host')?.toLowerCase();
    if (host === undefined || !allowedHosts.has(host)) {
      return jsonError(c, 403, 'FORBIDDEN_HOST', 'This server only answers requests addressed to localhost, 127.0.0.1 or [::1].');
    }
    await next();
  };
}

/** The Host header values a loopback server on `port` accepts. */
export function loopbackHosts(port: number): Set<string> {
  const names = ['localhost', '127.0.0.1', '[::1]'];
  const hosts = new Set(names.map((name) => `${name}:${port}`));
  // Clients leave the default port out of the Host header.
  if (port === 80) for (const name of names) hosts.add(name);
  return hosts;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-site request forgery: a form or a no-cors `fetch` on any web page can POST to a local
 * server, but only as text/plain, form or multipart. Requiring `application/json` on every
 * changing request forces a CORS preflight, which fails because the server sends no CORS headers.
 */
export function jsonContentTypeGuard(): MiddlewareHandler {
  return async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method)) {
      const mediaType = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
      if (mediaType !== 'application/json') {
        return jsonError(c, 415, 'UNSUPPORTED_MEDIA_TYPE', `${c.req.method} requests need "Content-Type: application/json".`);
      }
    }
    await next();
  };
}

/**
 * Refuses bodies over `maxBytes` before a route buffers them: by Content-Length when it is declared
 * (Node's parser never delivers more than declared), else by counting a streamed body as it arrives.
 *
 * Not hono's `bodyLimit`: for a streamed body it rebuilds the request with `new Request(c.req.raw)`,
 * which the Node adapter's lightweight request supports only if the adapter replaced the process's
 * global Request and Response, and `startServer` does not let it (the embedding application's globals
 * are not ours to change). Rebuilding from the URL and init works with the platform's Request.
 */
export function bodySizeGuard(maxBytes: number): MiddlewareHandler {
  const tooLarge = (c: Context) => jsonError(c, 413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${maxBytes} bytes.`);
  return async (c, next) => {
    const raw = c.req.raw;
    if (raw.body === null) return next();
    const declared = raw.headers.get('content-length');
    if (declared !== null && !raw.headers.has('transfer-encoding')) {
      if (Number(declared) > maxBytes) return tooLarge(c);
      return next();
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = raw.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      // The rest is left unread: the adapter drains or closes the connection after the answer.
      if (size > maxBytes) return tooLarge(c);
      chunks.push(value);
    }
    c.req.raw = new Request(raw.url, { method: raw.method, headers: raw.headers, body: Buffer.concat(chunks) });
    await next();
  };
}

/** JSON answers are data, never pages: no MIME sniffing, and no caching of session contents. */
export function apiResponseHeaders(): MiddlewareHandler {
  return async (c, next) => {
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Cache-Control', 'no-store');
    await next();
  };
}
