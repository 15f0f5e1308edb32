// The local Lambda Invoke API (local/lambda-api.ts), driven by the real @aws-sdk/client-lambda as the
// DLQ tooling and handlers would drive it through AWS_ENDPOINT_URL_LAMBDA.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLambdaApi, type LambdaApi } from '#local/lambda-api';
import { waitFor } from '#local/ports';

const root = fileURLToPath(new URL('.', import.meta.url));
const functions: Record<string, { handlerPath: string; timeoutMs: number }> = {
  'taskwell-fixture': { handlerPath: 'fixtures/invoke-fixture.ts', timeoutMs: 3_000 },
  'taskwell-impatient': { handlerPath: 'fixtures/invoke-fixture.ts', timeoutMs: 100 },
};

let api: LambdaApi;
let lambda: LambdaClient;
let scratch: string;

beforeAll(async () => {
  api = await startLambdaApi({ root, functions: (name) => functions[name] });
  lambda = new LambdaClient({ endpoint: api.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  scratch = mkdtempSync(join(tmpdir(), 'taskwell-lambda-api-'));
});

afterAll(async () => {
  lambda?.destroy();
  await api?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decoded = (bytes: Uint8Array | undefined): unknown => JSON.parse(new TextDecoder().decode(bytes));

describe('the local Lambda Invoke API', () => {
  it('runs the named function with the payload and answers its result', async () => {
    const answer = await lambda.send(new InvokeCommand({ FunctionName: 'taskwell-fixture', Payload: payload({ action: 'echo', n: 42 }) }));
    expect(answer.StatusCode).toBe(200);
    expect(answer.FunctionError).toBeUndefined();
    expect(answer.ExecutedVersion).toBe('$LATEST');
    expect(decoded(answer.Payload)).toMatchObject({ event: { action: 'echo', n: 42 }, functionName: 'taskwell-fixture', hasTimeLeft: true });
  });

  it('keeps the module warm between invocations, like a Lambda container', async () => {
    const first = decoded((await lambda.send(new InvokeCommand({ FunctionName: 'taskwell-fixture', Payload: payload({ action: 'echo' }) }))).Payload) as { invocations: number };
    const second = decoded((await lambda.send(new InvokeCommand({ FunctionName: 'taskwell-fixture', Payload: payload({ action: 'echo' }) }))).Payload) as { invocations: number };
    expect(second.invocations).toBe(first.invocations + 1);
  });

  it('accepts the function ARN, a partial ARN and the $LATEST qualifier', async () => {
    for (const FunctionName of [
      'arn:aws:lambda:us-east-1:123456789012:function:taskwell-fixture',
      '123456789012:function:taskwell-fixture',
      'taskwell-fixture:$LATEST',
    ]) {
      const answer = await lambda.send(new InvokeCommand({ FunctionName, Payload: payload({ action: 'echo', via: FunctionName }) }));
      expect(decoded(answer.Payload)).toMatchObject({ event: { via: FunctionName }, functionName: 'taskwell-fixture' });
    }
  });

  it('reports an error the function throws as an Unhandled function error, not an API error', async () => {
    const answer = await lambda.send(new InvokeCommand({ FunctionName: 'taskwell-fixture', Payload: payload({ action: 'fail', message: 'no such task' }) }));
    expect(answer.StatusCode).toBe(200);
    expect(answer.FunctionError).toBe('Unhandled');
    const error = decoded(answer.Payload) as { errorType: string; errorMessage: string; trace: string[] };
    expect(error).toMatchObject({ errorType: 'TypeError', errorMessage: 'no such task' });
    expect(error.trace[0]).toBe('TypeError: no such task');
  });

  it('reports a function that outlives its timeout as Sandbox.Timedout', async () => {
    const answer = await lambda.send(new InvokeCommand({ FunctionName: 'taskwell-impatient', Payload: payload({ action: 'sleep', ms: 1_000 }) }));
    expect(answer.FunctionError).toBe('Unhandled');
    expect(decoded(answer.Payload)).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringContaining('Task timed out after 0.10 seconds') });
  });

  it('answers null for a function that returns nothing, and passes {} for an empty payload', async () => {
    const answer = await lambda.send(new InvokeCommand({ FunctionName: 'taskwell-fixture' }));
    expect(answer.StatusCode).toBe(200);
    expect(answer.FunctionError).toBeUndefined();
    expect(decoded(answer.Payload)).toBeNull();
  });

  it('answers an Event invocation with 202 at once and runs the function in the background', async () => {
    const file = join(scratch, 'event.txt');
    const answer = await lambda.send(
      new InvokeCommand({ FunctionName: 'taskwell-fixture', InvocationType: 'Event', Payload: payload({ action: 'write', path: file, content: 'ran' }) }),
    );
    expect(answer.StatusCode).toBe(202);
    expect(answer.Payload?.length ?? 0).toBe(0);
    await waitFor('the background invocation', async () => {
      if (!existsSync(file) || readFileSync(file, 'utf8') !== 'ran') throw new Error('not written yet');
    }, 5_000);
    expect(readFileSync(file, 'utf8')).toBe('ran');
  });

  it('answers a DryRun with 204 without running the function', async () => {
    const file = join(scratch, 'dry-run.txt');
    const answer = await lambda.send(
      new InvokeCommand({ FunctionName: 'taskwell-fixture', InvocationType: 'DryRun', Payload: payload({ action: 'write', path: file, content: 'ran' }) }),
    );
    expect(answer.StatusCode).toBe(204);
    // A RequestResponse call after the dry run has finished, so a write would have happened by now.
    await lambda.send(new InvokeCommand({ FunctionName: 'taskwell-fixture', Payload: payload({ action: 'echo' }) }));
    expect(existsSync(file)).toBe(false);
  });

  it('refuses an unknown function, a foreign account, an unknown qualifier and a body that is not JSON like Lambda', async () => {
    for (const FunctionName of ['taskwell-nope', 'arn:aws:lambda:us-east-1:999999999999:function:taskwell-fixture', 'taskwell-fixture:7']) {
      await expect(lambda.send(new InvokeCommand({ FunctionName, Payload: payload({}) }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
        $metadata: { httpStatusCode: 404 },
      });
    }
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'taskwell-fixture', Payload: new TextEncoder().encode('{not json') })),
    ).rejects.toMatchObject({ name: 'InvalidRequestContentException', $metadata: { httpStatusCode: 400 } });
  });
});
