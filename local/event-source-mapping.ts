// Drives an SQS consumer the way Lambda's SQS event source mapping does with ReportBatchItemFailures:
// long-poll the queue, gather up to `batchSize` messages within the batching window, hand them to the
// function as a Lambda SQS event, then delete every message except the ones the function reported in
// `batchItemFailures`. A function that throws, or answers with a response Lambda would not accept, fails
// the whole batch: nothing is deleted. What is not deleted comes back after the queue's visibility
// timeout, and the queue's redrive policy moves it to the DLQ after maxReceiveCount receives. It never
// calls ChangeMessageVisibility (local-aws-sqs counts that as a receive).
//
// One batch at a time per mapping (Lambda would scale pollers out; locally order and load stay simple).
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';

export interface SqsEventSourceMappingOptions {
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  /** Messages per invocation (1–10000, as the mapping's BatchSize). */
  batchSize: number;
  /** How long to keep gathering once the first message of a batch arrived (MaximumBatchingWindowInSeconds). */
  maxBatchingWindowSeconds: number;
  /** Runs the function; its result is read as an SQS batch response. */
  invoke: (event: SQSEvent) => Promise<unknown>;
  /** Long-poll wait of an empty queue (1–20 s; default 1). */
  waitTimeSeconds?: number;
  /** Where problems are reported (default console.error). */
  log?: (message: string, error?: unknown) => void;
}

export interface SqsEventSourceMapping {
  /** Ends the polling (an open long poll is aborted); a batch being processed finishes first. */
  stop(): Promise<void>;
  /**
   * Resolves once a poll that began after this call found the queue empty (so every message sent
   * before the call has been handed to the function and deleted, or is invisible after a failure).
   * Resolves at once when stopped.
   */
  idle(): Promise<void>;
}

/** What the function's result means for the batch (Lambda's documented success and failure conditions). */
export type BatchOutcome = { failed: 'all'; reason: string } | { failed: Set<string> };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads a function's response like Lambda with ReportBatchItemFailures. Complete success: no response,
 * an empty response, a null or empty batchItemFailures list. Complete failure: a response that is not
 * JSON (or not an object), an itemIdentifier that is empty, null, missing (a bad key name) or not the id
 * of a message in the batch.
 */
export const batchOutcome = (result: unknown, messageIds: ReadonlySet<string>): BatchOutcome => {
  let response: unknown;
  try {
    // What crosses the wire: the function's result as JSON.
    const json = JSON.stringify(result);
    response = json === undefined ? null : JSON.parse(json);
  } catch (error) {
    return { failed: 'all', reason: `the response is not valid JSON (${(error as Error).message})` };
  }
  if (response === null) return { failed: new Set() };
  if (!isObject(response)) return { failed: 'all', reason: 'the response is not a JSON object' };
  const failures = response.batchItemFailures;
  if (failures === undefined || failures === null) return { failed: new Set() };
  if (!Array.isArray(failures)) return { failed: 'all', reason: 'batchItemFailures is not a list' };
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = isObject(failure) ? failure.itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '') return { failed: 'all', reason: `a batch item failure has no itemIdentifier: ${JSON.stringify(failure)}` };
    if (!messageIds.has(id)) return { failed: 'all', reason: `itemIdentifier ${id} is not the id of a message in the batch` };
    failed.add(id);
  }
  return { failed };
};

const base64 = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes).toString('base64'));

const messageAttributes = (attributes: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes =>
  Object.fromEntries(
    Object.entries(attributes ?? {}).map(([name, a]) => [
      name,
      {
        ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
        ...(a.BinaryValue !== undefined ? { binaryValue: base64(a.BinaryValue) } : {}),
        stringListValues: a.StringListValues ?? [],
        binaryListValues: (a.BinaryListValues ?? []).map((b) => base64(b)!),
        dataType: a.DataType ?? 'String',
      },
    ]),
  );

/** One received message as Lambda puts it in the event. */
export const sqsRecord = (message: Message, queueArn: string): SQSRecord => {
  const attributes = (message.Attributes ?? {}) as Record<string, string>;
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ...attributes,
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: messageAttributes(message.MessageAttributes),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3] ?? '',
  };
};

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });

