// CORS of the HTTP API, declared once: the CDK stack's corsPreflight (lib/stateless-stack.ts) and the local
// gateway (local/gateway.ts) answer browsers from these. Which origins may call is a deployment setting
// (`taskwell:corsOrigins`, default the admin console's origin); tokens travel in `Authorization`, never in
// cookies, so credentials are not allowed and there is no wildcard.
import type { HttpMethod } from '#shared/routes';

export const CORS = {
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] satisfies HttpMethod[],
  allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-match'],
  /** Response headers a browser script may read: versions, new resources' addresses, back-off and rate limits. */
  exposeHeaders: ['etag', 'location', 'retry-after', 'ratelimit', 'ratelimit-policy', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
  maxAgeSeconds: 3600,
} as const;

/**
 * A list of allowed origins, checked: each exactly `scheme://host[:port]` (https, or http for localhost and
 * 127.0.0.1), no path, no wildcard. Throws naming the offending entry.
 */
export const parseCorsOrigins = (setting: string | readonly string[], what = 'taskwell:corsOrigins'): string[] => {
  const entries = (typeof setting === 'string' ? setting.split(',') : [...setting]).map((o) => o.trim()).filter(Boolean);
  return entries.map((entry) => {
    let url: URL | undefined;
    try {
      url = new URL(entry);
    } catch {
      url = undefined;
    }
    const local = url && (url.hostname === 'localhost' || url.hostname === '127.0.0.1');
    if (!url || entry.includes('*') || !(url.protocol === 'https:' || (url.protocol === 'http:' && local)) || url.origin !== entry.replace(/\/$/, '')) {
      throw new Error(`${what}: "${entry}" is not an origin such as https://admin.example.com (no path, no wildcard; http only for localhost)`);
    }
    return url.origin;
  });
};
