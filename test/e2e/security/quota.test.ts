// Attacks on capacity: one user (or one stolen token) flooding the API. Every authenticated request counts against a
// per-user quota (the stack's setting; the e2e stack's is test/support/e2e-setup.ts); past it the API answers 429
// problem+json with Retry-After and the IETF RateLimit / RateLimit-Policy header fields, and runs nothing.
// Reaching the e2e stack's quota with real requests would take thousands of them, so one test moves the user's
// counter (in DynamoDB Local) to where `limit - 2` requests leave it; the last requests are real and meet the limit.
import { describe, expect, it } from 'vitest';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { as, newUser, type TestUser } from '#test/support/api-client';
import { localStack } from '#test/support/local-stack';
import { dynamo, expectProblem, rawItem } from '#test/support/e2e-helpers';

const limit = () => localStack().requestQuotaPerMinute;

/** Sets the user's request count in the current window, as if they had made `count` requests in it. */
const setRequestCount = async (user: TestUser, count: number): Promise<void> => {
  await dynamo().send(
    new UpdateCommand({
      TableName: localStack().tableName,
      Key: { pk: `USER#${user.userId}`, sk: 'QUOTA' },
      UpdateExpression: 'SET #count = :count',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#count': 'count' },
      ExpressionAttributeValues: { ':count': count },
    }),
  );
};

describe('the per-user request quota', () => {
  it('counts every request from the first, and says so in RateLimit and RateLimit-Policy', async () => {
    const user = await newUser();
    const first = await as(user).get('/v1/me');
    expect(first).toHaveStatus(200);
    expect(first.headers['ratelimit-policy']).toBe(`"per-user";q=${limit()};w=60`);
    expect(first.headers.ratelimit).toMatch(new RegExp(`^"per-user";r=${limit() - 1};t=([1-9]|[1-5][0-9]|60)$`));
    const second = await as(user).get('/v1/projects');
    expect(second.headers.ratelimit).toMatch(new RegExp(`^"per-user";r=${limit() - 2};t=\\d+$`));
  });

  it('answers 429 problem+json with Retry-After once a user has used up the quota, and runs nothing', async () => {
    const user = await newUser();
    expect(await as(user).get('/v1/me')).toHaveStatus(200);
    await setRequestCount(user, limit() - 2);

    const last = await as(user).get('/v1/me');
    expect(last).toHaveStatus(200);
    expect(last.headers.ratelimit).toMatch(/^"per-user";r=1;/);
    const lastAllowed = await as(user).get('/v1/me');
    expect(lastAllowed).toHaveStatus(200);
    expect(lastAllowed.headers.ratelimit).toMatch(/^"per-user";r=0;/);

    const over = await as(user).post('/v1/projects', { name: 'over the quota' });
    expectProblem(over, 429);
    expect(over.body.type).toBe('https://taskwell.dev/problems/quota-exceeded');
    const retryAfter = Number(over.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(over.headers.ratelimit).toBe(`"per-user";r=0;t=${retryAfter}`);
    expect(over.headers['ratelimit-policy']).toBe(`"per-user";q=${limit()};w=60`);
    expectProblem(await as(user).get('/v1/me'), 429);
    // Nothing ran: no project was created (the user's project list is read from the table, as the API would).
    const projects = await dynamo().send(
      new QueryCommand({
        TableName: localStack().tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `USER#${user.userId}#PROJECTS` },
      }),
    );
    expect(projects.Items ?? []).toEqual([]);
    // Refused requests still count: the window does not reopen by retrying.
    expect((await rawItem({ pk: `USER#${user.userId}`, sk: 'QUOTA' }))?.count).toBe(limit() + 2);
  });

  it('is per user: another user is not slowed down by someone over the quota', async () => {
    const flooder = await newUser();
    const bystander = await newUser();
    expect(await as(flooder).get('/v1/me')).toHaveStatus(200);
    await setRequestCount(flooder, limit());
    expectProblem(await as(flooder).get('/v1/me'), 429);
    expect(await as(bystander).get('/v1/me')).toHaveStatus(200);
  });
});
