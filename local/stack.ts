// The whole system on one machine: DynamoDB Local, cognito-local, the SES mail viewer, the HTTP API
// (shared route table → handlers in-process) and the event pipeline (local/event-pipeline.ts). Used by `npm start` (local/start.ts) and by the
// e2e tests' globalSetup (test/support/e2e-setup.ts). All local wiring lives here, as environment
// variables the handlers already read in AWS: handlers never branch on "local".
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTable, localDynamoClient, startDynamoDbLocal, type DynamoDbLocal } from '#local/dynamodb';
import { DEFAULT_CONFIRMATION_CODE, startCognitoLocal, type CognitoLocal } from '#local/cognito';
import { startMailViewer, type MailViewer } from '#local/mail';
import { startGateway, type Gateway } from '#local/gateway';
import { DEFAULT_DEMO_PASSWORD, DEMO_ACCOUNTS, seedDemoAccounts, type DemoAccount } from '#local/seed';
import { LOCAL_REGION } from '#local/lambda';
import { buildConsole } from '#local/console';
import { DEFAULT_QUOTA } from '#shared/domain/quota';
import { setReadinessCheck } from '#shared/health/readiness';
import { LOCAL_EVENT_BUS, startEventDrivers, startEventServices, writeRuntimeInfo, type EventDrivers, type EventServices } from '#local/event-pipeline';

/** The repository root (handler paths in shared/routes.ts are relative to it). */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface LocalStackOptions {
  /** Persist DynamoDB and Cognito data here (`<dataDir>/dynamodb`, `<dataDir>/cognito`); omitted → in memory / temp dir. */
  dataDir?: string;
  /** Ports; `undefined` → a free one. `preferred` ports are used when free, else a free one. */
  ports?: { api?: number; dynamodb?: number; cognito?: number; mail?: number };
  tableName?: string;
  confirmationCode?: string;
  demoPassword?: string;
  /** POWERTOOLS_LOG_LEVEL of the handlers. */
  logLevel?: string;
  /** Print one line per API request. */
  logRequests?: boolean;
  /** Seed the demo accounts (default true). */
  seed?: boolean;
  /** Called once if an emulator dies while the stack is up (the stack is not usable any more). */
  onFatal?: (error: Error) => void;
  /** Overrides every queue's visibility timeout (seconds): tests compress the time a failed message waits. */
  queueVisibilityTimeoutSeconds?: number;
  /** Write the endpoints here for `npm run dlq` (default `<dataDir>/runtime.json` when persistent); removed on stop. */
  runtimeFile?: string;
  /** Requests per minute each user may make on authenticated routes (the stack setting `taskwell:requestQuotaPerMinute`). Default 100. */
  requestQuotaPerMinute?: number;
}

export interface LocalStack {
  apiUrl: string;
  apiPort: number;
  mailUrl: string;
  cognitoEndpoint: string;
  dynamoEndpoint: string;
  userPoolId: string;
  userPoolClientId: string;
  confirmationCode: string;
  tableName: string;
  demoPassword: string;
  demoAccounts: readonly DemoAccount[];
  /** What seeding could not do (e.g. an auth route not implemented yet); empty when all is well. */
  seedProblems: string[];
  /** Whether the JWKS could be handed to the token verifier (false → authenticated routes answer 500). */
  jwksPrimed: boolean;
  eventBridgeEndpoint: string;
  eventBusName: string;
  sqsEndpoint: string;
  /** SES as the functions see it: the fault proxy (PUT /_local/faults) in front of the mail viewer. */
  sesEndpoint: string;
  lambdaEndpoint: string;
  runtimeFile?: string;
  stop(): Promise<void>;
}

/** The configuration every function reads from its environment, in AWS set by the CDK stacks. */
export const functionEnvironment = (s: {
  tableName: string;
  userPoolId: string;
  userPoolClientId: string;
  dynamoEndpoint: string;
  cognitoEndpoint: string;
  mailUrl: string;
  logLevel: string;
  requestQuotaPerMinute?: number;
}): Record<string, string> => ({
  REQUEST_QUOTA_PER_MINUTE: String(s.requestQuotaPerMinute ?? DEFAULT_QUOTA.limit),
  TABLE_NAME: s.tableName,
  USER_POOL_ID: s.userPoolId,
  USER_POOL_CLIENT_ID: s.userPoolClientId,
  AWS_REGION: LOCAL_REGION,
  AWS_DEFAULT_REGION: LOCAL_REGION,
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_ENDPOINT_URL_DYNAMODB: s.dynamoEndpoint,
  AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: s.cognitoEndpoint,
  AWS_ENDPOINT_URL_SES: s.mailUrl,
  AWS_ENDPOINT_URL_SESV2: s.mailUrl,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_SERVICE_NAME: 'taskwell',
  POWERTOOLS_METRICS_NAMESPACE: 'Taskwell',
  POWERTOOLS_LOG_LEVEL: s.logLevel,
  POWERTOOLS_METRICS_DISABLED: 'true',
  TASKWELL_VERSION: process.env.TASKWELL_VERSION ?? 'local',
  // Admin rights need MFA only when asked for (`ADMIN_MFA_REQUIRED=true npm start`); the AWS default is off too.
  ADMIN_MFA_REQUIRED: process.env.ADMIN_MFA_REQUIRED === 'true' ? 'true' : 'false',
});

