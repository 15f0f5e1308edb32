// The local stand-in for a Lambda event source mapping on the table's DynamoDB stream: polls DynamoDB
// Local's stream and hands batches to a handler the way Lambda does (event shape, batching, partial
// batch responses, bisect on error, retries with backoff, maximum record age, on-failure destination
// record), with the figures of OUTBOX_MAPPING (shared/events/outbox.ts). Records of one shard are handed
// over in order, one batch at a time; shards are read in parallel, a child only after its parent.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
  type AttributeValue as StreamAttributeValue,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent, StreamRecord } from 'aws-lambda';
import { OUTBOX_MAPPING } from '#shared/events/outbox';
import { matches, type EventPattern } from '#shared/events/pattern-matcher';
import { functionId } from '#shared/routes';
import { LOCAL_ACCOUNT_ID } from '#local/lambda';

/** The event source mapping figures the poller honours (OUTBOX_MAPPING has this shape). */
export interface StreamMappingConfig {
  /** The function's handler path; names the function in on-failure records (`taskwell-<functionId>`). */
  readonly handler?: string;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  /** Retries of a failing batch; -1 = until the records exceed their maximum age. */
  readonly retryAttempts: number;
  /** Records older than this are not sent (nor retried) but go to onFailure; -1 = no limit. */
  readonly maxRecordAgeSeconds: number;
  readonly bisectBatchOnError: boolean;
  /** Filter criteria: only records that match one of these patterns are handed over (the others are skipped). */
  readonly filters?: readonly object[];
}

/** What Lambda sends to a stream event source mapping's on-failure destination (SQS/SNS). */
export interface StreamOnFailureRecord {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
    approximateInvokeCount: number;
  };
  responseContext: {
    statusCode: number;
    executedVersion: string;
    functionError?: 'Unhandled';
  };
  version: '1.0';
  timestamp: string;
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
}

export interface StreamPollerOptions {
  dynamoEndpoint: string;
  tableName: string;
  /** Goes into each record's awsRegion. Default us-east-1. */
  region?: string;
  mapping?: StreamMappingConfig;
  /** The function. Resolving is success (a `batchItemFailures` answer is honoured); rejecting is a function error. */
  invoke: (event: DynamoDBStreamEvent, context: { requestId: string }) => Promise<DynamoDBBatchResponse | void | unknown>;
  /** The on-failure destination. Retried (the shard waits) until it succeeds. */
  onFailure: (record: StreamOnFailureRecord) => Promise<void>;
  /** JSON file of the last processed sequence number per shard; a restarted poller resumes after them. */
  checkpointFile?: string;
  /**
   * When the function only hands records on (the publisher puts events into queues that live in memory), a
   * processed record is not yet safe: the checkpoint file may only move past it once whatever it produced has
   * been consumed. `settled` answers whether everything handed on before the call has been consumed (or
   * parked); the file is written with the position as of a call that answered true. Omitted: the file follows
   * the position at once.
   */
  settled?: () => Promise<boolean>;
  /** How often a position ahead of the file is confirmed through `settled`. Default 250 ms. */
  settleIntervalMs?: number;
  /** Wait between reads of a shard at its end. Default 200 ms (Lambda polls 4 times a second). */
  pollIntervalMs?: number;
  /** Exponential backoff between retries of a failing batch: base · 2^(n-1), at most max. Default 100 / 5000 ms. */
  retryBackoffMs?: { base: number; max: number };
  /** How often DescribeStream is asked for new shards. Default 5000 ms. */
  shardDiscoveryIntervalMs?: number;
  /** requestContext.functionArn of on-failure records. Default: the local function named after mapping.handler. */
  functionArn?: string;
  log?: (message: string) => void;
}

export interface StreamPoller {
  readonly streamArn: string;
  /** Stops polling, waits for the batch being handed over, saves the checkpoint (once settled) and releases the clients. */
  stop(): Promise<void>;
  /** Resolves when every shard has been read to its end (as of this call) and no batch is pending or in flight. */
  idle(): Promise<void>;
}

