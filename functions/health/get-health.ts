// GET /v1/health — liveness; no auth, no dependencies touched.
import { http } from '#shared/http/handler';

export const handler = http({ auth: 'none' }, async () => ({
  status: 200,
  body: { status: 'ok', service: 'taskwell', version: process.env.TASKWELL_VERSION ?? 'dev' },
  headers: { 'cache-control': 'no-store' },
}));