const applyEnvironment = (env: Record<string, string>) => {
  // Nothing from a developer's real AWS setup may leak into the local stack.
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_PROFILE', 'AWS_ENDPOINT_URL']) delete process.env[name];
  Object.assign(process.env, env);
};

/** Hands cognito-local's JWKS to the authorizer's verifier (it would otherwise fetch the real Cognito URL). */
const primeJwks = async (cognitoEndpoint: string, userPoolId: string): Promise<boolean> => {
  const response = await fetch(`${cognitoEndpoint}/${userPoolId}/.well-known/jwks.json`);
  if (!response.ok) throw new Error(`cognito-local JWKS answered ${response.status}`);
  const jwks: unknown = await response.json();
  const specifier = '#shared/auth/token-verifier';
  let verifier: { primeJwks?: (jwks: unknown) => void };
  try {
    verifier = (await import(specifier)) as typeof verifier;
  } catch (error) {
    console.warn(`[taskwell] could not load ${specifier} (${(error as Error).message}); authenticated routes cannot verify tokens.`);
    return false;
  }
  if (typeof verifier.primeJwks !== 'function') {
    console.warn(`[taskwell] ${specifier} does not export primeJwks(jwks); authenticated routes cannot verify tokens.`);
    return false;
  }
  verifier.primeJwks(jwks);
  return true;
};