/** Lambda's synchronous invocation payload limit. */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
const GET_RECORDS_LIMIT = 1000;

class Stopped extends Error {
  constructor() {
    super('stream poller stopped');
    this.name = 'Stopped';
  }
}

// ---------------------------------------------------------------------------------------------------
// The Lambda event, built from the stream records as Lambda builds it.

/** Binary attributes travel as base64 in Lambda events (the SDK hands them over as bytes). */
const toLambdaValue = (value: StreamAttributeValue): AttributeValue => {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaValue) };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  throw new Error(`unsupported attribute value ${JSON.stringify(value)}`);
};

const toLambdaImage = (image: Record<string, StreamAttributeValue>): Record<string, AttributeValue> =>
  Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toLambdaValue(value)]));

/** Epoch seconds, as in Lambda events (the SDK parses the stream's value into a Date). */
const creationSeconds = (record: _Record): number | undefined => {
  const at = record.dynamodb?.ApproximateCreationDateTime;
  return at ? Math.floor(at.getTime() / 1000) : undefined;
};

export const toLambdaRecord = (record: _Record, region: string, streamArn: string): DynamoDBRecord => {
  const source = record.dynamodb ?? {};
  const dynamodb: StreamRecord = {};
  const created = creationSeconds(record);
  if (created !== undefined) dynamodb.ApproximateCreationDateTime = created;
  if (source.Keys) dynamodb.Keys = toLambdaImage(source.Keys);
  if (source.NewImage) dynamodb.NewImage = toLambdaImage(source.NewImage);
  if (source.OldImage) dynamodb.OldImage = toLambdaImage(source.OldImage);
  if (source.SequenceNumber !== undefined) dynamodb.SequenceNumber = source.SequenceNumber;
  if (source.SizeBytes !== undefined) dynamodb.SizeBytes = source.SizeBytes;
  if (source.StreamViewType !== undefined) dynamodb.StreamViewType = source.StreamViewType;
  const out: DynamoDBRecord = {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb,
    eventSourceARN: streamArn,
  };
  // TTL deletions carry the service principal (Lambda spells the keys in lower camel case).
  if (record.userIdentity) out.userIdentity = { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId };
  return out;
};

const sequenceOf = (record: _Record): string => record.dynamodb?.SequenceNumber ?? '';

/** "2019-11-14T00:13:19Z", as in Lambda's DDBStreamBatchInfo. */
const arrival = (record: _Record): string => {
  const seconds = creationSeconds(record);
  return seconds === undefined ? '' : new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
};

// ---------------------------------------------------------------------------------------------------
// Checkpoints: { streamArn, shards: { <shardId>: <last processed sequence number> } }, written atomically.

interface CheckpointFile {
  streamArn: string;
  shards: Record<string, string>;
}

