// The Lambda Invoke API, offline (AWS_ENDPOINT_URL_LAMBDA): `POST /2015-03-31/functions/{name}/invocations`
// runs the named local function in-process through local/lambda.ts `invoke` — the same module instance
// (warm container) the gateway and the event source mappings use — and answers like Lambda:
//   RequestResponse (default)  200 with the result as JSON; a function error is also a 200, with
//                              `X-Amz-Function-Error: Unhandled` and {errorType, errorMessage, trace}
//   Event                      202 at once; the function runs in the background (errors are logged,
//                              not retried)
//   DryRun                     204 when the function exists
// An unknown function is a 404 ResourceNotFoundException, a body that is not JSON a 400
// InvalidRequestContentException, an oversized one a 413 RequestTooLargeException. The function name may
// be a name, a partial ARN or an ARN, with `$LATEST` as the only qualifier. `X-Amz-Log-Type: Tail` is
// accepted, but no log tail is returned (handlers log to this process's output).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { FunctionTimeout, LOCAL_ACCOUNT_ID, LOCAL_REGION, invoke } from '#local/lambda';
import { listenOnLoopback } from '#local/ports';

export interface LocalFunction {
  /** Module (from `root`) exporting `handler`. */
  handlerPath: string;
  timeoutMs: number;
}

export interface LambdaApiOptions {
  /** Port to listen on (loopback); omitted → a free one. */
  port?: number;
  /** The local function of that name (e.g. `taskwell-record-audit-entries`), or undefined. */
  functions: (name: string) => LocalFunction | undefined;
  /** The repository root the handler paths are relative to. */
  root: string;
  /** Where background (Event) failures are reported (default console.error). */
  log?: (message: string, error?: unknown) => void;
}

export interface LambdaApi {
  /** Endpoint for AWS_ENDPOINT_URL_LAMBDA. */
  endpoint: string;
  /** Stops listening and waits for background (Event) invocations to end. */
  stop(): Promise<void>;
}

/** Lambda's payload quotas: 6 MB each way when synchronous, 1 MB for an asynchronous (Event) request. */
export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
export const MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024;

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const NAME = /^(?:arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):function:|(\d{12}):function:)?([a-zA-Z0-9_.-]{1,140})(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/;

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const functionArn = (name: string, qualifier?: string) =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${name}${qualifier ? `:${qualifier}` : ''}`;

/** `{errorType, errorMessage, trace}` as the Node.js runtime reports an error the handler did not catch. */
export const functionErrorPayload = (error: unknown, requestId: string) => {
  if (error instanceof FunctionTimeout) {
    return { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: ${error.message.replace(/ \(.*\)$/, '')}` };
  }
  if (error instanceof Error) {
    return { errorType: error.name || 'Error', errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
};

const readBody = (req: IncomingMessage, limit: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () =>
      tooLarge
        ? reject(new ApiError(413, 'RequestTooLargeException', `Request must be smaller than ${limit} bytes for the InvokeFunction operation`))
        : resolve(Buffer.concat(chunks)),
    );
    req.on('error', reject);
  });

export const startLambdaApi = async (options: LambdaApiOptions): Promise<LambdaApi> => {
  const log = options.log ?? ((message: string, error?: unknown) => console.error(`[lambda] ${message}`, ...(error === undefined ? [] : [error])));
  const background = new Set<Promise<unknown>>();

  const resolveFunction = (rawName: string, qualifierParam: string | null) => {
    const match = NAME.exec(rawName);
    if (!match) {
      throw new ApiError(
        400,
        'ValidationException',
        `1 validation error detected: Value '${rawName}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern`,
      );
    }
    const [, region, account, partialAccount, name, nameQualifier] = match;
    const qualifier = qualifierParam ?? nameQualifier;
    const fn = options.functions(name!);
    const foreign = (region && region !== LOCAL_REGION) || ((account ?? partialAccount) && (account ?? partialAccount) !== LOCAL_ACCOUNT_ID);
    if (!fn || foreign || (qualifier && qualifier !== '$LATEST')) {
      throw new ApiError(404, 'ResourceNotFoundException', `Function not found: ${functionArn(name!, qualifier)}`);
    }
    return { name: name!, fn };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = INVOKE_PATH.exec(url.pathname);
    if (!path || req.method !== 'POST') throw new ApiError(404, 'UnknownOperationException', `The local Lambda API serves only Invoke (POST /2015-03-31/functions/{name}/invocations).`);
    const { name, fn } = resolveFunction(decodeURIComponent(path[1]!), url.searchParams.get('Qualifier'));
    const invocationType = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (!['RequestResponse', 'Event', 'DryRun'].includes(invocationType)) {
      throw new ApiError(400, 'InvalidParameterValueException', `Unsupported invocation type ${invocationType}`);
    }
    const body = await readBody(req, invocationType === 'Event' ? MAX_ASYNC_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES);
    let event: unknown = {};
    if (body.length > 0) {
      try {
        event = JSON.parse(body.toString('utf8'));
      } catch (error) {
        throw new ApiError(400, 'InvalidRequestContentException', `Could not parse request body into json: ${(error as Error).message}`);
      }
    }
    const requestId = randomUUID();
    const common = { 'x-amzn-requestid': requestId };
    if (invocationType === 'DryRun') {
      res.writeHead(204, common);
      return res.end();
    }
    if (invocationType === 'Event') {
      const run = invoke(options.root, fn.handlerPath, name, event, fn.timeoutMs)
        .catch((error: unknown) => log(`${name}: asynchronous invocation ${requestId} failed`, error))
        .finally(() => background.delete(run));
      background.add(run);
      res.writeHead(202, { ...common, 'content-length': '0' });
      return res.end();
    }
    let payload: string;
    let functionError = false;
    try {
      const result = await invoke(options.root, fn.handlerPath, name, event, fn.timeoutMs);
      payload = JSON.stringify(result) ?? 'null';
      if (Buffer.byteLength(payload) > MAX_SYNC_PAYLOAD_BYTES) {
        functionError = true;
        payload = JSON.stringify({
          errorType: 'Function.ResponseSizeTooLarge',
          errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_SYNC_PAYLOAD_BYTES} bytes).`,
        });
      }
    } catch (error) {
      functionError = true;
      payload = JSON.stringify(functionErrorPayload(error, requestId));
    }
    res.writeHead(200, {
      ...common,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      'x-amz-executed-version': '$LATEST',
      ...(functionError ? { 'x-amz-function-error': 'Unhandled' } : {}),
    });
    res.end(payload);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const e = error instanceof ApiError ? error : new ApiError(500, 'ServiceException', 'Internal failure of the local Lambda API.');
      if (!(error instanceof ApiError)) log('request failed', error);
      if (res.headersSent) return res.destroy();
      const text = JSON.stringify({ Type: e.status >= 500 ? 'Service' : 'User', message: e.message });
      res.writeHead(e.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-amzn-errortype': e.code, 'x-amzn-requestid': randomUUID() });
      res.end(text);
    });
  });

  const port = await listenOnLoopback(server, options.port);

  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await Promise.allSettled([...background]);
    },
  };
};