export const startLocalStack = async (options: LocalStackOptions = {}): Promise<LocalStack> => {
  const persistent = options.dataDir !== undefined;
  const cognitoDir = persistent ? join(options.dataDir!, 'cognito') : mkdtempSync(join(tmpdir(), 'taskwell-cognito-'));
  mkdirSync(cognitoDir, { recursive: true });
  if (persistent) mkdirSync(join(options.dataDir!, 'logs'), { recursive: true });
  const confirmationCode = options.confirmationCode ?? DEFAULT_CONFIRMATION_CODE;
  const demoPassword = options.demoPassword ?? DEFAULT_DEMO_PASSWORD;
  const tableName = options.tableName ?? 'taskwell';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

  let stopping = false;
  let fatalReported = false;
  let dynamo: DynamoDbLocal | undefined;
  let cognito: CognitoLocal | undefined;
  let mail: MailViewer | undefined;
  let gateway: Gateway | undefined;
  let events: EventServices | undefined;
  let drivers: EventDrivers | undefined;
  let removeRuntimeInfo: (() => void) | undefined;
  // GET /v1/health answers 200 only once nothing is left here: scripts that wait for it can use the stack at once.
  const waitingFor = new Map<string, string>([
    ['jwks', 'the token verifier (cognito-local JWKS)'],
    ['pipeline', 'the event pipeline'],
    ['seed', 'the demo accounts'],
  ]);
  setReadinessCheck(() => [...waitingFor.values()]);

  const stop = async () => {
    stopping = true;
    waitingFor.set('stopping', 'the stack is stopping');
    removeRuntimeInfo?.();
    // Drivers first (nothing new is invoked), then the services they call, then the emulators.
    await drivers?.stop();
    await Promise.allSettled([gateway?.stop(), events?.stop()]);
    await Promise.allSettled([mail?.stop(), cognito?.stop(), dynamo?.stop()]);
    if (!persistent) rmSync(cognitoDir, { recursive: true, force: true });
  };

  try {
    const [dynamoResult, cognitoResult, mailResult] = await Promise.allSettled([
      startDynamoDbLocal({ port: options.ports?.dynamodb, dataDir: persistent ? join(options.dataDir!, 'dynamodb') : undefined }),
      startCognitoLocal({
        port: options.ports?.cognito,
        dataDir: cognitoDir,
        confirmationCode,
        logFile: persistent ? join(options.dataDir!, 'logs', 'cognito-local.log') : undefined,
      }),
      startMailViewer({ port: options.ports?.mail }),
    ]);
    if (dynamoResult.status === 'fulfilled') dynamo = dynamoResult.value;
    if (cognitoResult.status === 'fulfilled') cognito = cognitoResult.value;
    if (mailResult.status === 'fulfilled') mail = mailResult.value;
    const failed = [dynamoResult, cognitoResult, mailResult].find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    if (!dynamo || !cognito || !mail) throw new Error('unreachable');

    const client = localDynamoClient(dynamo.endpoint);
    try {
      await ensureTable(client, tableName);
    } finally {
      client.destroy();
    }

    events = await startEventServices({
      root: REPO_ROOT,
      mailUrl: mail.url,
      visibilityTimeoutSeconds: options.queueVisibilityTimeoutSeconds,
      executionsFile: persistent ? join(options.dataDir!, 'stepfunctions-executions.jsonl') : undefined,
    });

    // Before any handler module is imported: the functions' configuration, as the CDK sets it.
    applyEnvironment({
      ...functionEnvironment({
        tableName,
        userPoolId: cognito.userPoolId,
        userPoolClientId: cognito.userPoolClientId,
        dynamoEndpoint: dynamo.endpoint,
        cognitoEndpoint: cognito.endpoint,
        mailUrl: mail.url,
        logLevel: options.logLevel ?? 'WARN',
        requestQuotaPerMinute: options.requestQuotaPerMinute,
      }),
      ...events.environment,
    });
    const jwksPrimed = await primeJwks(cognito.endpoint, cognito.userPoolId);
    if (jwksPrimed) waitingFor.delete('jwks');
    else waitingFor.set('jwks', 'the token verifier could not be primed with the local JWKS');

    // The admin console is static: built once (again only when its sources changed), served by the gateway.
    await buildConsole({ root: REPO_ROOT });
    gateway = await startGateway({ root: REPO_ROOT, port: options.ports?.api ?? 0, console: true });
    // Links in emails point at the API, as in AWS without taskwell:appUrl.
    process.env.APP_URL = gateway.url;
    drivers = await startEventDrivers({
      root: REPO_ROOT,
      services: events,
      dynamoEndpoint: dynamo.endpoint,
      tableName,
      checkpointFile: persistent ? join(options.dataDir!, 'stream-checkpoint.json') : undefined,
    });
    waitingFor.delete('pipeline');

    const watch = (what: string, child: DynamoDbLocal['process'], output: () => string) =>
      child.once('exit', (code, signal) =>
        // A terminal's Ctrl-C reaches the emulators too; give our own shutdown a moment to begin.
        setTimeout(() => {
          if (stopping || fatalReported) return;
          fatalReported = true;
          waitingFor.set('fatal', `${what} stopped`);
          const error = new Error(`${what} stopped unexpectedly (${signal ?? `exit code ${code}`}); the local stack cannot work without it.${output() ? `\n${output().slice(-2_000)}` : ''}`);
          (options.onFatal ?? ((e: Error) => console.error(`[taskwell] ${e.message}`)))(error);
        }, 500).unref(),
      );
    watch('DynamoDB Local', dynamo.process, () => '');
    watch('cognito-local', cognito.process, cognito.output);

    const seedProblems =
      options.seed === false
        ? []
        : await seedDemoAccounts({
            apiUrl: gateway.url,
            cognitoEndpoint: cognito.endpoint,
            userPoolId: cognito.userPoolId,
            password: demoPassword,
            confirmationCode,
          });

    if (seedProblems.length === 0) waitingFor.delete('seed');
    else waitingFor.set('seed', `the demo accounts could not be seeded: ${seedProblems.join('; ')}`);

    gateway.logRequests = options.logRequests ?? false;
    const runtimeFile = options.runtimeFile ?? (persistent ? join(options.dataDir!, 'runtime.json') : undefined);
    if (runtimeFile) {
      removeRuntimeInfo = writeRuntimeInfo(runtimeFile, {
        apiUrl: gateway.url,
        mailUrl: mail.url,
        sqsEndpoint: events.sqs.endpoint,
        lambdaEndpoint: events.lambda.endpoint,
        eventBridgeEndpoint: events.eventBridge.endpoint,
        dynamoEndpoint: dynamo.endpoint,
        sesEndpoint: events.ses.url,
        stepFunctionsEndpoint: events.stepFunctions.endpoint,
      });
    }
    return {
      apiUrl: gateway.url,
      apiPort: gateway.port,
      mailUrl: mail.url,
      cognitoEndpoint: cognito.endpoint,
      dynamoEndpoint: dynamo.endpoint,
      userPoolId: cognito.userPoolId,
      userPoolClientId: cognito.userPoolClientId,
      confirmationCode,
      tableName,
      demoPassword,
      demoAccounts: DEMO_ACCOUNTS,
      seedProblems,
      jwksPrimed,
      eventBridgeEndpoint: events.eventBridge.endpoint,
      eventBusName: LOCAL_EVENT_BUS,
      sqsEndpoint: events.sqs.endpoint,
      sesEndpoint: events.ses.url,
      lambdaEndpoint: events.lambda.endpoint,
      runtimeFile,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};
