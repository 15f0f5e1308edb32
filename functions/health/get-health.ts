// GET /v1/health — no auth, no dependencies touched. 200 once the service is ready; 503 (with what it is waiting
// for) while its host is still bringing it up (shared/health/readiness.ts; in AWS nothing registers a check).
import { http, type HttpResult } from '#shared/http/handler';
import { notReady } from '#shared/health/readiness';

export const handler = http({ auth: 'none' }, async (): Promise<HttpResult> => {
  const waitingFor = [...notReady()];
  const about = { service: 'taskwell', version: process.env.TASKWELL_VERSION ?? 'dev' };
  if (waitingFor.length > 0) {
    return { status: 503, body: { status: 'starting', ...about, waitingFor }, headers: { 'cache-control': 'no-store', 'retry-after': '1' } };
  }
  return { status: 200, body: { status: 'ok', ...about }, headers: { 'cache-control': 'no-store' } };
});
