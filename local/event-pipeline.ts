// The event pipeline, offline, built from the same declarations as the CDK app: the table's stream is polled
// and fed to the publisher (shared/events/outbox.ts), the publisher's PutEvents reaches the local EventBridge,
// whose enabled rules (shared/events/rules.ts) send each match to its queue in local-aws-sqs
// (shared/events/queues.ts), and each consumed queue drives its consumer like a Lambda SQS event source mapping.
// SES calls go through a fault proxy to the mail viewer; the Lambda Invoke API serves every local function
// (npm run dlq replays publisher batches through it).
//
// Two phases, because handler modules read their environment when first loaded: `startEventServices` brings up
// the services and answers the environment the functions need; `startEventDrivers` (after that environment is
// applied) starts polling the stream and the queues.
import { rmSync, writeFileSync } from 'node:fs';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { authorizer, functionId, routes } from '#shared/routes';
import { OUTBOX_MAPPING, PUBLISHER_DLQ } from '#shared/events/outbox';
import { queues, type QueueName } from '#shared/events/queues';
import { RULE_TARGETS_DLQ, TARGET_RETRY, rules } from '#shared/events/rules';
import { startLocalEventBridge, type EventBridgeEvent, type LocalEventBridge } from '#local/eventbridge';
import { startLocalSqs, type LocalSqs } from '#local/sqs';
import { startSqsEventSourceMapping, type SqsEventSourceMapping } from '#local/event-source-mapping';
import { startSesFaultProxy, type SesFaultProxy } from '#local/ses-proxy';
import { startLambdaApi, type LambdaApi, type LocalFunction } from '#local/lambda-api';
import { startStreamPoller, type StreamPoller } from '#local/stream-poller';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, invoke } from '#local/lambda';
import { startLocalStepFunctions, type LocalStepFunctions } from '#local/stepfunctions';
import { REMINDER_STATE_MACHINE, reminderStateMachineDefinition } from '#shared/reminders/state-machine';

/** Local names: queues `taskwell-<name>`, functions `taskwell-<functionId>`, the bus `taskwell-events`. */
export const LOCAL_PREFIX = 'taskwell';
export const LOCAL_EVENT_BUS = `${LOCAL_PREFIX}-events`;
export const LOCAL_MAIL_FROM = 'Taskwell <notifications@taskwell.local>';
/** The route functions' timeout in the CDK app (TaskwellFunction's default). */
const DEFAULT_TIMEOUT_MS = 10_000;

export const localFunctionName = (handler: string) => `${LOCAL_PREFIX}-${functionId(handler)}`;

/** Every function of the app, by its local name. */
const localFunctions = (): Map<string, LocalFunction> => {
  const all = new Map<string, LocalFunction>();
  for (const handler of [...routes.map((r) => r.handler), authorizer.handler, OUTBOX_MAPPING.handler]) {
    all.set(localFunctionName(handler), { handlerPath: handler, timeoutMs: DEFAULT_TIMEOUT_MS });
  }
  all.set(localFunctionName(REMINDER_STATE_MACHINE.handler), { handlerPath: REMINDER_STATE_MACHINE.handler, timeoutMs: REMINDER_STATE_MACHINE.timeoutSeconds * 1000 });
  for (const queue of queues) {
    if ('consumer' in queue) all.set(localFunctionName(queue.consumer.handler), { handlerPath: queue.consumer.handler, timeoutMs: queue.consumer.timeoutSeconds * 1000 });
  }
  return all;
};

export interface EventServicesOptions {
  root: string;
  /** The mail viewer (aws-ses-v2-local) the SES proxy forwards to. */
  mailUrl: string;
  /** Overrides every queue's visibility timeout (tests compress the retry clock). */
  visibilityTimeoutSeconds?: number;
  /** Overrides Step Functions Wait states (milliseconds); undefined: real waits. */
  waitTimeOverrideMs?: number;
  /** Journal of the Step Functions executions (reminder schedules), so that they survive a restart; omitted: in memory. */
  executionsFile?: string;
  log?: (message: string, error?: unknown) => void;
}

