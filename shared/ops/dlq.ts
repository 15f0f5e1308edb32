// The reusable core of DLQ operations, shared by `npm run dlq` (scripts/dlq) and the admin DLQ routes
// (functions/admin): counting a DLQ's messages, reading them without consuming them, saying what each one is, and
// moving them back to where they came from — at least once and no more than that: a message leaves its DLQ only
// after its destination accepted it. No terminal, no process, no credentials here: the caller hands in an SQS
// client and the deployment's queue prefix. The DLQs themselves are named in shared/ops/dlq-catalogue.ts.
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { eventQueueNames, type DlqEntry } from '#shared/ops/dlq-catalogue';

export { catalogue, eventQueueNames, lookupDlq, publisherFunctionName, type DlqEntry, type DlqKind } from '#shared/ops/dlq-catalogue';

/** Where DLQ operations work. */
export interface DlqContext {
  sqs: SQSClient;
  /** Queues are `<queuePrefix>-<name>`, DLQs `<queuePrefix>-<name>-dlq`. */
  queuePrefix: string;
  /**
   * local-aws-sqs counts in-flight messages in ApproximateNumberOfMessages as well as in
   * ApproximateNumberOfMessagesNotVisible; SQS counts them only in the latter.
   */
  countsIncludeInFlight: boolean;
  /** Turns an SDK error into what the caller wants to report (default: unchanged). */
  explain?: (error: unknown) => unknown;
}

const explained = (ctx: DlqContext, error: unknown): unknown => (ctx.explain ? ctx.explain(error) : error);

// ---------------------------------------------------------------------------------------------------------
// Queues and counts

export const isMissingQueue = (error: unknown): boolean => {
  const e = error as { name?: string; Code?: string };
  return e?.name === 'QueueDoesNotExist' || e?.name === 'AWS.SimpleQueueService.NonExistentQueue' || e?.Code === 'AWS.SimpleQueueService.NonExistentQueue';
};

export class QueueNotFound extends Error {
  constructor(readonly queueName: string) {
    super(`queue ${queueName} does not exist`);
    this.name = 'QueueNotFound';
  }
}

/** Queue URLs by name, looked up once (a module-scope directory also caches across invocations). */
export class QueueDirectory {
  private readonly urls = new Map<string, Promise<string | undefined>>();
  constructor(
    private readonly ctx: DlqContext,
    /** The error `get` throws for a queue that does not exist. */
    private readonly missing: (name: string) => Error = (name) => new QueueNotFound(name),
  ) {}

  /** The URL, or undefined when no such queue exists. */
  find(name: string): Promise<string | undefined> {
    let url = this.urls.get(name);
    if (!url) {
      url = this.ctx.sqs.send(new GetQueueUrlCommand({ QueueName: name })).then(
        (r) => r.QueueUrl,
        (error: unknown) => {
          if (isMissingQueue(error)) return undefined;
          throw explained(this.ctx, error);
        },
      );
      // A failed lookup is not remembered: the next call asks again.
      url.catch(() => this.urls.delete(name));
      this.urls.set(name, url);
    }
    return url;
  }

  async get(name: string): Promise<string> {
    const url = await this.find(name);
    if (url) return url;
    throw this.missing(name);
  }
}

export interface QueueCounts {
  /** Ready to be received. */
  visible: number;
  /** Received and not yet deleted or back. */
  inFlight: number;
}

export const queueCounts = async (ctx: DlqContext, url: string): Promise<QueueCounts> => {
  try {
    const { Attributes = {} } = await ctx.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    const reported = Number(Attributes.ApproximateNumberOfMessages ?? 0);
    const inFlight = Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
    return { visible: ctx.countsIncludeInFlight ? Math.max(0, reported - inFlight) : reported, inFlight };
  } catch (error) {
    throw explained(ctx, error);
  }
};

/** Messages a DLQ holds: visible and in flight. */
export const messagesIn = (counts: QueueCounts): number => counts.visible + counts.inFlight;

// ---------------------------------------------------------------------------------------------------------
// Reading without consuming