const readCheckpoints = async (file: string, streamArn: string, log: (m: string) => void): Promise<Map<string, string>> => {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  try {
    const saved = JSON.parse(text) as Partial<CheckpointFile>;
    if (saved.streamArn !== streamArn) {
      log(`checkpoint ${file} belongs to stream ${saved.streamArn ?? '(none)'}, not ${streamArn}: reading the stream from its trim horizon`);
      return new Map();
    }
    return new Map(Object.entries(saved.shards ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    log(`checkpoint ${file} is not valid JSON: reading the stream from its trim horizon (records may be delivered again)`);
    return new Map();
  }
};

// ---------------------------------------------------------------------------------------------------

type Outcome = { kind: 'success' } | { kind: 'partial'; index: number } | { kind: 'error'; functionError: boolean; message: string };

interface ShardState {
  shard: Shard;
  status: 'waiting' | 'running' | 'finished';
  /** Records read but not yet handed over. */
  pending: number;
  delivering: boolean;
  /** The idle epoch at the start of the last read that found the shard at its end. */
  emptyReadEpoch: number;
  worker?: Promise<void>;
}

const errorName = (error: unknown): string => (error as { name?: string })?.name ?? '';
const describe = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

class Poller implements StreamPoller {
  private running = true;
  private readonly aborter = new AbortController();
  private readonly sleepers = new Set<() => void>();
  private readonly shards = new Map<string, ShardState>();
  private readonly idleWaiters: { epoch: number; resolve: () => void }[] = [];
  private idleEpoch = 0;
  private discoveryEpoch = -1;
  private discovery?: Promise<void>;
  private saving: Promise<void> = Promise.resolve();
  /** What the checkpoint file holds: the position as of the last time everything downstream had settled. */
  private readonly saved: Map<string, string>;
  private settling?: Promise<void>;
  private readonly mapping: StreamMappingConfig;
  private readonly region: string;
  private readonly pollIntervalMs: number;
  private readonly backoff: { base: number; max: number };
  private readonly discoveryIntervalMs: number;
  private readonly functionArn: string;
  private readonly log: (message: string) => void;

  constructor(
    private readonly options: StreamPollerOptions,
    private readonly streams: DynamoDBStreamsClient,
    readonly streamArn: string,
    private readonly checkpoints: Map<string, string>,
  ) {
    this.mapping = options.mapping ?? OUTBOX_MAPPING;
    this.region = options.region ?? 'us-east-1';
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.backoff = options.retryBackoffMs ?? { base: 100, max: 5000 };
    this.discoveryIntervalMs = options.shardDiscoveryIntervalMs ?? 5000;
    const name = this.mapping.handler ? `taskwell-${functionId(this.mapping.handler)}` : 'taskwell-stream-consumer';
    this.functionArn = options.functionArn ?? `arn:aws:lambda:${this.region}:${LOCAL_ACCOUNT_ID}:function:${name}`;
    this.log = options.log ?? ((message) => console.log(`[stream-poller] ${message}`));
    this.saved = new Map(checkpoints);
  }

  start(): void {
    this.discovery = this.discoverLoop();
    if (this.options.settled) this.settling = this.settleLoop();
  }

  // ---- the checkpoint file ------------------------------------------------------------------------

  private positionSaved(): boolean {
    if (this.saved.size !== this.checkpoints.size) return false;
    for (const [shardId, sequence] of this.checkpoints) if (this.saved.get(shardId) !== sequence) return false;
    return true;
  }

  /** Saves the position once `settled` confirms that what was handed over up to it has been consumed. */
  private async confirm(): Promise<void> {
    if (this.positionSaved()) return;
    const position = new Map(this.checkpoints);
    let settled = false;
    try {
      settled = await this.options.settled!();
    } catch (error) {
      this.log(`could not tell whether the published events were consumed (${describe(error)}); the checkpoint stays where it is`);
    }
    if (!settled) return;
    this.saved.clear();
    for (const [shardId, sequence] of position) this.saved.set(shardId, sequence);
    await this.save();
  }

  private async settleLoop(): Promise<void> {
    const interval = this.options.settleIntervalMs ?? 250;
    while (this.running) {
      await this.confirm();
      await new Promise<void>((resolve) => setTimeout(resolve, interval).unref());
    }
  }

  // ---- lifecycle ----------------------------------------------------------------------------------

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    this.aborter.abort();
    await this.discovery;
    await Promise.allSettled([...this.shards.values()].map((s) => s.worker));
    await this.settling;
    // Stopping cleanly: the position is saved if everything it covers has been consumed; otherwise a restart
    // hands those records over again (the consumers are idempotent on the event id).
    if (this.options.settled) await this.confirm();
    await this.saving;
    for (const waiter of this.idleWaiters.splice(0)) waiter.resolve();
    this.streams.destroy();
  }

  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    const epoch = ++this.idleEpoch;
    const done = new Promise<void>((resolve) => this.idleWaiters.push({ epoch, resolve }));
    this.wake();
    return done;
  }

  /** Sleeps, unless stopped or woken (by idle() or a shard that closed). */
  private sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.sleepers.add(done);
    });
  }

  private wake(): void {
    for (const wake of [...this.sleepers]) wake();
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0) return;
    const busyAt = (epoch: number): boolean => {
      if (this.discoveryEpoch < epoch) return true;
      for (const state of this.shards.values()) {
        if (state.status === 'waiting' && this.parentDone(state.shard)) return true;
        if (state.status === 'running' && (state.pending > 0 || state.delivering || state.emptyReadEpoch < epoch)) return true;
      }
      return false;
    };
    for (const waiter of [...this.idleWaiters]) {
      if (!busyAt(waiter.epoch)) {
        this.idleWaiters.splice(this.idleWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  // ---- shards -------------------------------------------------------------------------------------

  private async discoverLoop(): Promise<void> {
    while (this.running) {
      const epoch = this.idleEpoch;
      try {
        await this.discover();
        this.discoveryEpoch = epoch;
        this.checkIdle();
        // idle() was called during this pass: it needs a pass that started after it.
        if (this.idleEpoch !== epoch) continue;
      } catch (error) {
        if (!this.running) break;
        this.log(`DescribeStream failed (${describe(error)}); trying again`);
      }
      await this.sleep(this.discoveryIntervalMs);
    }
  }

  private async discover(): Promise<void> {
    const shards: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
        { abortSignal: this.aborter.signal },
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    if (!this.running) return;

    for (const shard of shards) {
      if (shard.ShardId && !this.shards.has(shard.ShardId)) {
        this.shards.set(shard.ShardId, { shard, status: 'waiting', pending: 0, delivering: false, emptyReadEpoch: -1 });
      }
    }
    // Shards trimmed from the stream are forgotten, in memory and in the checkpoint file.
    const present = new Set(shards.map((s) => s.ShardId));
    let pruned = false;
    for (const shardId of [...this.checkpoints.keys(), ...this.saved.keys()]) {
      if (!present.has(shardId)) {
        this.checkpoints.delete(shardId);
        this.saved.delete(shardId);
        pruned = true;
      }
    }
    for (const [shardId, state] of this.shards) if (!present.has(shardId) && state.status !== 'running') this.shards.delete(shardId);
    if (pruned) await this.save();
    this.startReadyShards();
  }

  /** A parent that is finished, or no longer in the stream, no longer holds its children back. */
  private parentDone(shard: Shard): boolean {
    const parent = shard.ParentShardId ? this.shards.get(shard.ParentShardId) : undefined;
    return !parent || parent.status === 'finished';
  }

  private startReadyShards(): void {
    if (!this.running) return;
    for (const state of this.shards.values()) {
      if (state.status === 'waiting' && this.parentDone(state.shard)) {
        state.status = 'running';
        state.worker = this.runShard(state);
      }
    }
  }

  private async runShard(state: ShardState): Promise<void> {
    const shardId = state.shard.ShardId!;
    while (this.running) {
      try {
        await this.readShard(state);
        state.status = 'finished';
        this.log(`shard ${shardId} is closed and fully processed`);
        this.startReadyShards();
        void this.discoverSoon();
        this.checkIdle();
        return;
      } catch (error) {
        state.pending = 0;
        state.delivering = false;
        if (!this.running || error instanceof Stopped) return;
        if (errorName(error) === 'ResourceNotFoundException') {
          this.log(`shard ${shardId} is no longer in the stream`);
          state.status = 'finished';
          this.startReadyShards();
          this.checkIdle();
          return;
        }
        this.log(`reading shard ${shardId} failed (${describe(error)}); resuming after its checkpoint`);
        await this.sleep(Math.max(this.pollIntervalMs, 1000));
      }
    }
  }

  /** New child shards appear when a parent closes: look for them now instead of at the next interval. */
  private async discoverSoon(): Promise<void> {
    try {
      await this.discover();
    } catch (error) {
      if (this.running) this.log(`DescribeStream failed (${describe(error)})`);
    }
  }

  private async iteratorFor(shardId: string): Promise<string | undefined> {
    const after = this.checkpoints.get(shardId);
    const get = (type: 'AFTER_SEQUENCE_NUMBER' | 'TRIM_HORIZON') =>
      this.streams.send(
        new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shardId, ShardIteratorType: type, SequenceNumber: type === 'TRIM_HORIZON' ? undefined : after }),
        { abortSignal: this.aborter.signal },
      );
    if (after) {
      try {
        return (await get('AFTER_SEQUENCE_NUMBER')).ShardIterator;
      } catch (error) {
        if (errorName(error) !== 'TrimmedDataAccessException') throw error;
        this.log(`shard ${shardId}: records after checkpoint ${after} were trimmed from the stream before they were processed; continuing from the trim horizon`);
      }
    }
    return (await get('TRIM_HORIZON')).ShardIterator;
  }

  /** Reads the shard to its end, handing batches over; returns when the shard is closed and done. */
  private async readShard(state: ShardState): Promise<void> {
    const shardId = state.shard.ShardId!;
    const windowMs = Math.max(0, this.mapping.maxBatchingWindowSeconds * 1000);
    let iterator = await this.iteratorFor(shardId);
    const pending: _Record[] = [];
    let windowStart = 0;
    while (this.running) {
      // Read until a batch is full or the shard's current end.
      while (this.running && iterator && pending.length < this.mapping.batchSize) {
        const epoch = this.idleEpoch;
        let page;
        try {
          page = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: GET_RECORDS_LIMIT }), { abortSignal: this.aborter.signal });
        } catch (error) {
          if (!this.running) throw new Stopped();
          const name = errorName(error);
          if (name === 'ExpiredIteratorException') {
            // Records read but not handed over are read again after the checkpoint.
            pending.length = 0;
            state.pending = 0;
            iterator = await this.iteratorFor(shardId);
            continue;
          }
          if (name === 'TrimmedDataAccessException') {
            this.log(`shard ${shardId}: records were trimmed from the stream before they were processed; continuing from the trim horizon`);
            pending.length = 0;
            state.pending = 0;
            this.checkpoints.delete(shardId);
            iterator = await this.iteratorFor(shardId);
            continue;
          }
          throw error;
        }
        iterator = page.NextShardIterator;
        const records = page.Records ?? [];
        if (records.length === 0) {
          // An open shard read to its end is idle; a closed one is about to finish (and start its children).
          if (iterator) state.emptyReadEpoch = epoch;
          break;
        }
        // Event filtering, as Lambda does it: records no filter matches are dropped, never handed over.
        const kept = this.mapping.filters ? records.filter((record) => this.passesFilters(record)) : records;
        if (kept.length === 0) continue;
        if (pending.length === 0) windowStart = Date.now();
        pending.push(...kept);
        state.pending = pending.length;
      }
      if (!this.running) break;

      if (pending.length === 0) {
        if (!iterator) return;
        this.checkIdle();
        await this.sleep(this.pollIntervalMs);
        continue;
      }
      // Maximum batching window: a batch that is not full waits for more records, at most the window.
      const waited = Date.now() - windowStart;
      if (iterator && pending.length < this.mapping.batchSize && waited < windowMs) {
        await this.sleep(Math.min(this.pollIntervalMs, windowMs - waited));
        continue;
      }
      const batch = this.takeBatch(pending);
      state.pending = pending.length;
      state.delivering = true;
      try {
        await this.deliver(shardId, batch);
      } finally {
        state.delivering = false;
      }
      if (pending.length > 0) windowStart = Date.now();
      this.checkIdle();
    }
    throw new Stopped();
  }

  private passesFilters(record: _Record): boolean {
    const event = JSON.parse(JSON.stringify(toLambdaRecord(record, this.region, this.streamArn))) as Record<string, unknown>;
    return (this.mapping.filters ?? []).some((pattern) => matches(pattern as EventPattern, event));
  }

  /** Up to batchSize records, within Lambda's 6 MB payload (always at least one). */
  private takeBatch(pending: _Record[]): _Record[] {
    let count = 0;
    let bytes = 0;
    while (count < pending.length && count < this.mapping.batchSize) {
      const size = Buffer.byteLength(JSON.stringify(toLambdaRecord(pending[count]!, this.region, this.streamArn)));
      if (count > 0 && bytes + size > MAX_PAYLOAD_BYTES) break;
      bytes += size;
      count++;
    }
    return pending.splice(0, count);
  }

  // ---- handing over -------------------------------------------------------------------------------

  /** Hands `records` over until each is processed or given to onFailure (then checkpointed past). */
  private async deliver(shardId: string, records: _Record[]): Promise<void> {
    let batch = records;
    let retries = 0;
    let invocations = 0;
    let last: { requestId: string; functionError: boolean } | undefined;
    while (batch.length > 0) {
      if (!this.running) throw new Stopped();
      const expired = this.expiredPrefix(batch);
      if (expired > 0) {
        await this.fail(shardId, batch.slice(0, expired), 'RecordAgeExceeded', invocations, last);
        batch = batch.slice(expired);
        continue;
      }
      invocations++;
      const requestId = randomUUID();
      const outcome = await this.invokeOnce(batch, requestId);
      last = { requestId, functionError: outcome.kind === 'error' && outcome.functionError };
      if (outcome.kind === 'success') {
        await this.checkpoint(shardId, batch[batch.length - 1]!);
        return;
      }
      if (outcome.kind === 'partial') {
        this.log(`shard ${shardId}: batch of ${batch.length} reported a failure at ${sequenceOf(batch[outcome.index]!)}; retrying from that record`);
        if (outcome.index > 0) {
          await this.checkpoint(shardId, batch[outcome.index - 1]!);
          batch = batch.slice(outcome.index);
        }
      } else {
        this.log(`shard ${shardId}: batch ${sequenceOf(batch[0]!)}..${sequenceOf(batch[batch.length - 1]!)} (${batch.length}) failed: ${outcome.message}`);
        if (outcome.functionError && this.mapping.bisectBatchOnError && batch.length > 1) {
          // Splitting does not use up the retry quota: each half starts afresh, in order.
          const half = Math.ceil(batch.length / 2);
          await this.deliver(shardId, batch.slice(0, half));
          await this.deliver(shardId, batch.slice(half));
          return;
        }
      }
      retries++;
      if (this.mapping.retryAttempts >= 0 && retries > this.mapping.retryAttempts) {
        await this.fail(shardId, batch, 'RetryAttemptsExhausted', invocations, last);
        return;
      }
      await this.sleep(Math.min(this.backoff.max, this.backoff.base * 2 ** (retries - 1)));
    }
  }

  /** How many records at the head of the batch (the oldest) are older than the maximum record age. */
  private expiredPrefix(batch: _Record[]): number {
    const maxAge = this.mapping.maxRecordAgeSeconds;
    if (maxAge < 0) return 0;
    const now = Date.now() / 1000;
    let count = 0;
    while (count < batch.length) {
      const created = creationSeconds(batch[count]!);
      if (created === undefined || now - created <= maxAge) break;
      count++;
    }
    return count;
  }

  private async invokeOnce(batch: _Record[], requestId: string): Promise<Outcome> {
    const event: DynamoDBStreamEvent = { Records: batch.map((r) => toLambdaRecord(r, this.region, this.streamArn)) };
    let result: unknown;
    try {
      result = await this.options.invoke(event, { requestId });
    } catch (error) {
      return { kind: 'error', functionError: true, message: describe(error) };
    }
    const failures = (result as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
    if (failures === undefined || failures === null || (Array.isArray(failures) && failures.length === 0)) return { kind: 'success' };
    // As Lambda: a malformed answer, or an identifier that is not in the batch, fails the whole batch.
    if (!Array.isArray(failures)) return { kind: 'error', functionError: false, message: 'batchItemFailures is not a list' };
    let index = batch.length;
    for (const failure of failures) {
      const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
      const at = typeof id === 'string' && id !== '' ? batch.findIndex((r) => sequenceOf(r) === id) : -1;
      if (at < 0) return { kind: 'error', functionError: false, message: `batchItemFailures names ${JSON.stringify(id)}, which is not a sequence number of the batch` };
      index = Math.min(index, at);
    }
    return { kind: 'partial', index };
  }

  /** Sends the on-failure record (retrying until the destination takes it), logs it, checkpoints past the batch. */
  private async fail(
    shardId: string,
    batch: _Record[],
    condition: StreamOnFailureRecord['requestContext']['condition'],
    invocations: number,
    last: { requestId: string; functionError: boolean } | undefined,
  ): Promise<void> {
    const first = batch[0]!;
    const end = batch[batch.length - 1]!;
    const record: StreamOnFailureRecord = {
      requestContext: { requestId: last?.requestId ?? randomUUID(), functionArn: this.functionArn, condition, approximateInvokeCount: invocations },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', ...(last?.functionError ? { functionError: 'Unhandled' as const } : {}) },
      version: '1.0',
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: sequenceOf(first),
        endSequenceNumber: sequenceOf(end),
        approximateArrivalOfFirstRecord: arrival(first),
        approximateArrivalOfLastRecord: arrival(end),
        batchSize: batch.length,
        streamArn: this.streamArn,
      },
    };
    for (let attempt = 1; ; attempt++) {
      if (!this.running) throw new Stopped();
      try {
        await this.options.onFailure(record);
        break;
      } catch (error) {
        this.log(`shard ${shardId}: on-failure destination failed (${describe(error)}); trying again`);
        await this.sleep(Math.min(this.backoff.max, this.backoff.base * 2 ** (attempt - 1)));
      }
    }
    this.log(
      `shard ${shardId}: ${condition} after ${invocations} invocation(s): records ${record.DDBStreamBatchInfo.startSequenceNumber}..${record.DDBStreamBatchInfo.endSequenceNumber} (${batch.length}) sent to the on-failure destination`,
    );
    await this.checkpoint(shardId, end);
  }

  private async checkpoint(shardId: string, record: _Record): Promise<void> {
    this.checkpoints.set(shardId, sequenceOf(record));
    if (this.options.settled) return; // the settle loop saves it once its records have been consumed
    this.saved.set(shardId, sequenceOf(record));
    await this.save();
  }

  /** Writes the saved position to the checkpoint file atomically (temporary file + rename), one write at a time. */
  private save(): Promise<void> {
    const file = this.options.checkpointFile;
    if (!file) return Promise.resolve();
    const content: CheckpointFile = { streamArn: this.streamArn, shards: Object.fromEntries(this.saved) };
    const write = async () => {
      const tmp = `${file}.${process.pid}.tmp`;
      await mkdir(dirname(file), { recursive: true });
      await writeFile(tmp, `${JSON.stringify(content, null, 2)}\n`);
      await rename(tmp, file);
    };
    this.saving = this.saving.then(write).catch((error) => this.log(`writing checkpoint ${file} failed (${describe(error)})`));
    return this.saving;
  }
}

/**
 * Starts polling the table's stream. Resolves once the stream is found (the table must exist with its
 * stream enabled); shards are then discovered and read in the background.
 */
export const startStreamPoller = async (options: StreamPollerOptions): Promise<StreamPoller> => {
  const region = options.region ?? 'us-east-1';
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const dynamo = new DynamoDBClient({ endpoint: options.dynamoEndpoint, region, credentials });
  let streamArn: string | undefined;
  try {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: options.tableName }));
    streamArn = Table?.LatestStreamArn;
  } finally {
    dynamo.destroy();
  }
  if (!streamArn) throw new Error(`table ${options.tableName} has no stream: enable its stream (NEW_AND_OLD_IMAGES) first`);
  const log = options.log ?? ((message: string) => console.log(`[stream-poller] ${message}`));
  const checkpoints = options.checkpointFile ? await readCheckpoints(options.checkpointFile, streamArn, log) : new Map<string, string>();
  const streams = new DynamoDBStreamsClient({ endpoint: options.dynamoEndpoint, region, credentials });
  const poller = new Poller({ ...options, log }, streams, streamArn, checkpoints);
  poller.start();
  return poller;
};
