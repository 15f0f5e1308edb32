import { http } from '#shared/http/handler';
import { getStats } from '#shared/domain/stats';
import { statsStore } from '#shared/store/stats-store';
import { dlqDepths } from '#shared/store/admin-dlqs';

export const handler = http({ auth: 'admin' }, async () => ({ status: 200, body: await getStats({ stats: statsStore, dlqDepths }, new Date()) }));
