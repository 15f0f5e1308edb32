// Small helpers for the e2e suites (test/e2e): problem+json assertions, walking paginated lists,
// forging tokens with cognito-local's static key, and direct DynamoDB Local access for what a
// test cannot do through the API (an admin disabling a user's profile).
import { createPrivateKey, sign as rsaSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiResponse, Client } from '#test/support/api-client';
import { localStack } from '#test/support/local-stack';

// ---- problem+json ----

/**
 * The response is an RFC 9457 problem with this status; when `fields` are given, the `errors`
 * list names each of them (exactly, or as a prefix such as `body.tags` for `body.tags.0`).
 */
export const expectProblem = (res: ApiResponse, status: number, fields: string[] = []): void => {
  expect(res).toHaveStatus(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
  expect(JSON.stringify(res.body)).not.toMatch(/\bat .+\.(ts|js):\d+/); // never a stack trace
  if (fields.length > 0) {
    const named: string[] = (res.body.errors ?? []).map((e: { field: string; message: string }) => {
      expect(typeof e.message).toBe('string');
      return e.field;
    });
    for (const field of fields) {
      expect(named.some((f) => f === field || f.startsWith(`${field}.`)), `errors ${JSON.stringify(named)} name ${field}`).toBe(true);
    }
  }
};

/** The gateway refused the token before any function ran (401 Unauthorized or 403 Forbidden, API Gateway's bodies). */
export const expectGatewayDenied = (res: ApiResponse): void => {
  expect([401, 403], `status ${res.status}: ${JSON.stringify(res.body)}`).toContain(res.status);
  expect(res.body).toEqual({ message: res.status === 401 ? 'Unauthorized' : 'Forbidden' });
};

/** The version in an `ETag: "<version>"` header. */
export const etagVersion = (res: ApiResponse): number => {
  const match = /^(?:W\/)?"(\d+)"$/.exec(res.headers.etag ?? '');
  expect(match, `ETag header ${res.headers.etag}`).not.toBeNull();
  return Number(match![1]);
};

export const ifMatch = (version: number) => ({ headers: { 'if-match': `"${version}"` } });

// ---- lists ----

/**
 * Every item of a paginated list, following nextCursor until it is absent (a filtered page may be
 * short or even empty while a cursor is still present). Returns the items and the pages' sizes.
 */
export const listAll = async <T = any>(client: Client, path: string, limit?: number): Promise<{ items: T[]; pages: number[] }> => {
  const items: T[] = [];
  const pages: number[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 200; i += 1) {
    const params = new URLSearchParams();
    if (limit !== undefined) params.set('limit', String(limit));
    if (cursor !== undefined) params.set('cursor', cursor);
    const sep = path.includes('?') ? '&' : '?';
    const query = params.toString();
    const res = await client.get(query ? `${path}${sep}${query}` : path);
    expect(res).toHaveStatus(200);
    expect(Array.isArray(res.body.items)).toBe(true);
    if (limit !== undefined) expect(res.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...res.body.items);
    pages.push(res.body.items.length);
    cursor = res.body.nextCursor ?? undefined;
    if (cursor === undefined) return { items, pages };
    expect(typeof cursor).toBe('string');
  }
  throw new Error(`${path}: more than 200 pages`);
};

/** Ids of every item of a list. */
export const idsOf = async (client: Client, path: string): Promise<string[]> =>
  (await listAll<{ id: string }>(client, path, 100)).items.map((item) => item.id).sort();

// ---- tokens ----

type Jwk = Record<string, string>;
const requireFromHere = createRequire(import.meta.url);
let privateKey: ReturnType<typeof createPrivateKey> | undefined;
const cognitoLocalKey = () => {
  if (!privateKey) {
    const file = requireFromHere.resolve('cognito-local/lib/keys/cognitoLocal.private.json');
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { jwk: Jwk; pem: string };
    privateKey = createPrivateKey(parsed.pem);
  }
  return privateKey;
};

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/** Decoded header and payload of a JWT (no verification). */
export const decodeJwt = (jwt: string): { header: Record<string, any>; payload: Record<string, any>; signature: string } => {
  const [h, p, s] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8')),
    signature: s ?? '',
  };
};

/** Signs `payload` with cognito-local's own static RS256 key under `header` (kid CognitoLocal). */
export const signWithCognitoLocalKey = (header: Record<string, unknown>, payload: Record<string, unknown>): string => {
  const signingInput = `${b64url(header)}.${b64url(payload)}`;
  const signature = rsaSign('RSA-SHA256', Buffer.from(signingInput), cognitoLocalKey()).toString('base64url');
  return `${signingInput}.${signature}`;
};

/** A token like `accessToken` (same header, claims, issuer) re-signed with `changes` applied. */
export const reSigned = (accessToken: string, changes: Record<string, unknown>): string => {
  const { header, payload } = decodeJwt(accessToken);
  return signWithCognitoLocalKey(header, { ...payload, jti: randomUUID(), ...changes });
};

/** `jwt` with its payload replaced by `changes` applied, keeping the original signature. */
export const tampered = (jwt: string, changes: Record<string, unknown>): string => {
  const [h, , s] = jwt.split('.');
  const { payload } = decodeJwt(jwt);
  return `${h}.${b64url({ ...payload, ...changes })}.${s}`;
};

// ---- DynamoDB Local ----

let documentClient: DynamoDBDocumentClient | undefined;
export const dynamo = (): DynamoDBDocumentClient =>
  (documentClient ??= DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: localStack().dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  ));

/** Sets the `status` of a user's profile item directly (what an admin action would do). */
export const setProfileStatus = async (userId: string, status: 'active' | 'disabled'): Promise<void> => {
  await dynamo().send(
    new UpdateCommand({
      TableName: localStack().tableName,
      Key: { pk: `USER#${userId}`, sk: 'PROFILE' },
      UpdateExpression: 'SET #status = :status',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status },
    }),
  );
};

/** The raw item at a key (e.g. to check a tombstone), or undefined. */
export const rawItem = async (key: { pk: string; sk: string }): Promise<Record<string, any> | undefined> =>
  (await dynamo().send(new GetCommand({ TableName: localStack().tableName, Key: key, ConsistentRead: true }))).Item;

/** A syntactically valid id that names nothing. */
export const unknownId = () => `01ZZ${randomUUID().replaceAll('-', '').slice(0, 22).toUpperCase()}`;
