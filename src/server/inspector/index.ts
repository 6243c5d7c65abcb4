/**
 * The web inspector `sessionloom serve` shows at `/`: one page, one script and one stylesheet,
 * kept as strings in the package (tsc emits only .ts files, and the inspector needs no build step).
 * The page reads and changes sessions through the same `/api` any client uses, with the same
 * token, so it can do nothing a client of the API could not.
 */
import type { Context, Hono } from 'hono';
import type { ServerEnv } from '../env.js';
import { INSPECTOR_PAGE } from './page.js';
import { INSPECTOR_SCRIPT } from './script.js';
import { inspectorHeaders } from './security-headers.js';
import { APPROVAL_STYLES } from './approval-styles.js';
import { INSPECTOR_STYLES } from './styles.js';

/** Serves `/`, `/inspector.js` and `/inspector.css` (and nothing else) on `app`. Pass it as `startServer`'s `mount`. */
export function mountInspector(app: Hono<ServerEnv>): void {
  app.get('/', (c) => asset(c, INSPECTOR_PAGE, 'text/html; charset=utf-8'));
  app.get('/inspector.js', (c) => asset(c, INSPECTOR_SCRIPT, 'text/javascript; charset=utf-8'));
  app.get('/inspector.css', (c) => asset(c, INSPECTOR_STYLES + APPROVAL_STYLES, 'text/css; charset=utf-8'));
}

function asset(c: Context<ServerEnv>, body: string, contentType: string): Response {
  for (const [name, value] of Object.entries(inspectorHeaders(contentType))) c.header(name, value);
  return c.body(body, 200);
}
