// The event queues, declared once: the CDK stateful stack creates them (each with its DLQ and alarms), the
// stateless stack attaches their consumers, and the local runtime creates the same queues in local-aws-sqs
// and drives the same consumers like Lambda event source mappings.
import type { RouteGrants } from '#shared/routes';

export interface ConsumerDef {
  /** Module (from the repo root) exporting `handler` (an SQS batch handler with partial batch responses). */
  handler: string;
  /** What the consumer touches, granted exactly. */
  grants: RouteGrants;
  /** Messages per invocation (SQS event source mapping BatchSize). */
  batchSize: number;
  /** How long the mapping may gather a batch (seconds). */
  maxBatchingWindowSeconds: number;
  /** The function timeout (seconds); the queue's visibility timeout is six times this, as AWS recommends. */
  timeoutSeconds: number;
  description: string;
}

export interface QueueDef {
  /** Short name: the queue is `<stateful stack>-<name>`, its DLQ `<stateful stack>-<name>-dlq`. */
  name: string;
  description: string;
  /** Receives before SQS moves a message to the DLQ. */
  maxReceiveCount: number;
  /** Undefined until the issue that consumes the queue lands; its rule stays disabled until then. */
  consumer?: ConsumerDef;
}

export const queues = [
  {
    name: 'audit',
    description: 'Every domain event, for the audit log',
    maxReceiveCount: 5,
    consumer: {
      handler: 'functions/audit/record-audit-entries.ts',
      grants: { table: 'readwrite' },
      batchSize: 25,
      maxBatchingWindowSeconds: 1,
      timeoutSeconds: 10,
      description: 'Writes one immutable audit record per domain event',
    },
  },
  {
    name: 'notifications',
    description: 'Events that notify someone: assignments, changes to assigned tasks, completions, new members',
    maxReceiveCount: 5,
    consumer: {
      handler: 'functions/notifications/send-notifications.ts',
      grants: { table: 'readwrite', email: true },
      batchSize: 10,
      maxBatchingWindowSeconds: 1,
      timeoutSeconds: 20,
      description: 'Turns domain events into in-app notifications and emails',
    },
  },
  {
    name: 'reminders',
    description: 'Task changes that schedule or cancel due-date reminders',
    maxReceiveCount: 5,
    consumer: {
      handler: 'functions/reminders/schedule-reminders.ts',
      grants: { reminders: 'schedule' },
      batchSize: 10,
      maxBatchingWindowSeconds: 1,
      timeoutSeconds: 10,
      description: 'Starts and stops the Step Functions execution of each task reminder schedule',
    },
  },
  { name: 'webhooks', description: 'Every domain event, for webhook delivery (a later issue)', maxReceiveCount: 5 },
  {
    name: 'stats',
    description: 'Task lifecycle events, for the admin dashboard counters',
    maxReceiveCount: 5,
    consumer: {
      handler: 'functions/stats/update-stats.ts',
      grants: { table: 'readwrite' },
      batchSize: 10,
      maxBatchingWindowSeconds: 1,
      timeoutSeconds: 10,
      description: 'Keeps the admin dashboard counters: tasks created and completed per day, open tasks by priority',
    },
  },
  {
    name: 'removed-members',
    description: 'Members who left or were removed from a project, whose open tasks there are unassigned',
    maxReceiveCount: 5,
    consumer: {
      handler: 'functions/tasks/unassign-removed-member.ts',
      grants: { table: 'readwrite' },
      batchSize: 10,
      maxBatchingWindowSeconds: 1,
      timeoutSeconds: 60,
      description: "Unassigns a removed member's open tasks in the project they left",
    },
  },
] as const satisfies readonly QueueDef[];

export type QueueName = (typeof queues)[number]['name'];

/** Seconds a received message stays invisible: six times the consumer's timeout (AWS's guidance), 60 s without one. */
export const visibilityTimeoutSeconds = (queue: QueueDef): number => (queue.consumer ? queue.consumer.timeoutSeconds * 6 : 60);

/** Queue and DLQ retention (seconds): the DLQ keeps messages for SQS's maximum, 14 days. */
export const RETENTION_SECONDS = { queue: 4 * 24 * 3600, dlq: 14 * 24 * 3600 } as const;

export const queueName = (prefix: string, name: string) => `${prefix}-${name}`;
export const dlqName = (prefix: string, name: string) => `${prefix}-${name}-dlq`;
