// Opaque list cursors: the LastEvaluatedKey of a Query, base64url-encoded. A cursor is only
// accepted for the partition it came from, so it cannot be used to read someone else's list.
import { ValidationFailed } from '#shared/domain/errors';

type Key = Record<string, string>;

export const encodeCursor = (lastKey: Record<string, unknown> | undefined): string | undefined =>
  lastKey ? Buffer.from(JSON.stringify(lastKey), 'utf8').toString('base64url') : undefined;

const invalid = () => new ValidationFailed('The cursor is invalid or belongs to another list.', [{ field: 'query.cursor', message: 'Invalid cursor' }]);

/** Decodes a cursor and checks it belongs to the list being read (`partition` = the attribute/value the query is keyed on). */
export const decodeCursor = (cursor: string | undefined, partition: { attribute: string; value: string }): Key | undefined => {
  if (cursor === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid();
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length === 0 || entries.length > 4 || entries.some(([, v]) => typeof v !== 'string')) throw invalid();
  const key = parsed as Key;
  if (key[partition.attribute] !== partition.value) throw invalid();
  return key;
};
