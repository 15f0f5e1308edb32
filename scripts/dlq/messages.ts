// Reading DLQ messages without consuming them, and saying what each one is.
import {
  ChangeMessageVisibilityBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import { explainSdkError } from './problem.ts';
import type { DlqEntry, Target } from './target.ts';

/**
 * How long a message received by `show` stays hidden before `show` hands it back (it does at the end, with
 * ChangeMessageVisibility 0). A peek must hide what it has read, or the next ReceiveMessage could return the
 * same messages again (local-aws-sqs does exactly that with VisibilityTimeout 0), and `--max` beyond 10 could
 * never be reached; if `show` dies midway, the messages come back on their own after this.
 */
export const PEEK_HOLD_SECONDS = 15;

/** The attributes EventBridge adds to an event it parks in a target's DLQ. */
export const EVENTBRIDGE_DLQ_ATTRIBUTES = ['RULE_ARN', 'TARGET_ARN', 'ERROR_CODE', 'ERROR_MESSAGE', 'EXHAUSTED_RETRY_CONDITION', 'RETRY_ATTEMPTS'] as const;

export interface ReceiveOptions {
  max: number;
  visibilityTimeout: number;
  waitTimeSeconds: number;
}

export const receive = async (target: Target, url: string, options: ReceiveOptions): Promise<Message[]> => {
  try {
    const { Messages = [] } = await target.sqs.send(
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
    throw explainSdkError(error, { kind: target.kind, label: target.label, endpoint: target.endpoints.sqs });
  }
};

/** Makes received messages visible again at once. */
export const release = async (target: Target, url: string, messages: readonly Message[]): Promise<void> => {
  for (let i = 0; i < messages.length; i += 10) {
    const chunk = messages.slice(i, i + 10);
    await target.sqs
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
export const peek = async (target: Target, url: string, max: number, expected: number): Promise<Message[]> => {
  const seen = new Map<string, Message>();
  const held: Message[] = [];
  try {
    while (seen.size < max && seen.size < expected) {
      const batch = await receive(target, url, { max: Math.min(max, expected) - seen.size, visibilityTimeout: PEEK_HOLD_SECONDS, waitTimeSeconds: 1 });
      held.push(...batch);
      const fresh = batch.filter((m) => !seen.has(m.MessageId!));
      if (fresh.length === 0) break;
      for (const m of fresh) seen.set(m.MessageId!, m);
    }
  } finally {
    await release(target, url, held);
  }
  return [...seen.values()];
};

// ---------------------------------------------------------------------------------------------------------
// Summaries

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

const parseBody = (body: string | undefined): unknown => {
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

export const renderView = (v: MessageView): string => {
  const lines: [string, string][] = [
    ['received', `${v.receiveCount} time${v.receiveCount === 1 ? '' : 's'} (first ${v.firstReceivedAt ?? '?'})`],
    ['sent', v.sentAt ?? '?'],
    ...v.summary,
  ];
  const width = Math.max(...lines.map(([k]) => k.length));
  return `message ${v.messageId}\n${lines.map(([k, value]) => `  ${k.padEnd(width)}  ${value}`).join('\n')}\n`;
};
