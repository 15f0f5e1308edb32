// GET and PATCH /v1/me over a mocked DynamoDB document client.
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { apiEvent, invoke } from '#test/support/apigw-event';
import { handler as getMe } from '#functions/users/get-me';
import { handler as updateMe } from '#functions/users/update-me';

const ddb = mockClient(DynamoDBDocumentClient);
const ada = { userId: 'u-1', email: 'ada@example.com' };
const at = '2025-01-01T00:00:00.000Z';
const item = (extra: Record<string, unknown> = {}) => ({
  pk: 'USER#u-1',
  sk: 'PROFILE',
  gsi1pk: 'USERS',
  gsi1sk: 'EMAIL#ada@example.com',
  entity: 'User',
  id: 'u-1',
  email: 'ada@example.com',
  name: 'Ada',
  timezone: 'UTC',
  status: 'active',
  createdAt: at,
  updatedAt: at,
  version: 3,
  modifiedBy: 'u-1',
  requestId: 'r0',
  ...extra,
});
const publicProfile = { id: 'u-1', email: 'ada@example.com', name: 'Ada', timezone: 'UTC', status: 'active', mfaEnabled: false, createdAt: at, updatedAt: at, version: 3 };

const patch = (body: unknown, headers: Record<string, string> = {}) => invoke(updateMe, apiEvent('PATCH', '/v1/me', { user: ada, body, headers }));

beforeEach(() => ddb.reset());

describe('GET /v1/me', () => {
  it("returns the caller's profile (no keys or bookkeeping) with its version as ETag", async () => {
    ddb.on(GetCommand, { Key: { pk: 'USER#u-1', sk: 'PROFILE' } }).resolves({ Item: item() });

    const res = await invoke(getMe, apiEvent('GET', '/v1/me', { user: ada }));

    expect(res.status).toBe(200);
    expect(res.body).toEqual(publicProfile);
    expect(res.headers.etag).toBe('"3"');
  });

  it('answers 404 when the profile is gone', async () => {
    ddb.on(GetCommand).resolves({});
    expect((await invoke(getMe, apiEvent('GET', '/v1/me', { user: ada }))).status).toBe(404);
  });

  it('answers 401 without a caller', async () => {
    expect((await invoke(getMe, apiEvent('GET', '/v1/me'))).status).toBe(401);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('PATCH /v1/me', () => {
  it('changes the name and time zone at the expected version, recording who and which request', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: item({ name: 'Ada L.', timezone: 'Europe/Berlin', version: 4, updatedAt: '2025-02-01T00:00:00.000Z' }) });

    const res = await invoke(updateMe, apiEvent('PATCH', '/v1/me', { user: ada, body: { name: 'Ada L.', timezone: 'Europe/Berlin' }, headers: { 'if-match': '"3"' }, requestId: 'req-9' }));

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Ada L.', timezone: 'Europe/Berlin', version: 4 });
    expect(res.headers.etag).toBe('"4"');
    const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.Key).toEqual({ pk: 'USER#u-1', sk: 'PROFILE' });
    expect(input.ConditionExpression).toContain('#version = :expected');
    expect(input.ExpressionAttributeValues).toMatchObject({ ':expected': 3, ':name': 'Ada L.', ':timezone': 'Europe/Berlin', ':by': 'u-1', ':req': 'req-9' });
  });

  it('takes the version from the body too, and stores the canonical zone name', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: item({ timezone: 'Europe/Berlin', version: 4 }) });

    expect((await patch({ timezone: 'europe/berlin', version: 3 })).status).toBe(200);
    expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input.ExpressionAttributeValues).toMatchObject({ ':expected': 3, ':timezone': 'Europe/Berlin' });
  });

  it('answers 409 with the current version when the profile changed meanwhile', async () => {
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {}, Item: marshall(item({ version: 5 })) }));

    const res = await patch({ name: 'Ada L.' }, { 'if-match': '"3"' });

    expect(res.status).toBe(409);
    expect(res.body.detail).toContain('version 5');
  });

  it('answers 404 when the profile is gone', async () => {
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    expect((await patch({ name: 'Ada L.' }, { 'if-match': '"3"' })).status).toBe(404);
  });

  it('answers 428 without a version, writing nothing', async () => {
    expect((await patch({ name: 'Ada L.' })).status).toBe(428);
    expect(ddb.calls()).toHaveLength(0);
  });

  it.each([
    ['an unknown time zone', { timezone: 'Mars/Olympus_Mons', version: 3 }, 'body.timezone'],
    ['an empty name', { name: '', version: 3 }, 'body.name'],
    ['a too long name', { name: 'x'.repeat(101), version: 3 }, 'body.name'],
    ['nothing to change', { version: 3 }, 'body.name'],
    ['a field clients may not set', { name: 'Ada', status: 'active', version: 3 }, 'body'],
    ['a field clients may not set (email)', { email: 'x@example.com', version: 3 }, 'body'],
  ])('answers 400 for %s, writing nothing', async (_what, body, field) => {
    const res = await patch(body);

    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(ddb.calls()).toHaveLength(0);
  });
});
