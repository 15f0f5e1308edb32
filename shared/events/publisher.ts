// Publishes the domain events of a batch of stream records to the bus, in order, retrying only the
// entries PutEvents reports as failed. If some still fail, the first record with a failed event is
// reported as a batch item failure: Lambda retries from there (and, after its retry budget, sends the
// batch to the on-failure destination) — an event is never dropped. Redeliveries are harmless: event
// ids derive from the stream record, and consumers are idempotent on them.
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { eventsFromChange, type StreamChange } from '#shared/events/mapper';
import { DomainEventSchema, EVENT_SOURCE } from '#shared/events/schemas';

/** What the publisher needs from EventBridge: one PutEvents call (≤ 10 entries). */
export type PutEvents = (entries: PutEventsRequestEntry[]) => Promise<{ FailedEntryCount?: number; Entries?: { ErrorCode?: string; ErrorMessage?: string }[] }>;

export interface StreamRecordLike {
  sequenceNumber: string;
  change: StreamChange;
}

export interface PublishOptions {
  busName: string;
  putEvents: PutEvents;
  /** Attempts for entries that keep failing (the first try included). */
  attempts?: number;
  /** Wait before retry n (1-based); exponential by default. */
  backoffMs?: (retry: number) => number;
}

export interface PublishResult {
  published: number;
  /** The stream record to retry from, when some event could not be published. */
  failedSequenceNumber?: string;
}

const MAX_ENTRIES = 10;
const MAX_BYTES = 256 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Pending {
  entry: PutEventsRequestEntry;
  record: number;
}

const entrySize = (entry: PutEventsRequestEntry) => Buffer.byteLength(`${entry.Source}${entry.DetailType}${entry.Detail}`, 'utf8');

/** Splits entries into PutEvents-sized chunks (≤ 10 entries, ≤ 256 KB). */
const chunks = (pending: Pending[]): Pending[][] => {
  const out: Pending[][] = [];
  let current: Pending[] = [];
  let bytes = 0;
  for (const p of pending) {
    const size = entrySize(p.entry);
    if (current.length === MAX_ENTRIES || (current.length > 0 && bytes + size > MAX_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(p);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
};

/** Puts one chunk, retrying only the failed entries; answers those that still failed. */
const putWithRetries = async (chunk: Pending[], options: PublishOptions): Promise<Pending[]> => {
  const attempts = options.attempts ?? 4;
  const backoff = options.backoffMs ?? ((n: number) => 50 * 2 ** (n - 1));
  let remaining = chunk;
  for (let attempt = 1; attempt <= attempts && remaining.length > 0; attempt++) {
    if (attempt > 1) await sleep(backoff(attempt - 1));
    try {
      const output = await options.putEvents(remaining.map((p) => p.entry));
      if (!output.FailedEntryCount) return [];
      remaining = remaining.filter((_, i) => output.Entries?.[i]?.ErrorCode !== undefined);
    } catch {
      // The SDK already retried throttling and network errors; try the whole chunk again.
    }
  }
  return remaining;
};

export const publishChanges = async (records: StreamRecordLike[], options: PublishOptions): Promise<PublishResult> => {
  const pending: Pending[] = records.flatMap((record, index) =>
    eventsFromChange(record.change).map((event) => ({
      record: index,
      entry: {
        EventBusName: options.busName,
        Source: EVENT_SOURCE,
        DetailType: event.type,
        Time: new Date(event.occurredAt),
        Detail: JSON.stringify(DomainEventSchema.parse(event)),
      },
    })),
  );
  let published = 0;
  for (const chunk of chunks(pending)) {
    const failed = await putWithRetries(chunk, options);
    published += chunk.length - failed.length;
    if (failed.length > 0) {
      const first = Math.min(...failed.map((p) => p.record));
      return { published, failedSequenceNumber: records[first]!.sequenceNumber };
    }
  }
  return { published };
};
