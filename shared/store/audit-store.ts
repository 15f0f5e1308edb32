// The audit log on the single table (docs/data-model.md, "Audit log"). One item per domain event:
//   AUDIT#<yyyy-mm> / AUDIT#<occurredAt>#<eventId>   the month's time-ordered list (search by time range)
//   GSI1 AUDIT#<entityType>#<entityId>                the entity's history
//   GSI2 AUDIT#ACTOR#<userId>                         what one user changed
// Records are written once (conditional on absence) and never deleted; the only update erases personal fields of an
// old record when its user's account is erased (redactPersonalData, below).
import { gunzipSync, gzipSync } from 'node:zlib';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ValidationFailed } from '#shared/domain/errors';
import { withoutPersonalData, type AuditQuery, type AuditRecord, type AuditStorePort } from '#shared/domain/audit';
import type { Page } from '#shared/domain/model';
import { documentClient, tableName } from '#shared/store/client';
import { decodeListsCursor, encodeListsCursor, type Key, type ListKeyShape } from '#shared/store/cursor';
import { INDEX, keys } from '#shared/store/keys';

export const AUDIT_ENTITY = 'AuditRecord';
/** Queries one page may take: filters apply after Limit, and a time search walks month partitions. */
export const MAX_QUERIES_PER_PAGE = 13;

type Item = Record<string, unknown>;

const RECORD_FIELDS = ['id', 'type', 'occurredAt', 'actor', 'requestId', 'entity', 'projectId', 'changes', 'before', 'after', 'recordedAt'] as const;

/**
 * The bulky part of a record — the entity's full states and the changed fields — is stored as one gzip-compressed
 * JSON Binary attribute, `data`: DynamoDB bills a write unit per started KB on the table and on each of the two
 * GSIs (ALL projection), and the plain states took records over 1 KB (2–3 units per copy). No search
 * filters on these fields, and they came to the consumer as JSON (the event's detail), so JSON loses nothing.
 */
export const PAYLOAD_ATTRIBUTE = 'data';
type Payload = Pick<AuditRecord, 'changes' | 'before' | 'after'>;

const encodePayload = ({ changes, before, after }: Payload): Uint8Array => gzipSync(JSON.stringify({ changes, before, after }));
const decodePayload = (data: Uint8Array): Payload => JSON.parse(gunzipSync(data).toString('utf8')) as Payload;

// The table's `entity` attribute names the item type, so the record's entity is stored as `subject`.
// Records written before the payload was compressed hold `changes`, `before` and `after` as plain attributes, and
// records are never rewritten (immutable log, no TTL): the store reads both forms, the plain one for good.
export const toRecord = (item: Item): AuditRecord => {
  const fields: Item = item[PAYLOAD_ATTRIBUTE] instanceof Uint8Array ? { ...item, ...decodePayload(item[PAYLOAD_ATTRIBUTE]) } : item;
  return Object.fromEntries(RECORD_FIELDS.map((f) => [f, (f === 'entity' ? fields.subject : fields[f]) ?? null])) as unknown as AuditRecord;
};

