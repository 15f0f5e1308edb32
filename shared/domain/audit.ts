// The audit log: one immutable record per domain event, searchable by admins. Pure: no AWS imports.
import { ValidationFailed } from '#shared/domain/errors';
import type { Page, PageRequest } from '#shared/domain/model';
import type { DomainEvent } from '#shared/events/schemas';

/** Who did what to which entity when, from which request, with each changed field before and after. */
export interface AuditRecord {
  /** The domain event's id: one record per event, however often the event is delivered. */
  id: string;
  type: DomainEvent['type'];
  occurredAt: string;
  actor: { userId: string };
  requestId: string;
  entity: DomainEvent['entity'];
  projectId: string | null;
  changes: DomainEvent['changes'];
  before: DomainEvent['before'];
  after: DomainEvent['after'];
  /** When the audit consumer wrote the record. */
  recordedAt: string;
}

export interface AuditFilters {
  entityType?: DomainEvent['entity']['type'];
  entityId?: string;
  actorId?: string;
  /** Inclusive ISO bounds on occurredAt. */
  from?: string;
  to?: string;
}

export type AuditQuery = AuditFilters & PageRequest;

export interface AuditStorePort {
  /** Writes the record unless one with its id exists; `false` when it did (a redelivered event). */
  append(record: AuditRecord): Promise<boolean>;
  search(query: Required<Pick<AuditQuery, 'from' | 'to'>> & AuditQuery): Promise<Page<AuditRecord>>;
}

/** Without `from`, a search looks back this far from `to` (the time-ordered list is walked month by month). */
export const DEFAULT_SEARCH_WINDOW_DAYS = 365;

/**
 * Personal data never enters the audit log: people are named by their opaque user id only. Profiles and memberships
 * carry a person's email and name (a membership denormalises them); those fields are left out of the states and
 * changes of User and Membership records, so erasing an account leaves nothing personal readable in the log.
 */
export const PERSONAL_FIELDS: Readonly<Partial<Record<DomainEvent['entity']['type'], readonly string[]>>> = {
  User: ['email', 'name'],
  Membership: ['email', 'name'],
};

const withoutFields = (state: DomainEvent['before'], fields: readonly string[]): DomainEvent['before'] =>
  state === null ? null : Object.fromEntries(Object.entries(state).filter(([field]) => !fields.includes(field)));

/** The record without the personal fields of its entity type (the same record when it holds none). */
export const withoutPersonalData = <R extends Pick<AuditRecord, 'entity' | 'changes' | 'before' | 'after'>>(record: R): R => {
  const personal = PERSONAL_FIELDS[record.entity.type] ?? [];
  if (personal.length === 0) return record;
  return {
    ...record,
    changes: record.changes.filter((change) => !personal.includes(change.field)),
    before: withoutFields(record.before, personal),
    after: withoutFields(record.after, personal),
  };
};

export const auditRecordOf = (event: DomainEvent, recordedAt: string): AuditRecord =>
  withoutPersonalData({
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt,
    actor: event.actor,
    requestId: event.requestId,
    entity: event.entity,
    projectId: event.projectId,
    changes: event.changes,
    before: event.before,
    after: event.after,
    recordedAt,
  });

/** Records an event once; answers whether this delivery wrote it. */
export const recordEvent = (store: AuditStorePort, event: DomainEvent, now: Date): Promise<boolean> =>
  store.append(auditRecordOf(event, now.toISOString()));

const EARLIEST_INSTANT = Date.parse('0000-01-01T00:00:00.000Z');

/** Admin search; the route is admin-only (the HTTP layer refuses everyone else with 403). */
export const searchAudit = (store: AuditStorePort, query: AuditQuery, now: Date): Promise<Page<AuditRecord>> => {
  if (query.entityId !== undefined && query.entityType === undefined) {
    throw new ValidationFailed('Filter by entityId together with entityType.', [{ field: 'query.entityType', message: 'Required with entityId' }]);
  }
  const to = query.to ?? now.toISOString();
  // Never before year 0000: the months between `from` and `to` are walked as yyyy-mm strings.
  const from = query.from ?? new Date(Math.max(Date.parse(to) - DEFAULT_SEARCH_WINDOW_DAYS * 86_400_000, EARLIEST_INSTANT)).toISOString();
  if (from > to) throw new ValidationFailed('`from` must not be after `to`.', [{ field: 'query.from', message: 'Must not be after to' }]);
  return store.search({ ...query, from, to });
};
