import { http } from '#shared/http/handler';
import { listDlqs } from '#shared/domain/admin';
import { sqsDlqs } from '#shared/store/admin-dlqs';

export const handler = http({ auth: 'admin' }, async () => ({ status: 200, body: await listDlqs(sqsDlqs) }));
