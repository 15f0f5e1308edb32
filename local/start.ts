// `npm start`: the whole of Taskwell offline, with data kept under `.taskwell/` between runs.
//   npm start                 start (or resume) the local stack
//   npm start -- --reset      wipe `.taskwell/` first, then start clean
// Environment: PORT (API, default 3000), TASKWELL_DYNAMODB_PORT / TASKWELL_COGNITO_PORT /
// TASKWELL_MAIL_PORT (defaults 8000 / 9229 / 8005, or any free port when those are taken),
// TASKWELL_DATA_DIR, TASKWELL_DEMO_PASSWORD, TASKWELL_CONFIRMATION_CODE, POWERTOOLS_LOG_LEVEL.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { REPO_ROOT, startLocalStack, type LocalStack } from '#local/stack';
import { choosePort, portFromEnv } from '#local/ports';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log('Usage: npm start [-- --reset]\n  --reset   delete the local data (.taskwell/) and start clean\nSee docs/local-runtime.md.');
  process.exit(0);
}
const unknown = args.filter((a) => a !== '--reset');
if (unknown.length) {
  console.error(`Unknown option(s): ${unknown.join(' ')}. Usage: npm start [-- --reset]`);
  process.exit(2);
}

const dataDir = resolve(REPO_ROOT, process.env.TASKWELL_DATA_DIR ?? '.taskwell');
const shownDataDir = dataDir.startsWith(process.cwd()) ? relative(process.cwd(), dataDir) || '.' : dataDir;
const lockFile = join(dataDir, 'taskwell.pid');

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const takeLock = () => {
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new Error(`Another local stack (pid ${pid}) is using ${shownDataDir}/. Stop it first, or set TASKWELL_DATA_DIR to run a second one.`);
    }
  }
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(lockFile, String(process.pid));
};
const releaseLock = () => {
  try {
    if (existsSync(lockFile) && readFileSync(lockFile, 'utf8').trim() === String(process.pid)) rmSync(lockFile);
  } catch {
    // best effort
  }
};

let stack: LocalStack | undefined;
let starting: Promise<LocalStack> | undefined;
let shuttingDown = false;
const shutdown = async (code: number, why?: string) => {
  if (shuttingDown) return;
  shuttingDown = true;
  if (why) console.log(`\n[taskwell] ${why}`);
  // A signal during start-up: wait for what is starting, then stop it (no orphaned emulators).
  const running = stack ?? (await starting?.catch(() => undefined));
  await running?.stop();
  releaseLock();
  process.exit(code);
};

const banner = (s: LocalStack) => {
  const api = `http://localhost:${s.apiPort}`;
  const lines = [
    '',
    'Taskwell is running offline.',
    '',
    `  API              ${api}`,
    `  OpenAPI          ${api}/v1/openapi.json`,
    `  Admin console    ${api}/console/   (sign in as admin@example.com)`,
    `  Health           ${api}/v1/health`,
    `  Mail viewer      ${s.mailUrl.replace('127.0.0.1', 'localhost')}   (mail the system sends; JSON at /store)`,
    `  Cognito (local)  ${s.cognitoEndpoint}   pool ${s.userPoolId}, app client ${s.userPoolClientId}`,
    `  DynamoDB Local   ${s.dynamoEndpoint}   table ${s.tableName} (its stream feeds the event pipeline)`,
    `  EventBridge      ${s.eventBridgeEndpoint}   bus ${s.eventBusName}, rules of shared/events/rules.ts`,
    `  SQS              ${s.sqsEndpoint}   queues and DLQs of shared/events/queues.ts (npm run dlq)`,
    `  Lambda API       ${s.lambdaEndpoint}   every function by name, e.g. taskwell-events-publish-events`,
    `  SES faults       ${s.sesEndpoint}/_local/faults   (PUT {"failAll":true} to rehearse an SES outage)`,
    `  Data             ${shownDataDir}/   (persists across restarts; logs in ${shownDataDir}/logs/)`,
    '',
    `  Demo accounts    admin@example.com (admins group), user@example.com`,
    `  Password         ${s.demoPassword}${process.env.TASKWELL_DEMO_PASSWORD ? '   (from TASKWELL_DEMO_PASSWORD)' : ''}`,
    `  Confirmation code for new sign-ups: ${s.confirmationCode}`,
    '',
    `  Try: curl -s ${api}/v1/auth/login -H 'content-type: application/json' -d '{"email":"user@example.com","password":"${s.demoPassword}"}'`,
    '',
    `Start clean: npm start -- --reset   ·   Stop: Ctrl-C   ·   More: docs/local-runtime.md`,
  ];
  if (!s.jwksPrimed) lines.push('', 'WARNING: the token verifier could not be primed with the local JWKS; authenticated routes will fail.');
  if (s.seedProblems.length) {
    lines.push('', 'WARNING: the demo accounts could not be fully seeded:', ...s.seedProblems.map((p) => `  - ${p}`));
  }
  lines.push('', 'Requests:');
  console.log(lines.join('\n'));
};

