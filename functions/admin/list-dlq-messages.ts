import { http } from '#shared/http/handler';
import { DlqMessagesQuery, DlqParams } from '#shared/schemas/admin';
import { dlqMessages } from '#shared/domain/admin';
import { sqsDlqs } from '#shared/store/admin-dlqs';

export const handler = http({ params: DlqParams, query: DlqMessagesQuery, auth: 'admin' }, async ({ params, query }) => ({
  status: 200,
  body: await dlqMessages(sqsDlqs, params.name, query.max),
}));
