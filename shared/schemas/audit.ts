// Request and response schemas of the admin audit log.
// A namespace import lets esbuild drop what we don't use (zod's locales alone are ~260 KB).
import * as z from 'zod';
import { ENTITY_TYPES, EVENT_TYPES } from '#shared/events/schemas';

const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());

export const AuditQuery = z
  .object({
    entityType: z.enum(ENTITY_TYPES).optional().meta({ description: 'Task, Project, Membership or User' }),
    entityId: z.string().min(1).max(200).optional().meta({ description: 'With entityType: the records of one entity (a membership is `<projectId>:<userId>`)' }),
    actorId: z.string().min(1).max(64).optional().meta({ description: 'The records of changes one user made' }),
    from: instant.optional().meta({ description: 'Inclusive lower bound on occurredAt (default: a year before `to`)' }),
    to: instant.optional().meta({ description: 'Inclusive upper bound on occurredAt (default: now)' }),
    limit: z.coerce.number().int().min(1).max(100).default(25).meta({ description: 'Page size, 1–100 (default 25)' }),
    cursor: z.string().min(1).max(2048).optional().meta({ description: 'The nextCursor of the previous page' }),
  })
  .strict()
  .meta({ id: 'AuditQuery' });

const change = z.object({ field: z.string(), before: z.unknown(), after: z.unknown() });
const state = z.record(z.string(), z.unknown()).nullable();

export const AuditRecordSchema = z
  .object({
    id: z.string().meta({ description: 'The domain event id' }),
    type: z.enum(EVENT_TYPES),
    occurredAt: z.iso.datetime(),
    actor: z.object({ userId: z.string() }),
    requestId: z.string().meta({ description: 'The API request that made the change' }),
    entity: z.object({ type: z.enum(ENTITY_TYPES), id: z.string() }),
    projectId: z.string().nullable(),
    changes: z.array(change).meta({ description: 'Each changed field with its value before and after' }),
    before: state,
    after: state,
    recordedAt: z.iso.datetime(),
  })
  .meta({ id: 'AuditRecord', description: 'One immutable audit record: who did what to which entity, when, from which request' });

export const AuditPage = z
  .object({ items: z.array(AuditRecordSchema), nextCursor: z.string().optional() })
  .meta({ id: 'AuditPage', description: 'Newest first. A page may be shorter than `limit`; follow nextCursor until it is absent.' });
