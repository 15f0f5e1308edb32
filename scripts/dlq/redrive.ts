// Moving parked messages back to where they came from, at least once and no more than that: a message
// leaves its DLQ only after its destination has accepted it.
import { DeleteMessageCommand, SendMessageCommand, type Message, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import { queueName, queues } from '#shared/events/queues';
import { EVENTBRIDGE_DLQ_ATTRIBUTES, receive, release, targetQueueOf, view } from './messages.ts';
import { replayBatch } from './replay.ts';
import { explainSdkError } from './problem.ts';
import { queueCounts, type DlqEntry, type QueueDirectory, type Target } from './target.ts';

/**
 * How long a message being redriven stays hidden in its DLQ: time to send (or replay) and delete it. If the
 * command dies midway the message comes back after this, to be redriven again; nothing is lost.
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

type Outcome = { ok: true; to: string; what: string; sentId?: string } | { ok: false; reason: string };

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
const destinationOf = (target: Target, dlq: DlqEntry, message: Message): { queue: string } | { problem: string } => {
  if (dlq.kind === 'queue') return { queue: dlq.source! };
  const attributes = Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']));
  const name = targetQueueOf(attributes);
  if (!name) return { problem: 'it has no TARGET_ARN attribute, so its rule target is unknown' };
  const ours = queues.map((q) => queueName(target.queuePrefix, q.name));
  if (!ours.includes(name)) return { problem: `its TARGET_ARN names ${name}, which is not one of this stack's event queues (${ours.join(', ')})` };
  return { queue: name };
};

const sendBack = async (target: Target, directory: QueueDirectory, dlq: DlqEntry, message: Message): Promise<Outcome> => {
  const destination = destinationOf(target, dlq, message);
  if ('problem' in destination) return { ok: false, reason: destination.problem };
  let url: string;
  try {
    url = await directory.get(destination.queue);
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  try {
    const sent = await target.sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: message.Body!,
        // The rule-targets DLQ's own attributes describe the failed delivery; the queue never had them.
        MessageAttributes: sendable(message.MessageAttributes, dlq.kind === 'rule-targets' ? EVENTBRIDGE_DLQ_ATTRIBUTES : []),
      }),
    );
    return { ok: true, to: destination.queue, what: view(dlq, message).headline, sentId: sent.MessageId };
  } catch (error) {
    return { ok: false, reason: `SendMessage to ${destination.queue} failed: ${(explainSdkError(error, { kind: target.kind, label: target.label }) as Error).message}` };
  }
};

export interface RedriveOptions {
  /** At most this many messages (default: all). */
  max: number;
  /** Called once per message as it is moved or kept. */
  onProgress?: (event: { moved: Moved } | { kept: Kept }) => void;
}

/**
 * Receives the DLQ's messages (hidden while in hand), sends each to its destination and deletes it from the DLQ
 * only once that succeeded. Messages that could not be moved are handed back at the end. Messages this run sent
 * that land in the DLQ again during the run are not taken a second time.
 */
export const redrive = async (target: Target, directory: QueueDirectory, dlq: DlqEntry, options: RedriveOptions): Promise<RedriveResult> => {
  const url = await directory.get(dlq.name);
  const result: RedriveResult = { dlq, moved: [], kept: [], left: 0 };
  const seen = new Set<string>();
  const handBack: Message[] = [];
  const hold = dlq.kind === 'publisher' ? REDRIVE_HOLD_SECONDS.publisher : REDRIVE_HOLD_SECONDS.queue;
  const expected = (await queueCounts(target, url)).visible;
  try {
    const done = () => result.moved.length + result.kept.length;
    while (done() < options.max && expected > 0) {
      // While more are expected, long-poll for exactly those (returns at once); then one short last look.
      const remaining = expected - done();
      const batch = await receive(target, url, {
        max: Math.min(options.max - done(), remaining > 0 ? remaining : 10),
        visibilityTimeout: hold,
        waitTimeSeconds: remaining > 0 ? 1 : 0,
      });
      const fresh = batch.filter((m) => !seen.has(m.MessageId!));
      handBack.push(...batch.filter((m) => seen.has(m.MessageId!)));
      if (fresh.length === 0) break;
      for (const message of fresh.slice(0, options.max - done())) {
        seen.add(message.MessageId!);
        const outcome: Outcome = dlq.kind === 'publisher' ? await replayBatch(target, message) : await sendBack(target, directory, dlq, message);
        if (!outcome.ok) {
          handBack.push(message);
          const kept = { messageId: message.MessageId!, reason: outcome.reason };
          result.kept.push(kept);
          options.onProgress?.({ kept });
          continue;
        }
        if (outcome.sentId) seen.add(outcome.sentId);
        try {
          await target.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle! }));
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
    await release(target, url, handBack);
  }
  const counts = await queueCounts(target, url);
  result.left = counts.visible + counts.inFlight;
  return result;
};