const main = async () => {
  const started = Date.now();
  if (args.includes('--reset')) {
    // Never wipe a directory a running stack is using.
    if (existsSync(lockFile)) {
      const pid = Number(readFileSync(lockFile, 'utf8').trim());
      if (pid && isAlive(pid)) throw new Error(`Cannot reset: a local stack (pid ${pid}) is using ${shownDataDir}/. Stop it first.`);
    }
    rmSync(dataDir, { recursive: true, force: true });
    console.log(`[taskwell] reset: deleted ${shownDataDir}/`);
  }
  takeLock();

  const apiPort = portFromEnv('PORT') ?? 3000;
  const ports = {
    api: await choosePort('API', { explicit: apiPort, envName: process.env.PORT ? 'PORT' : undefined }),
    dynamodb: await choosePort('DynamoDB Local', { explicit: portFromEnv('TASKWELL_DYNAMODB_PORT'), envName: 'TASKWELL_DYNAMODB_PORT', preferred: 8000 }),
    cognito: await choosePort('cognito-local', { explicit: portFromEnv('TASKWELL_COGNITO_PORT'), envName: 'TASKWELL_COGNITO_PORT', preferred: 9229 }),
    mail: await choosePort('mail viewer', { explicit: portFromEnv('TASKWELL_MAIL_PORT'), envName: 'TASKWELL_MAIL_PORT', preferred: 8005 }),
  };
  // Distinct even when several fell back to "any free port".
  if (new Set(Object.values(ports)).size !== 4) throw new Error(`Port clash: ${JSON.stringify(ports)}`);

  console.log(`[taskwell] starting DynamoDB Local, cognito-local, the mail viewer and the event pipeline…`);
  starting = startLocalStack({
    dataDir,
    ports,
    confirmationCode: process.env.TASKWELL_CONFIRMATION_CODE,
    demoPassword: process.env.TASKWELL_DEMO_PASSWORD,
    requestQuotaPerMinute: Number(process.env.TASKWELL_REQUEST_QUOTA_PER_MINUTE) || undefined,
    logLevel: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    logRequests: true,
    onFatal: (error) => {
      console.error(`\n[taskwell] ${error.message}`);
      void shutdown(1, 'stopping the local stack.');
    },
  });
  stack = await starting;
  if (shuttingDown) return;
  banner(stack);
  console.log(`  (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
};

let firstSignalAt: number | undefined;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    // A terminal's Ctrl-C arrives twice (from the terminal and forwarded by npm): only a later,
    // deliberate second Ctrl-C forces the exit.
    firstSignalAt ??= Date.now();
    if (signal === 'SIGINT' && Date.now() - firstSignalAt > 1_000) {
      console.log('\n[taskwell] forced exit');
      releaseLock();
      process.exit(130);
    }
    void shutdown(0, `${signal}: stopping the local stack…`);
  });
}
// If whatever started us goes away (a killed `npm`/shell), do not leave the emulators running.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) void shutdown(0, 'parent process exited: stopping the local stack…');
}, 1_000).unref();
process.on('uncaughtException', (error) => {
  console.error('[taskwell] unexpected error:', error);
  void shutdown(1);
});

main().catch(async (error: unknown) => {
  if (shuttingDown) return; // stopped during start-up: shutdown() reports and exits
  console.error(`\n[taskwell] could not start: ${error instanceof Error ? error.message : String(error)}`);
  releaseLock();
  process.exit(1);
});