export interface EventServices {
  sqs: LocalSqs;
  eventBridge: LocalEventBridge;
  ses: SesFaultProxy;
  lambda: LambdaApi;
  stepFunctions: LocalStepFunctions;
  /** What every function's environment adds to reach these services. */
  environment: Record<string, string>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const startEventServices = async (options: EventServicesOptions): Promise<EventServices> => {
  const log = options.log ?? ((message: string, error?: unknown) => console.error(`[events] ${message}`, error ?? ''));
  const started: { stop(): Promise<void> }[] = [];
  try {
    const sqs = await startLocalSqs({ prefix: LOCAL_PREFIX, visibilityTimeoutSeconds: options.visibilityTimeoutSeconds });
    started.push(sqs);
    const ruleTargetsDlq = sqs.dlq(RULE_TARGETS_DLQ);

    // A rule target's delivery: retried (compressed from TARGET_RETRY's hour) and then parked in the rule targets'
    // DLQ with the attributes EventBridge adds, so `npm run dlq` can send it on.
    const deliver = async (ruleName: string, target: QueueName, event: EventBridgeEvent) => {
      const queue = sqs.queue(target);
      let lastError: unknown;
      for (let attempt = 0; attempt <= Math.min(TARGET_RETRY.maximumRetryAttempts, 3); attempt++) {
        try {
          await sqs.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: JSON.stringify(event) }));
          return;
        } catch (error) {
          lastError = error;
          await sleep(100 * 2 ** attempt);
        }
      }
      log(`rule ${ruleName} could not deliver event ${event.id} to ${queue.name}; parked in ${ruleTargetsDlq.name}`, lastError);
      const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
      await sqs.client.send(
        new SendMessageCommand({
          QueueUrl: ruleTargetsDlq.url,
          MessageBody: JSON.stringify(event),
          MessageAttributes: {
            RULE_ARN: attribute(`arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:rule/${LOCAL_EVENT_BUS}/${ruleName}`),
            TARGET_ARN: attribute(queue.arn),
            ERROR_CODE: attribute('SQS.Failure'),
            ERROR_MESSAGE: attribute(lastError instanceof Error ? lastError.message : String(lastError)),
          },
        }),
      );
    };
    const eventBridge = await startLocalEventBridge<QueueName>({
      rules: rules.filter((rule) => rule.enabled).map((rule) => ({ name: rule.name, eventBusName: LOCAL_EVENT_BUS, pattern: rule.pattern, targets: [rule.target] })),
      deliver,
      onDeliveryError: (error, d) => log(`event ${d.event.id} for rule ${d.ruleName} was lost on the way to its DLQ`, error),
    });
    started.push(eventBridge);
    const ses = await startSesFaultProxy({ target: options.mailUrl });
    started.push(ses);
    const functions = localFunctions();
    const lambda = await startLambdaApi({ root: options.root, functions: (name) => functions.get(name), log });
    started.push(lambda);
    // The reminder state machine, its Lambda task mapped to the local function of the same name.
    const wakeUpName = localFunctionName(REMINDER_STATE_MACHINE.handler);
    const stepFunctions = await startLocalStepFunctions({
      stateMachines: [
        {
          name: `${LOCAL_PREFIX}-${REMINDER_STATE_MACHINE.name}`,
          definition: reminderStateMachineDefinition(`arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${wakeUpName}`),
        },
      ],
      invokeLambda: (arnOrName, payload) => {
        const name = arnOrName.split(':function:').pop()!.split(':')[0]!;
        const fn = functions.get(name);
        if (!fn) throw new Error(`No local function ${name}`);
        return invoke(options.root, fn.handlerPath, name, payload, fn.timeoutMs);
      },
      waitTimeOverride: options.waitTimeOverrideMs,
      executionsFile: options.executionsFile,
      log,
    });
    started.push(stepFunctions);
    return {
      sqs,
      eventBridge,
      ses,
      lambda,
      stepFunctions,
      environment: {
        AWS_ENDPOINT_URL_SFN: stepFunctions.endpoint,
        STATE_MACHINE_ARN: stepFunctions.stateMachineArn(`${LOCAL_PREFIX}-${REMINDER_STATE_MACHINE.name}`),
        EVENT_BUS_NAME: LOCAL_EVENT_BUS,
        MAIL_FROM: LOCAL_MAIL_FROM,
        AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.endpoint,
        AWS_ENDPOINT_URL_SQS: sqs.endpoint,
        AWS_ENDPOINT_URL_SES: ses.url,
        AWS_ENDPOINT_URL_SESV2: ses.url,
        AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
        // The admin DLQ routes name the queues from it, as the CDK sets it to the stateful stack's name.
        QUEUE_PREFIX: LOCAL_PREFIX,
      },
      stop: async () => {
        for (const service of [...started].reverse()) await service.stop().catch((error: unknown) => log('stopping a service failed', error));
      },
    };
  } catch (error) {
    for (const service of [...started].reverse()) await service.stop().catch(() => undefined);
    throw error;
  }
};

