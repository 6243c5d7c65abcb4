/**
 * The headers every inspector asset is served with. The page shows data written by agents and
 * their users (model output, tool results), so it is treated as hostile: the script builds the DOM
 * from text only, and the policy below is the second wall should that ever slip. No inline script
 * or style runs, nothing is loaded or sent anywhere but this server, and no other site may frame
 * the page (clickjacking the rewind button) or read its assets.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function inspectorHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    // For browsers that predate frame-ancestors.
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    // Revalidated on every load, so an upgraded server never runs an old script against its new API.
    'Cache-Control': 'no-cache',
  };
}
