// Opaque list cursors, the one codec every paginated store uses (docs/decisions/0002-list-cursors.md).
// A cursor is the LastEvaluatedKey of a Query, base64url-encoded JSON (for a search over several lists, also
// which list it stopped in). Nothing in a decoded cursor is trusted: it is accepted only as a key of the very
// list the request reads — exactly that list's key attributes, each a non-empty string within DynamoDB's key
// size, the partition equal to the queried one, the sort key inside the queried range. Anything else is a 400
// naming `query.cursor` before DynamoDB sees it (a forged key would otherwise fail the Query: a 500). A key that
// passes can only start the list somewhere inside what the caller may read anyway.
import { ValidationFailed } from '#shared/domain/errors';

export type Key = Record<string, string>;

/** The sort keys one Query reads: all that start with a prefix, or an inclusive range (BETWEEN). */
export type SortRange = string | { from: string; to: string };

/** What a key of one list looks like. */
export interface ListKeyShape {
  /** [attribute, value] of the partition the Query reads. */
  partition: [string, string];
  /** [attribute, range] of the sort keys the Query reads. */
  sortKey: [string, SortRange];
  /** The attributes of a LastEvaluatedKey of this Query (table keys + index keys). */
  attributes: readonly string[];
}

/** DynamoDB's largest sort key, in bytes (partition keys may be 2048; no key of this table comes close). */
const MAX_KEY_BYTES = 1024;

const invalidCursor = () => new ValidationFailed('The cursor is invalid or belongs to another list.', [{ field: 'query.cursor', message: 'Invalid cursor' }]);

const encode = (payload: unknown): string => Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');

/** The JSON object a cursor carries; anything that is not strict base64url of a JSON object is refused. */
const payloadOf = (cursor: string): Record<string, unknown> => {
  // Buffer.from(…, 'base64url') skips characters outside the alphabet and stops at a truncation, so check first.
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidCursor();
  return parsed as Record<string, unknown>;
};

const inRange = (value: string, range: SortRange): boolean =>
  typeof range === 'string' ? value.startsWith(range) : value >= range.from && value <= range.to;

/** `value` as a key of `list`, or a 400: exactly its attributes, non-empty strings, its partition, its range. */
export const checkKey = (value: unknown, list: ListKeyShape): Key => {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalidCursor();
  const key = value as Record<string, unknown>;
  const names = Object.keys(key).sort();
  if (names.join() !== [...list.attributes].sort().join()) throw invalidCursor();
  for (const name of names) {
    const v = key[name];
    if (typeof v !== 'string' || v.length === 0 || Buffer.byteLength(v, 'utf8') > MAX_KEY_BYTES) throw invalidCursor();
  }
  const [partitionName, partitionValue] = list.partition;
  const [sortName, sortRange] = list.sortKey;
  if (key[partitionName] !== partitionValue || !inRange(key[sortName] as string, sortRange)) throw invalidCursor();
  return key as Key;
};

/** The cursor of a one-list page: its LastEvaluatedKey (none: the list is done). */
export const encodeCursor = (lastKey: Record<string, unknown> | undefined): string | undefined => (lastKey ? encode(lastKey) : undefined);

/** The ExclusiveStartKey a cursor of `list` stands for (undefined without a cursor), or a 400 naming query.cursor. */
export const decodeCursor = (cursor: string | undefined, list: ListKeyShape): Key | undefined =>
  cursor === undefined ? undefined : checkKey(payloadOf(cursor), list);

/**
 * Searches that read several lists one after the other (the audit log's months): the cursor names the list it
 * stopped in (by its partition) and, within it, the last key read (absent: start at the top of that list).
 */
export const encodeListsCursor = (list: ListKeyShape | undefined, lastKey: Key | undefined): string | undefined =>
  list ? encode({ p: list.partition[1], ...(lastKey ? { k: lastKey } : {}) }) : undefined;

/** Which of `lists` a cursor continues in, and where (index 0 and no key without a cursor), or a 400. */
export const decodeListsCursor = (cursor: string | undefined, lists: readonly ListKeyShape[]): { index: number; startKey: Key | undefined } => {
  if (cursor === undefined) return { index: 0, startKey: undefined };
  const payload = payloadOf(cursor);
  const extra = Object.keys(payload).filter((name) => name !== 'p' && name !== 'k');
  const index = lists.findIndex((list) => list.partition[1] === payload.p);
  if (index < 0 || extra.length > 0) throw invalidCursor();
  return { index, startKey: payload.k === undefined ? undefined : checkKey(payload.k, lists[index]!) };
};
