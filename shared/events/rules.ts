// The EventBridge rules, declared once: the CDK stateless stack creates them on the custom bus, the local
// runtime's EventBridge (local/eventbridge.ts) evaluates the same patterns with the same matcher.
import type { EventPattern } from '#shared/events/pattern-matcher';
import { EVENT_SOURCE, type EventType } from '#shared/events/schemas';
import type { QueueName } from '#shared/events/queues';
import { NOTIFICATION_TYPES } from '#shared/domain/notifications';
import { STATS_EVENT_TYPES } from '#shared/domain/stats';

export interface RuleDef {
  name: string;
  description: string;
  pattern: EventPattern;
  /** The queue the matching events go to. */
  target: QueueName;
  /** A rule whose queue has no consumer yet stays disabled, so nothing piles up unread. */
  enabled: boolean;
}

/** Events that can notify someone (shared/domain/notifications.ts decides who). */
export const NOTIFYING_EVENTS: readonly EventType[] = NOTIFICATION_TYPES;

export const rules: readonly RuleDef[] = [
  {
    name: 'audit',
    description: 'Every Taskwell domain event goes to the audit log',
    pattern: { source: [EVENT_SOURCE] },
    target: 'audit',
    enabled: true,
  },
  {
    name: 'notifications',
    description: 'Assignments, changes to tasks, completions and new members notify people',
    pattern: { source: [EVENT_SOURCE], 'detail-type': [...NOTIFYING_EVENTS] },
    target: 'notifications',
    enabled: true,
  },
  {
    name: 'reminders',
    description: 'Task lifecycle changes schedule and cancel due-date reminders',
    pattern: {
      source: [EVENT_SOURCE],
      'detail-type': ['TaskCreated', 'TaskUpdated', 'TaskCompleted', 'TaskDeleted', 'TaskRestored'],
    },
    target: 'reminders',
    enabled: true,
  },
  {
    name: 'webhooks',
    description: 'Every domain event may be delivered to webhooks',
    pattern: { source: [EVENT_SOURCE] },
    target: 'webhooks',
    enabled: false,
  },
  {
    name: 'stats',
    description: 'Task lifecycle changes update the admin dashboard counters',
    pattern: { source: [EVENT_SOURCE], 'detail-type': [...STATS_EVENT_TYPES] },
    target: 'stats',
    enabled: true,
  },
  {
    name: 'removed-members',
    description: "A member's removal from a project unassigns their open tasks there",
    pattern: { source: [EVENT_SOURCE], 'detail-type': ['MemberRemoved'] },
    target: 'removed-members',
    enabled: true,
  },
];

/**
 * How EventBridge retries delivery to a rule's queue before parking the event in the rule's target DLQ.
 * SQS rarely refuses; these bound an outage of the queue itself (e.g. a misconfigured policy).
 */
export const TARGET_RETRY = { maximumRetryAttempts: 8, maximumEventAgeSeconds: 3600 } as const;

/** Every rule target parks undeliverable events in one DLQ, `<stateful stack>-rule-targets-dlq`. */
export const RULE_TARGETS_DLQ = 'rule-targets';
