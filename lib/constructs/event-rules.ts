// The EventBridge rules of shared/events/rules.ts on the custom bus, each sending to its queue. A rule target that
// cannot deliver (after TARGET_RETRY) parks the event in the shared rule-targets DLQ.
// The rules are L1 resources on purpose: the declaration's pattern goes into the template exactly as written
// (`detail-type`, not CDK's `detailType`), and no target adds a policy to the queues — those are declared with the
// queues in the stateful stack, which a policy added from here would make depend on this stack.
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { CfnRule } from 'aws-cdk-lib/aws-events';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueName } from '#shared/events/queues';
import { rules, TARGET_RETRY } from '#shared/events/rules';

export interface EventRulesProps {
  eventBus: IEventBus;
  /** The queue each rule may target, by name. */
  queues: Readonly<Record<QueueName, IQueue>>;
  /** Where every target parks the events it could not deliver. */
  deadLetterQueue: IQueue;
}

export class EventRules extends Construct {
  /** By the declaration's rule name. */
  readonly rules: ReadonlyMap<string, CfnRule>;

  constructor(scope: Construct, id: string, props: EventRulesProps) {
    super(scope, id);
    const created = new Map<string, CfnRule>();
    for (const rule of rules) {
      created.set(
        rule.name,
        new CfnRule(this, rule.name, {
          // Named as declared (unique on our own bus): the local runtime, the DLQ's RULE_ARN attribute and the
          // console then all say the same thing.
          name: rule.name,
          description: rule.description,
          eventBusName: props.eventBus.eventBusName,
          eventPattern: rule.pattern,
          // A disabled rule exists (so enabling it is a one-word change) but delivers nothing to a queue nobody reads.
          state: rule.enabled ? 'ENABLED' : 'DISABLED',
          targets: [
            {
              id: `${rule.target}-queue`,
              arn: props.queues[rule.target].queueArn,
              deadLetterConfig: { arn: props.deadLetterQueue.queueArn },
              retryPolicy: {
                maximumRetryAttempts: TARGET_RETRY.maximumRetryAttempts,
                maximumEventAgeInSeconds: TARGET_RETRY.maximumEventAgeSeconds,
              },
            },
          ],
        }),
      );
    }
    this.rules = created;
  }
}