/**
 * How long a peeked message stays hidden before it is handed back (at the end of the peek, with
 * ChangeMessageVisibility 0). A peek must hide what it has read, or the next ReceiveMessage could return the
 * same messages again (local-aws-sqs does exactly that with VisibilityTimeout 0), and more than 10 could never be
 * reached; if the reader dies midway, the messages come back on their own after this.
 */
export const PEEK_HOLD_SECONDS = 15;

/** The attributes EventBridge adds to an event it parks in a target's DLQ. */
export const EVENTBRIDGE_DLQ_ATTRIBUTES = ['RULE_ARN', 'TARGET_ARN', 'ERROR_CODE', 'ERROR_MESSAGE', 'EXHAUSTED_RETRY_CONDITION', 'RETRY_ATTEMPTS'] as const;

export interface ReceiveOptions {
  max: number;
  visibilityTimeout: number;
  waitTimeSeconds: number;
}

export const receive = async (ctx: DlqContext, url: string, options: ReceiveOptions): Promise<Message[]> => {
  try {
    const { Messages = [] } = await ctx.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: Math.min(10, Math.max(1, options.max)),
        VisibilityTimeout: options.visibilityTimeout,
        WaitTimeSeconds: options.waitTimeSeconds,
        // local-aws-sqs reads the older AttributeNames; SQS reads either.
        AttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    return Messages;
  } catch (error) {
    throw explained(ctx, error);
  }
};

/** Makes received messages visible again at once. */
export const release = async (ctx: DlqContext, url: string, messages: readonly Message[]): Promise<void> => {
  for (let i = 0; i < messages.length; i += 10) {
    const chunk = messages.slice(i, i + 10);
    await ctx.sqs
      .send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: url,
          Entries: chunk.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })),
        }),
      )
      // Not handed back → back by itself after the hold; nothing is lost.
      .catch(() => undefined);
  }
};

/**
 * Up to `max` distinct messages of the queue, each hidden while reading and handed back at the end.
 * `expected` (the visible count) keeps the last ReceiveMessage from long-polling an empty queue.
 */
export const peek = async (ctx: DlqContext, url: string, max: number, expected: number): Promise<Message[]> => {
  const seen = new Map<string, Message>();
  const held: Message[] = [];
  try {
    while (seen.size < max && seen.size < expected) {
      const batch = await receive(ctx, url, { max: Math.min(max, expected) - seen.size, visibilityTimeout: PEEK_HOLD_SECONDS, waitTimeSeconds: 1 });
      held.push(...batch);
      const fresh = batch.filter((m) => !seen.has(m.MessageId!));
      if (fresh.length === 0) break;
      for (const m of fresh) seen.set(m.MessageId!, m);
    }
  } finally {
    await release(ctx, url, held);
  }
  return [...seen.values()];
};

// ---------------------------------------------------------------------------------------------------------
// Saying what a message is

export interface MessageView {
  messageId: string;
  /** ApproximateReceiveCount, including the receive that read it now. */
  receiveCount: number;
  /** When the message was first sent (SQS keeps the original time when it moves a message to a DLQ). */
  sentAt?: string;
  /** When it was first received. */
  firstReceivedAt?: string;
  attributes: Record<string, string>;
  body: unknown;
  /** One line for people: `TaskAssigned Task t-1 by u-1`, `3 stream records 41 … 43`. */
  headline: string;
  /** Label → value lines for people. */
  summary: [string, string][];
}

const iso = (epochMs: string | undefined) => {
  const n = Number(epochMs);
  return epochMs && Number.isFinite(n) && n > 0 ? new Date(n).toISOString() : undefined;
};

const attributeText = (value: MessageAttributeValue): string =>
  value.StringValue ?? (value.BinaryValue ? `(binary, ${value.BinaryValue.length} bytes)` : '');

export const parseBody = (body: string | undefined): unknown => {
  if (body === undefined) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown) => (typeof value === 'string' ? value : value === undefined ? '?' : JSON.stringify(value));

