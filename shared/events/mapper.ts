// The outbox mapper: one table-stream record (old image, new image) → the domain events it means.
// Pure: images arrive already unmarshalled. Every mutable item records modifiedBy and requestId, and
// deletes are tombstones (deletedAt), so the images alone say who did what in which request.
import type { DomainEvent, EventType } from '#shared/events/schemas';

type Image = Record<string, unknown>;

export interface StreamChange {
  /** The stream record's eventID: event ids derive from it. */
  eventId: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  oldImage?: Image;
  newImage?: Image;
  /** When DynamoDB recorded the change (ISO). */
  approximateCreationTime: string;
  /** A TTL expiry, made by DynamoDB itself (userIdentity principal dynamodb.amazonaws.com). */
  ttlRemoval?: boolean;
}

/** Storage attributes that are not part of an entity's public state. */
const INTERNAL = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'entity', 'expiresAt', 'modifiedBy', 'requestId', 'deletedAt', 'deletedBy', 'ownerCount']);
/** Fields that change on every write and say nothing on their own (the schedule's are read from before/after). */
const BOOKKEEPING = new Set(['version', 'updatedAt', 'remindersVersion', 'overdueAt']);

type ReminderState = { at?: unknown; status?: unknown };
const sentReminders = (image: Image | undefined) =>
  new Set(((image?.reminders as ReminderState[] | undefined) ?? []).filter((r) => r.status === 'sent').map((r) => String(r.at)));

const publicState = (image: Image | undefined): Image | null =>
  image ? Object.fromEntries(Object.entries(image).filter(([key]) => !INTERNAL.has(key))) : null;

// An absent attribute and a null one are the same value to a reader (the API answers null for both): no change.
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

const diff = (before: Image | null, after: Image | null) => {
  const fields = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  return [...fields]
    .filter((field) => !BOOKKEEPING.has(field) && !same(before?.[field], after?.[field]))
    .sort()
    .map((field) => ({ field, before: before?.[field] ?? null, after: after?.[field] ?? null }));
};

const isTombstone = (image: Image | undefined): boolean => image !== undefined && image.deletedAt !== undefined && image.deletedAt !== null;

const ENTITIES: Record<string, { type: DomainEvent['entity']['type']; id: (i: Image) => string; projectId: (i: Image) => string | null }> = {
  Task: { type: 'Task', id: (i) => String(i.id), projectId: (i) => (i.projectId as string | null) ?? null },
  Project: { type: 'Project', id: (i) => String(i.id), projectId: (i) => String(i.id) },
  Membership: { type: 'Membership', id: (i) => `${i.projectId}:${i.userId}`, projectId: (i) => String(i.projectId) },
  User: { type: 'User', id: (i) => String(i.id), projectId: () => null },
};

/** Which events a change of each entity means. `before`/`after` are the live (non-tombstone) states. */
const eventTypes = (entity: string, old: Image | undefined, now: Image | undefined, changes: { field: string; after: unknown; before: unknown }[]): EventType[] => {
  const wasLive = old !== undefined && !isTombstone(old);
  const isLive = now !== undefined && !isTombstone(now);
  const changed = (field: string) => changes.find((c) => c.field === field);
  switch (entity) {
    case 'Task': {
      if (!wasLive && isLive) {
        if (old !== undefined) return ['TaskRestored'];
        return now?.assigneeId ? ['TaskCreated', 'TaskAssigned'] : ['TaskCreated'];
      }
      if (wasLive && !isLive) return ['TaskDeleted'];
      if (!isLive) return [];
      // The reminder schedule's own writes: a reminder marked sent, the task marked overdue.
      const before = sentReminders(old);
      const fired: EventType[] = [];
      if ([...sentReminders(now)].some((at) => !before.has(at))) fired.push('ReminderDue');
      if (now?.overdueAt && !old?.overdueAt) fired.push('TaskOverdue');
      if (fired.length > 0 && changes.every((c) => c.field === 'reminders')) return fired;
      if (changes.length === 0) return fired;
      const types: EventType[] = ['TaskUpdated', ...fired];
      if (changed('assigneeId') && now?.assigneeId) types.push('TaskAssigned');
      const status = changed('status');
      if (status?.after === 'done') types.push('TaskCompleted');
      else if (status?.before === 'done') types.push('TaskReopened');
      return types;
    }
    case 'Project':
      if (!wasLive && isLive) return ['ProjectCreated'];
      if (wasLive && !isLive) return ['ProjectDeleted'];
      return isLive && changes.length > 0 ? ['ProjectUpdated'] : [];
    case 'Membership':
      if (!wasLive && isLive) return ['MemberAdded'];
      if (wasLive && !isLive) return ['MemberRemoved'];
      return isLive && changed('role') ? ['MemberRoleChanged'] : [];
    case 'User':
      if (old === undefined && now !== undefined) return ['UserRegistered'];
      if (wasLive && !isLive) return ['UserDeleted']; // the account was erased (its profile item removed)
      return now !== undefined && changes.length > 0 ? ['UserUpdated'] : [];
    default:
      return [];
  }
};

export const eventsFromChange = (change: StreamChange): DomainEvent[] => {
  if (change.ttlRemoval) return [];
  const { oldImage, newImage } = change;
  const image = newImage ?? oldImage;
  const entity = ENTITIES[String(image?.entity)];
  if (!image || !entity) return []; // idempotency records, email claims, …
  // A REMOVE is a hard delete; the stores never make one outside TTL, so treat it as the delete of the old state.
  const now = change.eventName === 'REMOVE' ? undefined : newImage;
  const before = publicState(oldImage && !isTombstone(oldImage) ? oldImage : undefined);
  const after = publicState(now && !isTombstone(now) ? now : undefined);
  const changes = diff(before, after);
  const types = change.eventName === 'REMOVE' ? (isTombstone(oldImage) ? [] : eventTypes(String(image.entity), oldImage, { ...oldImage, deletedAt: change.approximateCreationTime }, changes)) : eventTypes(String(image.entity), oldImage, now, changes);
  const stamp = now ?? oldImage ?? {};
  const occurredAt = String((isTombstone(now) ? now?.deletedAt : now?.updatedAt) ?? change.approximateCreationTime);
  return types.map((type) => ({
    id: `${change.eventId}:${type}`,
    type,
    version: 1 as const,
    occurredAt: new Date(occurredAt).toISOString(),
    actor: { userId: String(stamp.modifiedBy ?? stamp.deletedBy ?? 'system') },
    requestId: String(stamp.requestId ?? change.eventId),
    entity: { type: entity.type, id: entity.id(image) },
    projectId: entity.projectId(image),
    before,
    after,
    changes,
  }));
};
