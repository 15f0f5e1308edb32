import { http } from '#shared/http/handler';
import { DlqParams, NoBody } from '#shared/schemas/admin';
import { redriveDlq } from '#shared/domain/admin';
import { sqsDlqs } from '#shared/store/admin-dlqs';

export const handler = http({ params: DlqParams, body: NoBody, auth: 'admin' }, async ({ params }) => ({ status: 200, body: await redriveDlq(sqsDlqs, params.name) }));