/** An EventBridge event envelope whose detail is a Taskwell domain event. */
const eventLines = (body: unknown): [string, string][] => {
  if (!isObject(body) || !('detail-type' in body) || !isObject(body.detail)) {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    return [['body', `(not an EventBridge event) ${raw.length > 300 ? `${raw.slice(0, 300)}…` : raw}`]];
  }
  const detail = body.detail;
  const entity = isObject(detail.entity) ? `${text(detail.entity.type)} ${text(detail.entity.id)}` : '?';
  const actor = isObject(detail.actor) ? text(detail.actor.userId) : '?';
  return [
    ['event', `${text(body['detail-type'])}  (detail.id ${text(detail.id)})`],
    ['entity', entity],
    ['actor', actor],
    ['occurred', text(detail.occurredAt)],
    ['envelope', `id ${text(body.id)}, source ${text(body.source)}, put ${text(body.time)}`],
  ];
};

/** Lambda's on-failure record for a stream batch (DDBStreamBatchInfo). */
export interface StreamBatchInfo {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  batchSize?: number;
  streamArn: string;
  approximateArrivalOfFirstRecord?: string;
  approximateArrivalOfLastRecord?: string;
}

export const streamBatchInfo = (body: unknown): StreamBatchInfo | undefined => {
  if (!isObject(body) || !isObject(body.DDBStreamBatchInfo)) return undefined;
  const info = body.DDBStreamBatchInfo;
  if (typeof info.shardId !== 'string' || typeof info.startSequenceNumber !== 'string' || typeof info.endSequenceNumber !== 'string' || typeof info.streamArn !== 'string') {
    return undefined;
  }
  return info as unknown as StreamBatchInfo;
};

const publisherLines = (body: unknown): [string, string][] => {
  const info = streamBatchInfo(body);
  if (!info) {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    return [['body', `(not a Lambda on-failure record) ${raw.length > 300 ? `${raw.slice(0, 300)}…` : raw}`]];
  }
  const record = body as { requestContext?: Record<string, unknown>; responseContext?: Record<string, unknown>; timestamp?: unknown };
  const request = record.requestContext ?? {};
  const response = record.responseContext ?? {};
  return [
    ['batch', `${info.batchSize ?? '?'} records, sequence ${info.startSequenceNumber} … ${info.endSequenceNumber}`],
    ['shard', info.shardId],
    ['stream', info.streamArn],
    ['condition', `${text(request.condition)} after ${text(request.approximateInvokeCount)} invocations${response.functionError ? `, function error ${text(response.functionError)}` : ''}`],
    ['records', `arrived ${info.approximateArrivalOfFirstRecord ?? '?'} … ${info.approximateArrivalOfLastRecord ?? '?'}`],
    ['failed', `${text(record.timestamp)} in ${text(request.functionArn)}`],
  ];
};

/** The queue a rule-targets DLQ message belongs to: the last segment of its TARGET_ARN. */
export const targetQueueOf = (attributes: Record<string, string>): string | undefined => {
  const arn = attributes.TARGET_ARN;
  if (!arn) return undefined;
  const last = arn.split(/[:/]/).pop();
  return last || undefined;
};

const headlineOf = (dlq: DlqEntry, body: unknown): string => {
  if (dlq.kind === 'publisher') {
    const info = streamBatchInfo(body);
    return info ? `${info.batchSize ?? '?'} stream records ${info.startSequenceNumber} … ${info.endSequenceNumber}` : '(not a Lambda on-failure record)';
  }
  if (!isObject(body) || !isObject(body.detail)) return '(not an EventBridge event)';
  const detail = body.detail;
  const entity = isObject(detail.entity) ? ` ${text(detail.entity.type)} ${text(detail.entity.id)}` : '';
  const actor = isObject(detail.actor) ? ` by ${text(detail.actor.userId)}` : '';
  return `${text(body['detail-type'])}${entity}${actor}`;
};

/** The domain event a queue or rule-targets DLQ message carries: its type and id, when the body is one. */
export const eventOf = (body: unknown): { eventType?: string; eventId?: string } => {
  if (!isObject(body) || !isObject(body.detail)) return {};
  const eventType = typeof body['detail-type'] === 'string' ? body['detail-type'] : typeof body.detail.type === 'string' ? body.detail.type : undefined;
  const eventId = typeof body.detail.id === 'string' ? body.detail.id : undefined;
  return { ...(eventType !== undefined && { eventType }), ...(eventId !== undefined && { eventId }) };
};