const append = async (record: AuditRecord): Promise<boolean> => {
  const { changes, before, after, entity, ...plain } = record;
  try {
    await documentClient.send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...plain,
          ...keys.auditRecord(record.occurredAt, record.id),
          ...keys.auditIndex(record),
          entity: AUDIT_ENTITY,
          subject: entity,
          [PAYLOAD_ATTRIBUTE]: encodePayload({ changes, before, after }),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};

/** Months from `to`'s down to `from`'s, newest first: yyyy-mm. */
const monthsBetween = (from: string, to: string): string[] => {
  const months: string[] = [];
  let year = Number(to.slice(0, 4));
  let month = Number(to.slice(5, 7));
  const last = from.slice(0, 7);
  for (;;) {
    const m = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
    if (m < last) break;
    months.push(m);
    if (--month === 0) {
      month = 12;
      year--;
    }
  }
  return months;
};

interface Partition {
  IndexName?: string;
  pkName: string;
  skName: string;
  pk: string;
  attributes: readonly string[];
}

/** Which list answers a search, and which filters remain for a FilterExpression. */
const partitionsFor = (q: AuditQuery & { from: string; to: string }): { partitions: Partition[]; filters: [string, string][] } => {
  if (q.entityType !== undefined && q.entityId !== undefined) {
    const { gsi1pk } = keys.auditIndex({ occurredAt: '', id: '', entity: { type: q.entityType, id: q.entityId }, actor: { userId: '' } });
    return {
      partitions: [{ IndexName: INDEX.byContainer, pkName: 'gsi1pk', skName: 'gsi1sk', pk: gsi1pk, attributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'] }],
      filters: q.actorId !== undefined ? [['actor.userId', q.actorId]] : [],
    };
  }
  if (q.actorId !== undefined) {
    const { gsi2pk } = keys.auditIndex({ occurredAt: '', id: '', entity: { type: '', id: '' }, actor: { userId: q.actorId } });
    return {
      partitions: [{ IndexName: INDEX.byAssignee, pkName: 'gsi2pk', skName: 'gsi2sk', pk: gsi2pk, attributes: ['pk', 'sk', 'gsi2pk', 'gsi2sk'] }],
      filters: q.entityType !== undefined ? [['subject.type', q.entityType]] : [],
    };
  }
  return {
    partitions: monthsBetween(q.from, q.to).map((month) => ({ pkName: 'pk', skName: 'sk', pk: keys.auditMonth(month), attributes: ['pk', 'sk'] })),
    filters: q.entityType !== undefined ? [['subject.type', q.entityType]] : [],
  };
};

/** Each partition of a search as a list of the cursor codec: its partition, the searched time range. */
const cursorLists = (partitions: Partition[], bounds: { lower: string; upper: string }): ListKeyShape[] =>
  partitions.map((partition) => ({
    partition: [partition.pkName, partition.pk],
    sortKey: [partition.skName, { from: bounds.lower, to: bounds.upper }],
    attributes: partition.attributes,
  }));

const search = async (q: AuditQuery & { from: string; to: string }): Promise<Page<AuditRecord>> => {
  const bounds = keys.auditRange(q.from, q.to);
  const { partitions, filters } = partitionsFor(q);
  // The cursor names a partition of this search and the last key read in it, inside the range: a cursor cannot widen a search.
  const lists = cursorLists(partitions, bounds);
  let { index, startKey } = decodeListsCursor(q.cursor, lists);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':lower': bounds.lower, ':upper': bounds.upper };
  const conditions = filters.map(([path, value], i) => {
    const [outer, inner] = path.split('.') as [string, string];
    names[`#f${i}o`] = outer;
    names[`#f${i}i`] = inner;
    values[`:f${i}`] = value;
    return `#f${i}o.#f${i}i = :f${i}`;
  });
  const items: AuditRecord[] = [];
  for (let round = 0; round < MAX_QUERIES_PER_PAGE && index < partitions.length; round++) {
    const partition = partitions[index]!;
    const output = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: partition.IndexName,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lower AND :upper',
        ...(conditions.length > 0 && { FilterExpression: conditions.join(' AND ') }),
        ExpressionAttributeNames: { ...names, '#pk': partition.pkName, '#sk': partition.skName },
        ExpressionAttributeValues: { ...values, ':pk': partition.pk },
        ScanIndexForward: false,
        Limit: q.limit - items.length,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(output.Items ?? []).filter((item) => item.entity === AUDIT_ENTITY).map(toRecord));
    startKey = output.LastEvaluatedKey as Key | undefined;
    if (!startKey) index++;
    if (items.length >= q.limit) break;
  }
  const nextCursor = encodeListsCursor(lists[index], startKey);
  return nextCursor ? { items, nextCursor } : { items };
};

export const auditStore: AuditStorePort = { append, search };

/**
 * Erasing an account: rewrites the records of one list — an entity's history (A2) or an actor's (A3) — that still
 * hold personal fields (records written before the audit consumer left them out), keeping everything else. The one
 * exception to "records are never updated"; rewriting a clean record is skipped, so running it again does nothing.
 * Answers how many records were rewritten.
 */
export const redactPersonalData = async (list: { entityType: AuditRecord['entity']['type']; entityId: string } | { actorId: string }): Promise<number> => {
  const { gsi1pk, gsi2pk } = keys.auditIndex({
    occurredAt: '',
    id: '',
    entity: 'entityType' in list ? { type: list.entityType, id: list.entityId } : { type: '', id: '' },
    actor: { userId: 'actorId' in list ? list.actorId : '' },
  });
  const [IndexName, pkName, skName, pk] = 'actorId' in list ? [INDEX.byAssignee, 'gsi2pk', 'gsi2sk', gsi2pk] : [INDEX.byContainer, 'gsi1pk', 'gsi1sk', gsi1pk];
  let rewritten = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': pkName, '#sk': skName },
        ExpressionAttributeValues: { ':pk': pk, ':prefix': 'AUDIT#' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of (output.Items ?? []) as Item[]) {
      const record = toRecord(item);
      const clean = withoutPersonalData(record);
      if (clean === record || JSON.stringify(clean) === JSON.stringify(record)) continue;
      await documentClient.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'SET #data = :data REMOVE #changes, #before, #after',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#data': PAYLOAD_ATTRIBUTE, '#changes': 'changes', '#before': 'before', '#after': 'after' },
          ExpressionAttributeValues: { ':data': encodePayload(clean) },
        }),
      );
      rewritten++;
    }
    startKey = output.LastEvaluatedKey;
  } while (startKey);
  return rewritten;
};