export interface EventDriversOptions {
  root: string;
  services: EventServices;
  dynamoEndpoint: string;
  tableName: string;
  /**
   * Persist the stream position here, so that a restarted stack resumes the stream where it stopped. The
   * position saved is one whose events have all been consumed (the queues are in memory): after a crash the
   * stack hands the records since then over again, and the idempotent consumers skip what they already did.
   */
  checkpointFile?: string;
  log?: (message: string, error?: unknown) => void;
}

export interface EventDrivers {
  stop(): Promise<void>;
}

export const startEventDrivers = async (options: EventDriversOptions): Promise<EventDrivers> => {
  const log = options.log ?? ((message: string, error?: unknown) => console.error(`[events] ${message}`, error ?? ''));
  const { sqs } = options.services;
  // Reminder schedules that were running when the last process ended (the functions' environment is set now).
  const resumed = options.services.stepFunctions.resume();
  if (resumed > 0) log(`resumed ${resumed} reminder schedule(s) that were running when the stack last stopped`);
  const publisherDlq = sqs.dlq(PUBLISHER_DLQ);
  // The publisher's PutEvents answers once every matching rule has sent its message (or parked it in the rule
  // targets' DLQ), so when the consumed queues are empty every event published before has been consumed — or
  // parked in a DLQ. DLQs live in memory too: while one holds a message the position does not move either, so a
  // restart delivers those events again (and a poison message lands in its DLQ again) instead of dropping them.
  const watched = [
    ...queues.filter((queue) => 'consumer' in queue).flatMap((queue) => [sqs.queue(queue.name), sqs.dlq(queue.name)]),
    publisherDlq,
    sqs.dlq(RULE_TARGETS_DLQ),
  ];
  const settled = async (): Promise<boolean> => {
    for (const queue of watched) {
      const { Attributes = {} } = await sqs.client.send(
        new GetQueueAttributesCommand({
          QueueUrl: queue.url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
        }),
      );
      const left = Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0);
      if (left > 0) return false;
    }
    return true;
  };
  const poller: StreamPoller = await startStreamPoller({
    dynamoEndpoint: options.dynamoEndpoint,
    tableName: options.tableName,
    region: LOCAL_REGION,
    mapping: OUTBOX_MAPPING,
    checkpointFile: options.checkpointFile,
    settled: options.checkpointFile ? settled : undefined,
    invoke: (event) => invoke(options.root, OUTBOX_MAPPING.handler, localFunctionName(OUTBOX_MAPPING.handler), event, DEFAULT_TIMEOUT_MS),
    onFailure: async (record) => {
      log(`a stream batch could not be published; parked in ${publisherDlq.name} (npm run dlq)`);
      await sqs.client.send(new SendMessageCommand({ QueueUrl: publisherDlq.url, MessageBody: JSON.stringify(record) }));
    },
    log: (message) => log(message),
  });
  const mappings: SqsEventSourceMapping[] = [];
  for (const queue of queues) {
    if (!('consumer' in queue)) continue;
    const { consumer } = queue;
    const local = sqs.queue(queue.name);
    mappings.push(
      startSqsEventSourceMapping({
        client: sqs.client,
        queueUrl: local.url,
        queueArn: local.arn,
        batchSize: consumer.batchSize,
        maxBatchingWindowSeconds: consumer.maxBatchingWindowSeconds,
        invoke: (event) => invoke(options.root, consumer.handler, localFunctionName(consumer.handler), event, consumer.timeoutSeconds * 1000),
        log,
      }),
    );
  }
  return {
    stop: async () => {
      await poller.stop().catch((error: unknown) => log('stopping the stream poller failed', error));
      await Promise.all(mappings.map((m) => m.stop().catch((error: unknown) => log('stopping a queue mapping failed', error))));
    },
  };
};

/** What `npm run dlq` and other tools read to find a running local stack (docs/operations.md). */
export interface RuntimeInfo {
  apiUrl: string;
  mailUrl: string;
  sqsEndpoint: string;
  lambdaEndpoint: string;
  eventBridgeEndpoint: string;
  dynamoEndpoint: string;
  sesEndpoint: string;
  stepFunctionsEndpoint: string;
  queuePrefix: string;
  functionPrefix: string;
  region: string;
  pid: number;
}

export const writeRuntimeInfo = (file: string, info: Omit<RuntimeInfo, 'queuePrefix' | 'functionPrefix' | 'region' | 'pid'>) => {
  const full: RuntimeInfo = { ...info, queuePrefix: LOCAL_PREFIX, functionPrefix: LOCAL_PREFIX, region: LOCAL_REGION, pid: process.pid };
  writeFileSync(file, `${JSON.stringify(full, null, 2)}\n`);
  return () => rmSync(file, { force: true });
};
