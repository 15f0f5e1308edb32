// `npm start` as a child process, for tests of what survives a restart: its own data directory, free ports,
// and a hard kill (SIGKILL, as a crash or `kill -9` would end it). The tests talk to it over HTTP, and to its
// DynamoDB Local for what the API does not show.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { REPO_ROOT } from '#local/stack';
import { freePort, isPortFree } from '#local/ports';
import { DEFAULT_CONFIRMATION_CODE } from '#local/cognito';

export interface ChildStack {
  apiUrl: string;
  dynamoEndpoint: string;
  dataDir: string;
  /** What `npm start` printed so far (for failure messages). */
  output(): string;
  /** The endpoints the running stack wrote to `<dataDir>/runtime.json`. */
  runtime(): Record<string, string>;
  /** GET /v1/health's status right now (0 when nothing answers). */
  health(): Promise<number>;
  /** SIGKILL: no shutdown code runs. Resolves once the process and its emulators are gone. */
  kill(): Promise<void>;
  /** SIGTERM, as Ctrl-C. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it answers true; throws after `timeoutMs` (a generous bound, not a timing assertion). */
export const until = async (what: string, probe: () => Promise<boolean>, timeoutMs = 60_000, everyMs = 250): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(everyMs);
  }
};

/**
 * Starts `npm start` on `dataDir` (without --reset: an existing directory is resumed). Resolves once the
 * process runs; wait for readiness with `health()`.
 */
export const spawnStack = async (dataDir: string): Promise<ChildStack> => {
  const ports = { api: await freePort(), dynamodb: await freePort(), cognito: await freePort(), mail: await freePort() };
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      JAVA_HOME: process.env.JAVA_HOME,
      PORT: String(ports.api),
      TASKWELL_DYNAMODB_PORT: String(ports.dynamodb),
      TASKWELL_COGNITO_PORT: String(ports.cognito),
      TASKWELL_MAIL_PORT: String(ports.mail),
      TASKWELL_DATA_DIR: dataDir,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const apiUrl = `http://127.0.0.1:${ports.api}`;
  const gone = async () => {
    await exited;
    // The emulators' watchdogs notice that their parent is gone and stop them.
    await until('the emulators of the stopped stack', async () => (await isPortFree(ports.dynamodb)) && (await isPortFree(ports.cognito)), 30_000, 100);
  };
  return {
    apiUrl,
    dynamoEndpoint: `http://127.0.0.1:${ports.dynamodb}`,
    dataDir,
    output: () => output,
    runtime: () => JSON.parse(readFileSync(join(dataDir, 'runtime.json'), 'utf8')) as Record<string, string>,
    health: async () => {
      try {
        return (await fetch(`${apiUrl}/v1/health`)).status;
      } catch {
        return 0;
      }
    },
    kill: async () => {
      child.kill('SIGKILL');
      await gone();
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await gone();
    },
  };
};

/** Starts the stack on `dataDir` and waits until GET /v1/health answers 200. */
export const startStack = async (dataDir: string): Promise<ChildStack> => {
  const stack = await spawnStack(dataDir);
  try {
    await until('GET /v1/health answering 200', async () => (await stack.health()) === 200, 180_000, 100);
  } catch (error) {
    await stack.kill();
    throw new Error(`${(error as Error).message}\n${stack.output()}`);
  }
  return stack;
};

export interface Answer {
  status: number;
  body: any;
}

/** One API call; `token` is an access token. */
export const call = async (stack: ChildStack, method: string, path: string, body?: unknown, token?: string): Promise<Answer> => {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: response.status, body: parsed };
};

export interface StackUser {
  email: string;
  password: string;
  userId: string;
  token: string;
}

/** Registers, confirms and logs in a fresh user through the API. */
export const signUp = async (stack: ChildStack, name: string): Promise<StackUser> => {
  const email = `${name.toLowerCase()}-${Math.random().toString(36).slice(2, 10)}@example.com`;
  const password = 'Restart-test-1!';
  const registered = await call(stack, 'POST', '/v1/auth/register', { email, password, name });
  if (registered.status !== 202) throw new Error(`register answered ${registered.status}: ${JSON.stringify(registered.body)}`);
  const confirmed = await call(stack, 'POST', '/v1/auth/confirm', { email, code: DEFAULT_CONFIRMATION_CODE });
  if (confirmed.status !== 200) throw new Error(`confirm answered ${confirmed.status}: ${JSON.stringify(confirmed.body)}`);
  return { email, password, ...(await logIn(stack, email, password)) };
};

/** Logs in (again, e.g. after a restart). */
export const logIn = async (stack: ChildStack, email: string, password: string): Promise<{ userId: string; token: string }> => {
  const session = await call(stack, 'POST', '/v1/auth/login', { email, password });
  if (session.status !== 200) throw new Error(`login answered ${session.status}: ${JSON.stringify(session.body)}`);
  const token = String(session.body.accessToken);
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub: string };
  return { userId: claims.sub, token };
};

/** Every item of the stack's table whose `entity` is one of `entities` (a scan: the test tables are small). */
export const itemsOf = async (stack: ChildStack, entities: string[]): Promise<Record<string, any>[]> => {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
  try {
    const items: Record<string, any>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: 'taskwell',
          FilterExpression: `#entity IN (${entities.map((_, i) => `:e${i}`).join(', ')})`,
          ExpressionAttributeNames: { '#entity': 'entity' },
          ExpressionAttributeValues: Object.fromEntries(entities.map((e, i) => [`:e${i}`, e])),
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  } finally {
    client.destroy();
  }
};

const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The sequence number of the last record of each shard of the table's stream, as of now. */
export const streamEnd = async (stack: ChildStack): Promise<Map<string, string>> => {
  const dynamo = new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: 'us-east-1', credentials: localCredentials });
  const streams = new DynamoDBStreamsClient({ endpoint: stack.dynamoEndpoint, region: 'us-east-1', credentials: localCredentials });
  try {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: 'taskwell' }));
    const streamArn = Table!.LatestStreamArn!;
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const ends = new Map<string, string>();
    for (const shard of StreamDescription?.Shards ?? []) {
      let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
      while (iterator) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        const records = page.Records ?? [];
        if (records.length === 0) break;
        ends.set(shard.ShardId!, records.at(-1)!.dynamodb!.SequenceNumber!);
        iterator = page.NextShardIterator;
      }
    }
    return ends;
  } finally {
    dynamo.destroy();
    streams.destroy();
  }
};

/** Whether `<dataDir>/stream-checkpoint.json` is at or past `ends` on every shard (docs/local-runtime.md). */
export const checkpointCovers = (stack: ChildStack, ends: Map<string, string>): boolean => {
  let saved: Record<string, string>;
  try {
    saved = (JSON.parse(readFileSync(join(stack.dataDir, 'stream-checkpoint.json'), 'utf8')) as { shards: Record<string, string> }).shards;
  } catch {
    return false;
  }
  return [...ends].every(([shard, end]) => saved[shard] !== undefined && BigInt(saved[shard]) >= BigInt(end));
};
