// Replaying a publisher DLQ message: the message is Lambda's on-failure record of a stream batch, which names
// the batch (shard and sequence range) but does not contain it. The records are read back from the table's
// stream (kept 24 h) and handed to the publisher function as the DynamoDB stream event Lambda would have sent.
import { GetRecordsCommand, GetShardIteratorCommand, type _Record, type AttributeValue } from '@aws-sdk/client-dynamodb-streams';
import type { Message } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { streamBatchInfo, type StreamBatchInfo } from './messages.ts';
import { explainSdkError } from './problem.ts';
import type { Target } from './target.ts';

/** Empty GetRecords pages in a row after which the rest of the batch is taken to be gone. */
const MAX_EMPTY_PAGES = 20;

type Outcome = { ok: true; to: string; what: string } | { ok: false; reason: string };

/** Stream records as Lambda delivers them: binary values base64, the creation time in epoch seconds. */
const eventValue = (value: AttributeValue): unknown => {
  const v = value as unknown as Record<string, unknown>;
  if (v.B instanceof Uint8Array) return { B: Buffer.from(v.B).toString('base64') };
  if (Array.isArray(v.BS)) return { BS: (v.BS as Uint8Array[]).map((b) => Buffer.from(b).toString('base64')) };
  if (v.M && typeof v.M === 'object') return { M: eventImage(v.M as Record<string, AttributeValue>) };
  if (Array.isArray(v.L)) return { L: (v.L as AttributeValue[]).map(eventValue) };
  const { $unknown: _ignored, ...rest } = v;
  return rest;
};

const eventImage = (image: Record<string, AttributeValue> | undefined) =>
  image ? Object.fromEntries(Object.entries(image).map(([k, v]) => [k, eventValue(v)])) : undefined;

export const toLambdaRecord = (record: _Record, streamArn: string): DynamoDBRecord => {
  const d = record.dynamodb ?? {};
  const created = d.ApproximateCreationDateTime;
  const out: Record<string, unknown> = {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: record.eventSource ?? 'aws:dynamodb',
    awsRegion: record.awsRegion,
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: new Date(created).getTime() / 1000 } : {}),
      Keys: eventImage(d.Keys),
      ...(d.NewImage ? { NewImage: eventImage(d.NewImage) } : {}),
      ...(d.OldImage ? { OldImage: eventImage(d.OldImage) } : {}),
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType,
    },
    eventSourceARN: streamArn,
  };
  if (record.userIdentity) out.userIdentity = { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId };
  return out as DynamoDBRecord;
};

class NotReplayable extends Error {}

/** The batch's records, from the stream: AT_SEQUENCE_NUMBER start, up to and including end. */
export const readBatch = async (target: Target, info: StreamBatchInfo): Promise<_Record[]> => {
  const end = BigInt(info.endSequenceNumber);
  let iterator: string | undefined;
  try {
    ({ ShardIterator: iterator } = await target.streams.send(
      new GetShardIteratorCommand({ StreamArn: info.streamArn, ShardId: info.shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: info.startSequenceNumber }),
    ));
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TrimmedDataAccessException') {
      throw new NotReplayable('its records are older than the stream keeps (24 h) and are gone; the changes themselves are in the table, but their events cannot be rebuilt from the stream');
    }
    if (name === 'ResourceNotFoundException') {
      throw new NotReplayable(`the stream or shard no longer exists (${(error as Error).message}); was the table or its stream recreated?`);
    }
    throw explainSdkError(error, { kind: target.kind, label: target.label, endpoint: target.endpoints.dynamo });
  }
  const records: _Record[] = [];
  let empty = 0;
  while (iterator) {
    const page = await target.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    const got = page.Records ?? [];
    empty = got.length === 0 ? empty + 1 : 0;
    for (const record of got) {
      if (BigInt(record.dynamodb?.SequenceNumber ?? '0') > end) return records;
      records.push(record);
      if (BigInt(record.dynamodb?.SequenceNumber ?? '0') === end) return records;
    }
    if (empty >= MAX_EMPTY_PAGES) break;
    iterator = page.NextShardIterator;
  }
  return records;
};

/** Replays the batch a publisher DLQ message names by invoking the publisher with it. */
export const replayBatch = async (target: Target, message: Message): Promise<Outcome> => {
  let body: unknown;
  try {
    body = JSON.parse(message.Body ?? '');
  } catch {
    body = undefined;
  }
  const info = streamBatchInfo(body);
  if (!info) return { ok: false, reason: 'it is not a Lambda on-failure record (no DDBStreamBatchInfo with shardId, sequence numbers and streamArn)' };

  let records: _Record[];
  try {
    records = await readBatch(target, info);
  } catch (error) {
    if (error instanceof NotReplayable) return { ok: false, reason: error.message };
    throw error;
  }
  const first = records[0]?.dynamodb?.SequenceNumber;
  const last = records.at(-1)?.dynamodb?.SequenceNumber;
  const same = (a: string | undefined, b: string) => a !== undefined && BigInt(a) === BigInt(b);
  if (!same(first, info.startSequenceNumber) || !same(last, info.endSequenceNumber)) {
    return {
      ok: false,
      reason: `the stream no longer holds the whole batch ${info.startSequenceNumber} … ${info.endSequenceNumber} (found ${records.length} records${first ? ` from ${first} to ${last}` : ''}); records older than 24 h are trimmed`,
    };
  }

  const event: DynamoDBStreamEvent = { Records: records.map((r) => toLambdaRecord(r, info.streamArn)) };
  const { InvokeCommand } = await import('@aws-sdk/client-lambda');
  const lambda = await target.lambda();
  let answer;
  try {
    answer = await lambda.send(new InvokeCommand({ FunctionName: target.publisherFunction, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(event)) }));
  } catch (error) {
    const explained = explainSdkError(error, { kind: target.kind, label: target.label, endpoint: target.endpoints.lambda });
    return { ok: false, reason: `invoking ${target.publisherFunction} failed: ${(explained as Error).message}` };
  }
  const payloadText = answer.Payload ? Buffer.from(answer.Payload).toString('utf8') : '';
  if (answer.FunctionError) {
    let detail = payloadText;
    try {
      const parsed = JSON.parse(payloadText) as { errorType?: string; errorMessage?: string };
      detail = `${parsed.errorType ?? 'Error'}: ${parsed.errorMessage ?? ''}`;
    } catch {
      // keep the raw text
    }
    return { ok: false, reason: `${target.publisherFunction} failed (${answer.FunctionError}): ${detail.slice(0, 500)}` };
  }
  let failures: { itemIdentifier?: string }[] = [];
  try {
    const parsed = payloadText ? (JSON.parse(payloadText) as { batchItemFailures?: { itemIdentifier?: string }[] } | null) : null;
    failures = parsed?.batchItemFailures ?? [];
  } catch {
    // A response that is not JSON has no batch item failures.
  }
  if (failures.length > 0) {
    return {
      ok: false,
      reason: `${target.publisherFunction} could not publish from record ${failures.map((f) => f.itemIdentifier).join(', ')} on (the records before it were published; replaying again republishes them with the same event ids)`,
    };
  }
  return {
    ok: true,
    to: target.publisherFunction,
    what: `${records.length} stream records ${info.startSequenceNumber} … ${info.endSequenceNumber}`,
  };
};
