// Runs a Lambda handler module in-process, the way the Lambda runtime would: one module instance
// per handler file (imported once, so module scope survives between invocations like a warm
// container), a faithful Context, and the function's timeout.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';

export const LOCAL_ACCOUNT_ID = '123456789012';
export const LOCAL_REGION = 'us-east-1';

type Handler = (event: unknown, context: Context, callback?: (error: unknown, result?: unknown) => void) => unknown;

export class FunctionTimeout extends Error {
  constructor(functionName: string, timeoutMs: number) {
    super(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds (${functionName})`);
    this.name = 'FunctionTimeout';
  }
}

const modules = new Map<string, Promise<Handler>>();

/** Imports `<root>/<handlerPath>` once and returns its exported `handler`. */
export const loadHandler = (root: string, handlerPath: string): Promise<Handler> => {
  let loaded = modules.get(handlerPath);
  if (!loaded) {
    loaded = import(pathToFileURL(join(root, handlerPath)).href).then((mod: { handler?: unknown }) => {
      if (typeof mod.handler !== 'function') throw new Error(`${handlerPath} does not export a function named "handler"`);
      return mod.handler as Handler;
    });
    // A module that failed to load (e.g. a syntax error being fixed) is retried on the next call.
    loaded.catch(() => modules.delete(handlerPath));
    modules.set(handlerPath, loaded);
  }
  return loaded;
};

export const lambdaContext = (functionName: string, timeoutMs: number, memoryMb = 1024): Context => {
  const deadline = Date.now() + timeoutMs;
  const awsRequestId = randomUUID();
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

/**
 * Invokes the handler with `event`; resolves with its result, rejects with its error or with
 * FunctionTimeout. Supports async handlers and callback-style ones.
 */
export const invoke = async (root: string, handlerPath: string, functionName: string, event: unknown, timeoutMs: number): Promise<unknown> => {
  const handler = await loadHandler(root, handlerPath);
  const context = lambdaContext(functionName, timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FunctionTimeout(functionName, timeoutMs)), timeoutMs);
  });
  const run = new Promise<unknown>((resolve, reject) => {
    const callback = (error: unknown, result?: unknown) => (error ? reject(error) : resolve(result));
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof (returned as Promise<unknown>).then === 'function') (returned as Promise<unknown>).then(resolve, reject);
      else if (handler.length < 3) resolve(returned);
    } catch (error) {
      reject(error);
    }
  });
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
};
