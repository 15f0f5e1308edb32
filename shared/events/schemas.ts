// Domain events: versioned, validated with zod when put on the bus and when consumed.
// On EventBridge: Source `taskwell`, DetailType = the event type, Detail = the event.
import * as z from '#shared/schemas/zod';
import { meta } from '#shared/schemas/helpers';

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
  'UserDeleted',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const ENTITY_TYPES = ['Task', 'Project', 'Membership', 'User'] as const;

const state = z.nullable(z.record(z.string(), z.unknown()));

export const DomainEventSchema = meta(
  z.strictObject({
    /** Derived from the stream record, so every consumer can be idempotent on it. */
    id: z.string().check(z.minLength(1), z.maxLength(256)),
    type: z.enum(EVENT_TYPES),
    /** Schema version of this event shape. */
    version: z.literal(1),
    occurredAt: z.iso.datetime(),
    actor: z.strictObject({ userId: z.string().check(z.minLength(1)) }),
    requestId: z.string().check(z.minLength(1)),
    entity: z.strictObject({ type: z.enum(ENTITY_TYPES), id: z.string().check(z.minLength(1)) }),
    projectId: z.nullable(z.string()),
    /** The entity's public state before and after the change (null where it did not exist). */
    before: state,
    after: state,
    /** The fields that changed, with their values before and after. */
    changes: z.array(z.strictObject({ field: z.string(), before: z.unknown(), after: z.unknown() })),
  }),
  { id: 'DomainEvent' },
);

export type DomainEvent = z.output<typeof DomainEventSchema>;

/** Validates an event's detail on the consuming side; throws on anything malformed. */
export const parseDomainEvent = (detail: unknown): DomainEvent => DomainEventSchema.parse(detail);
