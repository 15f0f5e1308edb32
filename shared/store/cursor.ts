// Opaque list cursors: the LastEvaluatedKey of a Query, base64url-encoded. A cursor is accepted only
// as a key of the very list it came from (same attributes, same partition, a sort key inside the
// listed range), so it can neither read another list nor make DynamoDB reject the query (a 500).
import { ValidationFailed } from '#shared/domain/errors';

export type Key = Record<string, string>;

/** What a key of one list looks like. */
export interface ListKeyShape {
  /** [attribute, value] of the partition the Query reads. */
  partition: [string, string];
  /** [attribute, prefix] every sort key of the list starts with. */
  sortKey: [string, string];
  /** The attributes of a LastEvaluatedKey of this Query (table keys + index keys). */
  attributes: readonly string[];
}

export const encodeCursor = (lastKey: Record<string, unknown> | undefined): string | undefined =>
  lastKey ? Buffer.from(JSON.stringify(lastKey), 'utf8').toString('base64url') : undefined;

const invalidCursor = () => new ValidationFailed('The cursor is invalid or belongs to another list.', [{ field: 'query.cursor', message: 'Invalid cursor' }]);

export const decodeCursor = (cursor: string | undefined, list: ListKeyShape): Key | undefined => {
  if (cursor === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidCursor();
  const key = parsed as Record<string, unknown>;
  const names = Object.keys(key).sort();
  if (names.join() !== [...list.attributes].sort().join()) throw invalidCursor();
  if (names.some((name) => typeof key[name] !== 'string' || (key[name] as string).length > 512)) throw invalidCursor();
  const [partitionName, partitionValue] = list.partition;
  const [sortName, sortPrefix] = list.sortKey;
  if (key[partitionName] !== partitionValue || !(key[sortName] as string).startsWith(sortPrefix)) throw invalidCursor();
  return key as Key;
};