export const view = (dlq: DlqEntry, message: Message): MessageView => {
  const attributes = Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([k, v]) => [k, attributeText(v)]));
  const body = parseBody(message.Body);
  const summary: [string, string][] = dlq.kind === 'publisher' ? publisherLines(body) : eventLines(body);
  if (dlq.kind === 'rule-targets') {
    summary.push(
      ['rule', attributes.RULE_ARN ?? '?'],
      ['target', `${attributes.TARGET_ARN ?? '?'}${targetQueueOf(attributes) ? `  → redrives to ${targetQueueOf(attributes)}` : ''}`],
      ['error', `${attributes.ERROR_CODE ?? '?'}: ${attributes.ERROR_MESSAGE ?? ''}`],
    );
    if (attributes.RETRY_ATTEMPTS || attributes.EXHAUSTED_RETRY_CONDITION) {
      summary.push(['retries', `${attributes.RETRY_ATTEMPTS ?? '?'} (${attributes.EXHAUSTED_RETRY_CONDITION ?? 'condition unknown'})`]);
    }
  }
  const system = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiveCount: Number(system.ApproximateReceiveCount ?? 0),
    sentAt: iso(system.SentTimestamp),
    firstReceivedAt: iso(system.ApproximateFirstReceiveTimestamp),
    attributes,
    body,
    headline: headlineOf(dlq, body),
    summary,
  };
};

// ---------------------------------------------------------------------------------------------------------
// Redrive

/**
 * How long a message being redriven stays hidden in its DLQ: time to send (or replay) and delete it. If the
 * redrive dies midway the message comes back after this, to be redriven again; nothing is lost.
 */
export const REDRIVE_HOLD_SECONDS = { queue: 60, publisher: 300 } as const;

export interface Moved {
  messageId: string;
  /** Where it went: a queue name, or the publisher function. */
  to: string;
  what: string;
}

export interface Kept {
  messageId: string;
  reason: string;
}

export interface RedriveResult {
  dlq: DlqEntry;
  moved: Moved[];
  kept: Kept[];
  /** Messages in the DLQ after the run (approximate). */
  left: number;
}

export type RedriveOutcome = { ok: true; to: string; what: string; sentId?: string } | { ok: false; reason: string };

/** SendMessage takes only String/Number/Binary values; a received attribute may carry empty list fields too. */
const sendable = (attributes: Record<string, MessageAttributeValue> | undefined, drop: readonly string[] = []) => {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (drop.includes(name)) continue;
    out[name] = { DataType: value.DataType, ...(value.BinaryValue !== undefined ? { BinaryValue: value.BinaryValue } : { StringValue: value.StringValue }) };
  }
  return Object.keys(out).length > 0 ? out : undefined;
};

/** Where a message of this DLQ goes: its source queue; for the rule-targets DLQ the queue named by TARGET_ARN. */
const destinationOf = (ctx: DlqContext, dlq: DlqEntry, message: Message): { queue: string } | { problem: string } => {
  if (dlq.kind === 'queue') return { queue: dlq.source! };
  const attributes = Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']));
  const name = targetQueueOf(attributes);
  if (!name) return { problem: 'it has no TARGET_ARN attribute, so its rule target is unknown' };
  const ours = eventQueueNames(ctx.queuePrefix);
  if (!ours.includes(name)) return { problem: `its TARGET_ARN names ${name}, which is not one of this stack's event queues (${ours.join(', ')})` };
  return { queue: name };
};

const sendBack = async (ctx: DlqContext, directory: QueueDirectory, dlq: DlqEntry, message: Message): Promise<RedriveOutcome> => {
  const destination = destinationOf(ctx, dlq, message);
  if ('problem' in destination) return { ok: false, reason: destination.problem };
  let url: string;
  try {
    url = await directory.get(destination.queue);
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  try {
    const sent = await ctx.sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: message.Body!,
        // The rule-targets DLQ's own attributes describe the failed delivery; the queue never had them.
        MessageAttributes: sendable(message.MessageAttributes, dlq.kind === 'rule-targets' ? EVENTBRIDGE_DLQ_ATTRIBUTES : []),
      }),
    );
    return { ok: true, to: destination.queue, what: view(dlq, message).headline, sentId: sent.MessageId };
  } catch (error) {
    return { ok: false, reason: `SendMessage to ${destination.queue} failed: ${(explained(ctx, error) as Error).message}` };
  }
};

