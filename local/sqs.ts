// SQS, offline: `local-aws-sqs` in-process (the JSON protocol of the current SDK, visibility timeouts,
// long polling, redrive to a DLQ), with the queues of shared/events/queues.ts created the way the CDK
// stateful stack creates them: each queue's DLQ (kept 14 days) first, then the queue with its visibility
// timeout and RedrivePolicy; plus the publisher's DLQ and the rule targets' DLQ. Messages live in memory:
// they do not survive a restart. Point a client at it with AWS_ENDPOINT_URL_SQS.
import { createRequire } from 'node:module';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { RETENTION_SECONDS, dlqName, queueName, queues, visibilityTimeoutSeconds, type QueueName } from '#shared/events/queues';
import { PUBLISHER_DLQ } from '#shared/events/outbox';
import { RULE_TARGETS_DLQ } from '#shared/events/rules';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '#local/lambda';
import { listenOnLoopback } from '#local/ports';

export interface LocalSqsOptions {
  /** Port to listen on (loopback); omitted → a free one. */
  port?: number;
  /** Physical names are `<prefix>-<name>` and `<prefix>-<name>-dlq` (default `taskwell`). */
  prefix?: string;
  /** Overrides every queue's visibility timeout (seconds), so that tests can compress time. */
  visibilityTimeoutSeconds?: number;
}

/** One queue as a client addresses it. */
export interface LocalQueue {
  /** Physical name, e.g. `taskwell-audit`. */
  name: string;
  url: string;
  arn: string;
}

export interface LocalSqs {
  /** Endpoint for AWS_ENDPOINT_URL_SQS. */
  endpoint: string;
  /** A client on the endpoint (local credentials); destroyed by stop(). */
  client: SQSClient;
  prefix: string;
  /** A declared queue by its short name (`audit`, `notifications`, …). */
  queue(name: QueueName): LocalQueue;
  /** A DLQ by the short name it belongs to: a declared queue's name, PUBLISHER_DLQ or RULE_TARGETS_DLQ. */
  dlq(name: string): LocalQueue;
  stop(): Promise<void>;
}

interface SqsService {
  PORT: number;
  resetAll(): void;
}
interface SqsServerOptions {
  port: number;
  hostname?: string;
  region?: string;
  accountId?: string;
  emulateQueueCreationLifecycle?: boolean;
  validateDlqDestination?: boolean;
}
type CreateRequestHandler = (options: SqsServerOptions) => {
  service: SqsService;
  requestHandler: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
};

export const startLocalSqs = async (options: LocalSqsOptions = {}): Promise<LocalSqs> => {
  const prefix = options.prefix ?? 'taskwell';
  const override = options.visibilityTimeoutSeconds;
  if (override !== undefined && !(Number.isInteger(override) && override >= 1 && override <= 43_200)) {
    throw new Error(`visibilityTimeoutSeconds must be a whole number of seconds from 1 to 43200 (got ${override}).`);
  }
  // local-aws-sqs's own createSqsServer never settles when the port is taken; its request handler on
  // our own server reports that as an error instead.
  const { createRequestHandler } = createRequire(import.meta.url)('local-aws-sqs') as { createRequestHandler: CreateRequestHandler };
  const { service, requestHandler } = createRequestHandler({
    port: options.port ?? 0,
    hostname: '127.0.0.1',
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT_ID,
    // A queue deleted and created again (a test resetting state) need not wait 60 s as in AWS.
    emulateQueueCreationLifecycle: false,
  });
  const server = createServer((req, res) => void requestHandler(req, res));
  const port = await listenOnLoopback(server, options.port);
  service.PORT = port; // queue URLs carry the port
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new SQSClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

  const stop = async () => {
    client.destroy();
    service.resetAll(); // clears the per-message timers
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  };

  const created = new Map<string, LocalQueue>();
  const arnOf = (name: string) => `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${name}`;
  const create = async (name: string, attributes: Record<string, string>): Promise<LocalQueue> => {
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    const queue = { name, url: QueueUrl!, arn: arnOf(name) };
    created.set(name, queue);
    return queue;
  };

  try {
    const dlqAttributes = { MessageRetentionPeriod: String(RETENTION_SECONDS.dlq) };
    for (const q of queues) {
      const dlq = await create(dlqName(prefix, q.name), dlqAttributes);
      await create(queueName(prefix, q.name), {
        MessageRetentionPeriod: String(RETENTION_SECONDS.queue),
        VisibilityTimeout: String(override ?? visibilityTimeoutSeconds(q)),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: q.maxReceiveCount }),
      });
    }
    await create(dlqName(prefix, PUBLISHER_DLQ), dlqAttributes);
    await create(dlqName(prefix, RULE_TARGETS_DLQ), dlqAttributes);
  } catch (error) {
    await stop();
    throw error;
  }

  const lookup = (physical: string, what: string): LocalQueue => {
    const queue = created.get(physical);
    if (!queue) throw new Error(`The local SQS has no ${what} named ${physical}.`);
    return queue;
  };

  return {
    endpoint,
    client,
    prefix,
    queue: (name) => lookup(queueName(prefix, name), 'queue'),
    dlq: (name) => lookup(dlqName(prefix, name), 'DLQ'),
    stop,
  };
};
