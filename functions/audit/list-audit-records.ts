import { http } from '#shared/http/handler';
import { AuditQuery } from '#shared/schemas/audit';
import { searchAudit } from '#shared/domain/audit';
import { auditStore } from '#shared/store/audit-store';

export const handler = http({ query: AuditQuery, auth: 'admin' }, async ({ query }) => {
  const page = await searchAudit(auditStore, query, new Date());
  return { status: 200, body: page };
});
