// The list-cursor codec: a cursor is accepted only as a key of the very list being read, so nothing forged,
// truncated or borrowed from another list reaches DynamoDB; it is a 400 naming query.cursor instead.
import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '#shared/domain/errors';
import { decodeCursor, decodeListsCursor, encodeCursor, encodeListsCursor, type ListKeyShape } from '#shared/store/cursor';
import { keys } from '#shared/store/keys';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

const projectTasks: ListKeyShape = {
  partition: ['gsi1pk', 'PROJECT#p1#TASKS'],
  sortKey: ['gsi1sk', 'TASK#'],
  attributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
};
const lastTask = { pk: 'TASK#01J', sk: 'TASK', gsi1pk: 'PROJECT#p1#TASKS', gsi1sk: 'TASK#01J' };

const range = keys.tasksOfAssignee('u1', { dueAfter: '2030-01-01T00:00:00.000Z', dueBefore: '2030-02-01T00:00:00.000Z' });
const assigned: ListKeyShape = {
  partition: ['gsi2pk', range.gsi2pk],
  sortKey: ['gsi2sk', { from: range.gsi2skFrom, to: range.gsi2skTo }],
  attributes: ['pk', 'sk', 'gsi2pk', 'gsi2sk'],
};
const assignedKey = { pk: 'TASK#01J', sk: 'TASK', gsi2pk: 'ASSIGNEE#u1', gsi2sk: 'DUE#2030-01-15T00:00:00.000Z#01J' };

/** The error a refused cursor raises: a validation failure on query.cursor. */
const refused = (decode: () => unknown) => {
  let error: unknown;
  try {
    decode();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationFailed);
  expect((error as ValidationFailed).errors).toEqual([{ field: 'query.cursor', message: 'Invalid cursor' }]);
};

describe('one-list cursors', () => {
  it('round-trip the last key read, and mean "from the start" when absent', () => {
    expect(decodeCursor(encodeCursor(lastTask), projectTasks)).toEqual(lastTask);
    expect(decodeCursor(undefined, projectTasks)).toBeUndefined();
    expect(encodeCursor(undefined)).toBeUndefined();
  });

  it('refuse garbage, truncated base64, and JSON that is not an object', () => {
    const good = encodeCursor(lastTask)!;
    for (const cursor of ['!!!', 'not a cursor', good.slice(0, good.length - 7), `${good}%%`, encode([lastTask]), encode('x'), encode(null), encode(42)]) {
      refused(() => decodeCursor(cursor, projectTasks));
    }
  });

  it('refuse empty strings in any key attribute', () => {
    for (const name of Object.keys(lastTask)) refused(() => decodeCursor(encode({ ...lastTask, [name]: '' }), projectTasks));
  });

  it('refuse missing, extra and non-string attributes, and oversized values', () => {
    const { sk: _sk, ...missing } = lastTask;
    refused(() => decodeCursor(encode(missing), projectTasks));
    refused(() => decodeCursor(encode({ ...lastTask, extra: 'x' }), projectTasks));
    refused(() => decodeCursor(encode({ ...lastTask, pk: 7 }), projectTasks));
    refused(() => decodeCursor(encode({ ...lastTask, pk: { S: 'TASK#01J' } }), projectTasks));
    refused(() => decodeCursor(encode({ ...lastTask, pk: `TASK#${'x'.repeat(1100)}` }), projectTasks));
  });

  it('refuse a key of another partition (another project, another user) or outside the sort-key prefix', () => {
    refused(() => decodeCursor(encode({ ...lastTask, gsi1pk: 'PROJECT#p2#TASKS' }), projectTasks));
    refused(() => decodeCursor(encode({ ...lastTask, gsi1sk: 'MEMBER#u1' }), projectTasks));
  });

  it('refuse a sort key outside the queried range (BETWEEN)', () => {
    expect(decodeCursor(encode(assignedKey), assigned)).toEqual(assignedKey);
    refused(() => decodeCursor(encode({ ...assignedKey, gsi2sk: 'DUE#2029-12-31T00:00:00.000Z#01J' }), assigned));
    refused(() => decodeCursor(encode({ ...assignedKey, gsi2sk: 'DUE#~#01J' }), assigned));
    refused(() => decodeCursor(encode({ ...assignedKey, gsi2sk: 'A' }), assigned));
  });
});

describe('cursors of a search over several lists', () => {
  const month = (m: string): ListKeyShape => ({
    partition: ['pk', `AUDIT#${m}`],
    sortKey: ['sk', { from: 'AUDIT#2030-01-01T00:00:00.000Z#', to: 'AUDIT#2030-02-28T00:00:00.000Z#~' }],
    attributes: ['pk', 'sk'],
  });
  const lists = [month('2030-02'), month('2030-01')];
  const key = { pk: 'AUDIT#2030-01', sk: 'AUDIT#2030-01-10T00:00:00.000Z#e1' };

  it('round-trip the list they stopped in and the last key read', () => {
    expect(decodeListsCursor(encodeListsCursor(lists[1], key), lists)).toEqual({ index: 1, startKey: key });
    expect(decodeListsCursor(encodeListsCursor(lists[1], undefined), lists)).toEqual({ index: 1, startKey: undefined });
    expect(decodeListsCursor(undefined, lists)).toEqual({ index: 0, startKey: undefined });
    expect(encodeListsCursor(undefined, undefined)).toBeUndefined();
  });

  it('refuse a list outside the search, a key of another list, or a key outside the range', () => {
    refused(() => decodeListsCursor(encode({ p: 'AUDIT#2029-12' }), lists));
    refused(() => decodeListsCursor(encode({ p: 'AUDIT#2030-02', k: key }), lists));
    refused(() => decodeListsCursor(encode({ p: 'AUDIT#2030-01', k: { ...key, sk: 'AUDIT#2031-01-01T00:00:00.000Z#e1' } }), lists));
    refused(() => decodeListsCursor(encode({ p: 'AUDIT#2030-01', k: { ...key, pk: '' } }), lists));
    refused(() => decodeListsCursor(encode({ p: 'AUDIT#2030-01', k: 'x' }), lists));
    refused(() => decodeListsCursor(encode({ p: 'AUDIT#2030-01', extra: 1 }), lists));
    refused(() => decodeListsCursor('###', lists));
  });
});
