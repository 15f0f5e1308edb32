// Domain events: versioned, validated with zod when put on the bus and when consumed.
// On EventBridge: Source `taskwell`, DetailType = the event type, Detail = the event.
import * as z from 'zod';

export const EVENT_SOURCE = 'taskwell';

export const EVENT_TYPES = [
  'TaskCreated',
  'TaskUpdated',
  'TaskAssigned',
  'TaskCompleted',
  'TaskReopened',
  'TaskDeleted',
  'TaskRestored',
  'ReminderDue',
  'TaskOverdue',
  'ProjectCreated',
  'ProjectUpdated',
  'ProjectDeleted',
  'MemberAdded',
  'MemberRoleChanged',
  'MemberRemoved',
  'UserRegistered',
  'UserUpdated',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const ENTITY_TYPES = ['Task', 'Project', 'Membership', 'User'] as const;

const state = z.record(z.string(), z.unknown()).nullable();

export const DomainEventSchema = z
  .object({
    /** Derived from the stream record, so every consumer can be idempotent on it. */
    id: z.string().min(1).max(256),
    type: z.enum(EVENT_TYPES),
    /** Schema version of this event shape. */
    version: z.literal(1),
    occurredAt: z.iso.datetime(),
    actor: z.object({ userId: z.string().min(1) }).strict(),
    requestId: z.string().min(1),
    entity: z.object({ type: z.enum(ENTITY_TYPES), id: z.string().min(1) }).strict(),
    projectId: z.string().nullable(),
    /** The entity's public state before and after the change (null where it did not exist). */
    before: state,
    after: state,
    /** The fields that changed, with their values before and after. */
    changes: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() }).strict()),
  })
  .strict()
  .meta({ id: 'DomainEvent' });

export type DomainEvent = z.output<typeof DomainEventSchema>;

/** Validates an event's detail on the consuming side; throws on anything malformed. */
export const parseDomainEvent = (detail: unknown): DomainEvent => DomainEventSchema.parse(detail);
