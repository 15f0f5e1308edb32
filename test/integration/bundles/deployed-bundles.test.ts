// The bundles as deployed — minified ESM with the SDK inside and lib/bundling's replacements (credentials from the
// environment only, no event-stream codec) — really work: each runs in a fresh Node process with only the environment
// Lambda gives a function, against DynamoDB Local.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deployedBuildOptions } from '#lib/bundling/build-options';
import { apiEvent } from '#test/support/apigw-event';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const workDir = mkdtempSync(join(tmpdir(), 'taskwell-bundles-'));
const user = { userId: 'bundle-user', email: 'bundle@example.com' };

// Imports the bundle, calls its handler once with the event, writes the result to a file (stdout is the logs').
const RUNNER = `
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const { handler } = await import(pathToFileURL(process.env.BUNDLE).href);
const context = { awsRequestId: 'ctx', functionName: 'bundle-test', memoryLimitInMB: '1024', getRemainingTimeInMillis: () => 10000 };
const result = await handler(JSON.parse(process.env.EVENT), context);
writeFileSync(process.env.RESULT_FILE, JSON.stringify(result));
`;

const bundles: Record<string, string> = {};
const bundle = async (entry: string): Promise<string> => {
  const outfile = join(workDir, entry.replace(/[/.]/g, '-'), 'index.mjs');
  await build(deployedBuildOptions(ROOT, join(ROOT, entry), outfile));
  return outfile;
};

interface Invocation {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}

const invoke = (entry: string, event: unknown): Promise<Invocation> => {
  const resultFile = join(workDir, `result-${Math.random().toString(36).slice(2)}.json`);
  // Only what Lambda sets (plus the local endpoint): no AWS profile, no home directory to find one in.
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: workDir,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: 'local',
    AWS_LAMBDA_FUNCTION_NAME: 'bundle-test',
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
    TABLE_NAME: 'taskwell-test',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
    BUNDLE: bundles[entry] ?? '',
    EVENT: JSON.stringify(event),
    RESULT_FILE: resultFile,
  };
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', RUNNER], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', fail);
    child.on('exit', (code) => {
      if (code !== 0) return fail(new Error(`${entry} exited with ${code}:\n${output}`));
      done(JSON.parse(readFileSync(resultFile, 'utf8')) as Invocation);
    });
  });
};

const ENTRIES = ['functions/tasks/create-task.ts', 'functions/tasks/get-task.ts'];

beforeAll(async () => {
  for (const entry of ENTRIES) bundles[entry] = await bundle(entry);
}, 120_000);
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('deployed bundles against DynamoDB Local', () => {
  it('are built with the replacements and without the event-stream codec', () => {
    const code = readFileSync(bundles['functions/tasks/get-task.ts'] ?? '', 'utf8');
    expect(code).toContain('AWS SDK event streams are not bundled');
    expect(code).not.toContain('EventStreamCodec');
    // The default credential chain's profile, SSO and web-identity providers are not in it.
    expect(code).not.toMatch(/Could not load credentials from any providers|AWS_WEB_IDENTITY_TOKEN_FILE|sso_start_url|AWS_CONTAINER_CREDENTIALS/);
  });

  it('create a task once per Idempotency-Key and read it back, with credentials from the environment', async () => {
    const create = apiEvent('POST', '/v1/tasks', { user, body: { title: 'Bundled', tags: ['Deploy'] }, headers: { 'idempotency-key': `k-${Date.now()}` } });
    const created = await invoke('functions/tasks/create-task.ts', create);
    expect(created.statusCode).toBe(201);
    const task = JSON.parse(created.body ?? '{}') as { id: string; title: string; tags: string[] };
    expect(task).toMatchObject({ title: 'Bundled', tags: ['deploy'] });

    const replayed = await invoke('functions/tasks/create-task.ts', create);
    expect(replayed.statusCode).toBe(201);
    expect(JSON.parse(replayed.body ?? '{}').id).toBe(task.id);

    const read = await invoke('functions/tasks/get-task.ts', apiEvent('GET', `/v1/tasks/${task.id}`, { user, route: '/v1/tasks/{taskId}', pathParameters: { taskId: task.id } }));
    expect(read.statusCode).toBe(200);
    expect(JSON.parse(read.body ?? '{}')).toMatchObject({ id: task.id, title: 'Bundled' });
  });

  it('answer problem+json for a task that does not exist', async () => {
    const missing = await invoke('functions/tasks/get-task.ts', apiEvent('GET', '/v1/tasks/nope', { user, route: '/v1/tasks/{taskId}', pathParameters: { taskId: 'nope' } }));
    expect(missing.statusCode).toBe(404);
    expect(missing.headers?.['content-type']).toBe('application/problem+json');
  });
});