export interface RedriveOptions {
  /** At most this many messages (default: all). */
  max: number;
  /** Stop taking new messages after this time (epoch ms); those taken are finished. Default: no deadline. */
  deadline?: number;
  /**
   * Replays a publisher DLQ message (a stream batch's on-failure record). Without it, publisher DLQ messages are
   * kept: only `npm run dlq` can read the table stream and invoke the publisher.
   */
  replay?: (message: Message) => Promise<RedriveOutcome>;
  /** Called once per message as it is moved or kept. */
  onProgress?: (event: { moved: Moved } | { kept: Kept }) => void;
}

/**
 * Receives the DLQ's messages (hidden while in hand), sends each to its destination and deletes it from the DLQ
 * only once that succeeded. Messages that could not be moved are handed back at the end. Messages this run sent
 * that land in the DLQ again during the run are not taken a second time.
 */
export const redrive = async (ctx: DlqContext, directory: QueueDirectory, dlq: DlqEntry, options: RedriveOptions): Promise<RedriveResult> => {
  const url = await directory.get(dlq.name);
  const result: RedriveResult = { dlq, moved: [], kept: [], left: 0 };
  const seen = new Set<string>();
  const handBack: Message[] = [];
  const hold = dlq.kind === 'publisher' ? REDRIVE_HOLD_SECONDS.publisher : REDRIVE_HOLD_SECONDS.queue;
  const expected = (await queueCounts(ctx, url)).visible;
  const replay =
    options.replay ??
    (async (): Promise<RedriveOutcome> => ({ ok: false, reason: 'a publisher batch is replayed from the table stream: use `npm run dlq -- redrive publisher`' }));
  const timeLeft = () => options.deadline === undefined || Date.now() < options.deadline;
  try {
    const done = () => result.moved.length + result.kept.length;
    while (done() < options.max && expected > 0 && timeLeft()) {
      // While more are expected, long-poll for exactly those (returns at once); then one short last look.
      const remaining = expected - done();
      const batch = await receive(ctx, url, {
        max: Math.min(options.max - done(), remaining > 0 ? remaining : 10),
        visibilityTimeout: hold,
        waitTimeSeconds: remaining > 0 ? 1 : 0,
      });
      const fresh = batch.filter((m) => !seen.has(m.MessageId!));
      handBack.push(...batch.filter((m) => seen.has(m.MessageId!)));
      if (fresh.length === 0) break;
      for (const [index, message] of fresh.entries()) {
        if (done() >= options.max || !timeLeft()) {
          // Received but not to be handled in this run: straight back.
          handBack.push(...fresh.slice(index));
          break;
        }
        seen.add(message.MessageId!);
        const outcome: RedriveOutcome = dlq.kind === 'publisher' ? await replay(message) : await sendBack(ctx, directory, dlq, message);
        if (!outcome.ok) {
          handBack.push(message);
          const kept = { messageId: message.MessageId!, reason: outcome.reason };
          result.kept.push(kept);
          options.onProgress?.({ kept });
          continue;
        }
        if (outcome.sentId) seen.add(outcome.sentId);
        try {
          await ctx.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle! }));
        } catch (error) {
          const kept = {
            messageId: message.MessageId!,
            reason: `delivered to ${outcome.to}, but deleting it from the DLQ failed (${(error as Error).message}): it will be redriven again next time (consumers are idempotent on the event id)`,
          };
          result.kept.push(kept);
          options.onProgress?.({ kept });
          continue;
        }
        const moved = { messageId: message.MessageId!, to: outcome.to, what: outcome.what };
        result.moved.push(moved);
        options.onProgress?.({ moved });
      }
    }
  } finally {
    await release(ctx, url, handBack);
  }
  result.left = messagesIn(await queueCounts(ctx, url));
  return result;
};