export const startSqsEventSourceMapping = (options: SqsEventSourceMappingOptions): SqsEventSourceMapping => {
  const { client, queueUrl, queueArn } = options;
  const batchSize = options.batchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new Error(`batchSize must be 1–10000 (got ${batchSize}).`);
  const windowMs = Math.max(0, options.maxBatchingWindowSeconds) * 1000;
  const waitTimeSeconds = Math.min(20, Math.max(1, Math.round(options.waitTimeSeconds ?? 1)));
  const log = options.log ?? ((message: string, error?: unknown) => console.error(`[sqs-mapping] ${message}`, ...(error === undefined ? [] : [error])));
  const queueName = queueArn.slice(queueArn.lastIndexOf(':') + 1);

  const abort = new AbortController();
  let pollsStarted = 0;
  let idleWaiters: { after: number; resolve: () => void }[] = [];

  const receive = async (max: number, wait: number): Promise<Message[]> => {
    const { Messages } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: wait,
        AttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: abort.signal },
    );
    return Messages ?? [];
  };

  /**
   * Waits for a first message, then gathers up to batchSize until the batching window (counted from
   * that first message) closes. The long poll asks for one message: local-aws-sqs holds a long poll
   * open until it has MaxNumberOfMessages or the wait ends, so asking for more would delay the first
   * message by the whole wait; the rest of the batch comes from short polls of up to 10.
   */
  const gather = async (): Promise<Message[]> => {
    const poll = ++pollsStarted;
    const first = await receive(1, waitTimeSeconds);
    if (first.length === 0) {
      const waiting = idleWaiters;
      idleWaiters = waiting.filter((w) => w.after >= poll);
      for (const w of waiting) if (w.after < poll) w.resolve();
      return [];
    }
    // Keyed by message id: a message that became visible again while gathering counts once, with
    // its newest receipt handle (the one a delete needs).
    const batch = new Map(first.map((m) => [m.MessageId!, m]));
    const deadline = Date.now() + windowMs;
    // At least one more receive even without a window: Lambda hands over what one poll of 10 returns.
    do {
      if (batch.size >= batchSize || abort.signal.aborted) break;
      let more: Message[];
      try {
        more = await receive(batchSize - batch.size, 0);
      } catch (error) {
        // The messages in hand are handed over; a broken queue shows again on the next long poll.
        if (!abort.signal.aborted) log(`${queueName}: ReceiveMessage failed while gathering a batch`, error);
        break;
      }
      for (const m of more) batch.set(m.MessageId!, m);
      if (more.length === 0 && Date.now() < deadline) await sleep(Math.min(100, deadline - Date.now()), abort.signal);
    } while (Date.now() < deadline);
    return [...batch.values()];
  };

  const deleteMessages = async (messages: Message[]) => {
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      try {
        const { Failed } = await client.send(
          new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! })) }),
        );
        for (const f of Failed ?? []) log(`${queueName}: could not delete message ${chunk[Number(f.Id)]?.MessageId} (${f.Code}: ${f.Message}); it will be delivered again`);
      } catch (error) {
        log(`${queueName}: could not delete ${chunk.length} processed message(s); they will be delivered again`, error);
      }
    }
  };

  const handleBatch = async (batch: Message[]) => {
    const event: SQSEvent = { Records: batch.map((m) => sqsRecord(m, queueArn)) };
    let outcome: BatchOutcome;
    try {
      const result = await options.invoke(JSON.parse(JSON.stringify(event)) as SQSEvent);
      outcome = batchOutcome(result, new Set(batch.map((m) => m.MessageId!)));
      if (outcome.failed === 'all') log(`${queueName}: the function's response fails the whole batch of ${batch.length}: ${outcome.reason}`);
    } catch (error) {
      outcome = { failed: 'all', reason: 'the function failed' };
      log(`${queueName}: the function failed on a batch of ${batch.length}; the messages will be delivered again after the visibility timeout`, error);
    }
    if (outcome.failed === 'all') return;
    const failed = outcome.failed;
    await deleteMessages(batch.filter((m) => !failed.has(m.MessageId!)));
  };

  const loop = (async () => {
    while (!abort.signal.aborted) {
      let batch: Message[];
      try {
        batch = await gather();
      } catch (error) {
        if (abort.signal.aborted) break;
        log(`${queueName}: ReceiveMessage failed; retrying in 1 s`, error);
        await sleep(1000, abort.signal);
        continue;
      }
      // A batch gathered when stop() came is still handed over: its messages were received already.
      if (batch.length > 0) await handleBatch(batch);
    }
    for (const w of idleWaiters) w.resolve();
    idleWaiters = [];
  })();

  return {
    stop: async () => {
      abort.abort();
      await loop;
    },
    idle: () =>
      abort.signal.aborted
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            idleWaiters.push({ after: pollsStarted, resolve });
          }),
  };
};
