// Request and response schemas of the admin audit log.
// zod/mini's functional API (shared/schemas/zod.ts): checks go in `.check(...)`, wrappers are functions.
import * as z from '#shared/schemas/zod';
import { dateTime, meta, queryInt, safeText } from '#shared/schemas/helpers';
import { ENTITY_TYPES, EVENT_TYPES } from '#shared/events/schemas';

/** Any ISO 8601 instant, answered in UTC. */
const instant = z.pipe(
  dateTime(),
  z.transform((value: string) => new Date(value).toISOString()),
);

export const AuditQuery = meta(
  z.strictObject({
    entityType: meta(z.optional(z.enum(ENTITY_TYPES)), { description: 'Task, Project, Membership or User' }),
    entityId: meta(z.optional(z.string().check(z.minLength(1), z.maxLength(200), safeText())), {
      description: 'With entityType: the records of one entity (a membership is `<projectId>:<userId>`)',
    }),
    actorId: meta(z.optional(z.string().check(z.minLength(1), z.maxLength(64), safeText())), { description: 'The records of changes one user made' }),
    from: meta(z.optional(instant), { description: 'Inclusive lower bound on occurredAt (default: a year before `to`)' }),
    to: meta(z.optional(instant), { description: 'Inclusive upper bound on occurredAt (default: now)' }),
    limit: meta(queryInt(1, 100, 25), { description: 'Page size, 1–100 (default 25)' }),
    cursor: meta(z.optional(z.string().check(z.minLength(1), z.maxLength(2048))), { description: 'The nextCursor of the previous page' }),
  }),
  { id: 'AuditQuery' },
);

const change = z.object({ field: z.string(), before: z.unknown(), after: z.unknown() });
const state = z.nullable(z.record(z.string(), z.unknown()));

export const AuditRecordSchema = meta(
  z.object({
    id: meta(z.string(), { description: 'The domain event id' }),
    type: z.enum(EVENT_TYPES),
    occurredAt: z.iso.datetime(),
    actor: z.object({ userId: z.string() }),
    requestId: meta(z.string(), { description: 'The API request that made the change' }),
    entity: z.object({ type: z.enum(ENTITY_TYPES), id: z.string() }),
    projectId: z.nullable(z.string()),
    changes: meta(z.array(change), { description: 'Each changed field with its value before and after' }),
    before: state,
    after: state,
    recordedAt: z.iso.datetime(),
  }),
  { id: 'AuditRecord', description: 'One immutable audit record: who did what to which entity, when, from which request' },
);

export const AuditPage = meta(z.object({ items: z.array(AuditRecordSchema), nextCursor: z.optional(z.string()) }), {
  id: 'AuditPage',
  description: 'Newest first. A page may be shorter than `limit`; follow nextCursor until it is absent.',
});
