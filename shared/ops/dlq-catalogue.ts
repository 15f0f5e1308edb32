// Every dead-letter queue of a deployment, by name, from the shared declarations: each event queue's DLQ, the DLQ
// every rule target shares, and the publisher's. Pure (names only): read by `npm run dlq`, the admin DLQ routes and
// the CDK construct that grants those routes exactly these queues.
import { dlqName, queueName, queues } from '#shared/events/queues';
import { RULE_TARGETS_DLQ } from '#shared/events/rules';
import { OUTBOX_MAPPING, PUBLISHER_DLQ } from '#shared/events/outbox';
import { functionId } from '#shared/routes';

export type DlqKind = 'queue' | 'rule-targets' | 'publisher';

export interface DlqEntry {
  kind: DlqKind;
  /** The short name an operator may type: `audit`, `rule-targets`, `publisher`. */
  short: string;
  /** The queue's physical name. */
  name: string;
  /** For a queue DLQ: the queue its messages came from and go back to. */
  source?: string;
  /** What a message in it is. */
  holds: string;
  /** Where a redrive sends its messages, for people. */
  redrivesTo: string;
}

/** The publisher function of a deployment whose functions are named `<functionPrefix>-<functionId>`. */
export const publisherFunctionName = (functionPrefix: string) => `${functionPrefix}-${functionId(OUTBOX_MAPPING.handler)}`;

/**
 * The DLQs of the deployment whose queues are named `<queuePrefix>-…`. Without `functionPrefix` the publisher DLQ's
 * `redrivesTo` names the tool that replays it instead of the function.
 */
export const catalogue = (queuePrefix: string, functionPrefix?: string): DlqEntry[] => [
  ...queues.map((q) => ({
    kind: 'queue' as const,
    short: q.name,
    name: dlqName(queuePrefix, q.name),
    source: queueName(queuePrefix, q.name),
    holds: `events the ${q.name} consumer failed ${q.maxReceiveCount} times`,
    redrivesTo: queueName(queuePrefix, q.name),
  })),
  {
    kind: 'rule-targets' as const,
    short: RULE_TARGETS_DLQ,
    name: dlqName(queuePrefix, RULE_TARGETS_DLQ),
    holds: "events EventBridge could not deliver to a rule's queue",
    redrivesTo: "each message's TARGET_ARN queue",
  },
  {
    kind: 'publisher' as const,
    short: PUBLISHER_DLQ,
    name: dlqName(queuePrefix, PUBLISHER_DLQ),
    holds: 'stream batches the publisher could not put on the bus',
    redrivesTo: functionPrefix ? `replay via ${publisherFunctionName(functionPrefix)}` : 'the publisher, by replaying its stream batches (npm run dlq)',
  },
];

/** A DLQ by its physical name (`taskwell-audit-dlq`) or its short name (`audit`, `audit-dlq`). */
export const lookupDlq = (dlqs: readonly DlqEntry[], name: string): DlqEntry | undefined =>
  dlqs.find((d) => d.name === name || d.short === name || `${d.short}-dlq` === name);

/** The event queues (not DLQs) of the deployment: where queue and rule-targets DLQ messages go back to. */
export const eventQueueNames = (queuePrefix: string): string[] => queues.map((q) => queueName(queuePrefix, q.name));
