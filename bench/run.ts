// `npm run bench` — the benchmark suite, in one run:
//   1. bundle size and cold init of every function (as deployed) against a bare floor, plus why (bundle
//      analysis, init profile, measured what-ifs);
//   2. warm handler latency against DynamoDB Local, as a ratio to the raw DynamoDB calls it makes;
//   3. the local HTTP stack under a 70/30 read/write mix (autocannon), which must answer only 2xx;
//   4. DynamoDB capacity, request counts and domain events of every route;
//   5. a cost model per million mixed requests at AWS list prices.
// Writes docs/benchmarks.md (+ chart SVGs beside it) and prints PASS/FAIL per budget. Exit 1 when the load test
// saw an error or a part of the bench failed; with --strict also when a budget is missed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO_ROOT, startLocalStack, type LocalStack } from '#local/stack';
import { parseArgs, USAGE, type BenchConfig } from './config.ts';
import { machineInfo } from './machine.ts';
import { buildFloor, lambdaEnvironment, measureBundles, synthesizeBundles, type BundleResults } from './bundles.ts';
import { analyseBundle, measureEntries, measureWhatIfs, profileInit, sourceMapCost } from './analysis.ts';
import { DdbRecorder, type MetricsLike } from './ddb-recorder.ts';
import { mapLimit, registerUser } from './api-client.ts';
import { measureCapacity } from './capacity.ts';
import { measureHandlers } from './handlers.ts';
import { runLoad } from './load.ts';
import { costLevers, costModel, type CostInput } from './cost.ts';
import { evaluateBudgets, renderCharts, renderReport, type BenchRun } from './report.ts';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}

const started = Date.now();
const log = (line: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

/** Runs one part; a failure is reported and the other parts still run. */
const part = async <T>(name: string, run: BenchRun, fn: () => Promise<T>): Promise<T | undefined> => {
  log(`${name}…`);
  try {
    return await fn();
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    run.errors.push({ part: name, message });
    log(`${name} FAILED: ${message.split('\n').slice(0, 6).join('\n')}`);
    return undefined;
  }
};

const main = async (config: BenchConfig): Promise<number> => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const tmp = mkdtempSync(join(tmpdir(), 'taskwell-bench-'));
  const run: BenchRun = { config, machine: machineInfo(REPO_ROOT), errors: [], startedAt: new Date().toISOString(), seconds: 0 };
  log(`${config.mode} run on ${run.machine.cpu} (${run.machine.cores} cores), Node ${run.machine.node}, commit ${run.machine.commit}${run.machine.dirty ? ' (uncommitted changes)' : ''}`);
  let cdkOut: string | undefined;
  let stack: LocalStack | undefined;
  try {
    // ---- 1. bundles and cold init (first, while nothing else runs on the machine) ----
    run.bundles = await part('bundles: synthesize the CDK app with bundling, measure cold init', run, async () => {
      const synthStarted = Date.now();
      const synth = await synthesizeBundles(REPO_ROOT, join(tmp, 'synth.json'));
      cdkOut = synth.outdir;
      const synthMs = Date.now() - synthStarted;
      log(`  ${synth.functions.length} functions bundled in ${(synthMs / 1000).toFixed(1)} s`);
      const floor = await buildFloor(REPO_ROOT, join(tmp, 'floor'));
      const results = await measureBundles(config, REPO_ROOT, synth, synthMs, floor, log);
      run.synth = synth;
      return results;
    });
    if (run.bundles && run.synth) {
      const bundles: BundleResults = run.bundles;
      const synth = run.synth;
      run.analysis = await part('bundle analysis and init profile', run, async () => {
        const deployed = (id: string) => bundles.functions.find((f) => f.id === id)?.bytes;
        const breakdowns = [];
        for (const [id, entry] of [
          ['tasks-get-task', 'functions/tasks/get-task.ts'],
          ['auth-login', 'functions/auth/login.ts'],
          ['auth-authorizer', 'functions/auth/authorizer.ts'],
        ] as const) {
          breakdowns.push(await analyseBundle(REPO_ROOT, entry, join(tmp, 'analysis', id), deployed(id)));
        }
        breakdowns.push(await analyseBundle(REPO_ROOT, 'bench/floor-entry.ts', join(tmp, 'analysis', 'floor'), bundles.floor.bytes));
        const fnOf = (id: string) => synth.functions.find((f) => f.id === id);
        const profiles = [];
        const sourceMaps = [];
        for (const id of ['tasks-get-task', 'auth-authorizer']) {
          const fn = fnOf(id);
          if (!fn) continue;
          const bundle = join(fn.assetDir, 'index.mjs');
          profiles.push(profileInit(id, bundle, lambdaEnvironment(fn), config.profileRuns, tmp));
          sourceMaps.push(sourceMapCost(id, bundle, lambdaEnvironment(fn), config.sourceMapRuns));
        }
        const getTask = fnOf('tasks-get-task');
        const whatIfs = await measureWhatIfs(
          REPO_ROOT,
          ['functions/tasks/get-task.ts', 'functions/auth/login.ts', 'functions/auth/authorizer.ts', 'bench/floor-entry.ts'],
          ['functions/tasks/get-task.ts', 'bench/floor-entry.ts'],
          getTask ? lambdaEnvironment(getTask) : process.env,
          config.sourceMapRuns,
          tmp,
        );
        const libraries = await measureEntries(REPO_ROOT, ['bench/what-if/zod-classic.ts', 'bench/what-if/zod-mini.ts'], tmp);
        return { breakdowns, profiles, sourceMaps, whatIfs, libraries };
      });
    }

    // ---- the local stack for parts 2–4 ----
    stack = await part('start the local stack (DynamoDB Local, cognito-local, mail, HTTP API)', run, () =>
      // The load phase sends far more than a user's quota a minute: the counter is still written (and measured), never a 429.
      startLocalStack({ tableName: 'taskwell-bench', logLevel: 'INFO', seed: false, requestQuotaPerMinute: 1_000_000_000, onFatal: (error) => log(`local stack: ${error.message}`) }),
    );
    if (stack) {
      const s = stack;
      if (!s.jwksPrimed) run.errors.push({ part: 'local stack', message: 'the token verifier was not primed: authenticated routes cannot work' });
      // Constants the functions are deployed with (e.g. MAIL_FROM of the consumers that email) that the local stack
      // does not set: the functions invoked in-process here read them from this process's environment.
      for (const fn of run.synth?.functions ?? []) {
        for (const [name, value] of Object.entries(fn.environment)) {
          if (typeof value === 'string' && name !== 'NODE_OPTIONS' && process.env[name] === undefined) {
            process.env[name] = value;
            log(`  ${name} set as deployed (${fn.id}): ${value}`);
          }
        }
      }
      const users = await part('register the bench users through the API', run, async () => {
        const [a, b, c, d] = await mapLimit(['a', 'b', 'c', 'd'], 4, (label) => registerUser(s.apiUrl, s.confirmationCode, label));
        return { a: a!, b: b!, c: c!, d: d! };
      });
      // The stores' one client (module scope, shared with the gateway's handlers): record what it sends.
      const { dynamodb } = await import('#shared/store/client');
      const { metrics } = await import('#shared/observability/powertools');
      const recorder = new DdbRecorder();
      recorder.attach(dynamodb);
      recorder.tapMetrics(metrics as unknown as MetricsLike);
      try {
        if (users) {
          run.capacity = await part('DynamoDB capacity of every route', run, () =>
            measureCapacity({ recorder, dynamoEndpoint: s.dynamoEndpoint, tableName: s.tableName, confirmationCode: s.confirmationCode, other: users.d, log }),
          );
          run.handlers = await part('warm handler latency vs raw DynamoDB calls', run, () => measureHandlers({ config, recorder, users, log }));
        }
      } finally {
        recorder.detachAll();
      }
      run.load = await part('load test of the local HTTP API', run, () => runLoad(config, s, tmp, log));
      await s.stop();
      stack = undefined;
    }

    // ---- 5. cost model ----
    if (run.capacity && run.handlers) {
      const capacity = run.capacity;
      const handlers = run.handlers;
      run.cost = await part('cost model', run, async () => {
        const memory = run.synth?.functions.find((f) => f.id === 'tasks-get-task')?.memoryMb ?? 1024;
        const initOf = (id: string) => run.bundles?.functions.find((f) => f.id === id)?.initMs;
        const routeInits = ['tasks-get-task', 'tasks-list-tasks', 'tasks-create-task', 'tasks-update-task', 'projects-list-projects', 'projects-get-project', 'projects-list-members']
          .map(initOf)
          .filter((v): v is number => v !== undefined);
        const initMs = routeInits.length ? routeInits.reduce((a, b) => a + b, 0) / routeInits.length : undefined;
        const input: CostInput = { capacity: capacity.costs, handlers: handlers.figures, memoryMb: memory, initMs };
        run.levers = costLevers(input);
        return costModel(input);
      });
    }
  } finally {
    await stack?.stop().catch(() => undefined);
    if (cdkOut) rmSync(cdkOut, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  }

  run.seconds = (Date.now() - started) / 1000;
  run.budgets = evaluateBudgets(run);
  const out = resolve(REPO_ROOT, config.out);
  mkdirSync(dirname(out), { recursive: true });
  for (const chart of renderCharts(run, out)) writeFileSync(chart.path, chart.svg);
  writeFileSync(out, renderReport(run, out));

  console.log('');
  for (const budget of run.budgets) console.log(`${budget.pass ? 'PASS' : 'FAIL'}  ${budget.name}: ${budget.measured}`);
  for (const error of run.errors) console.log(`ERROR ${error.part}: ${error.message.split('\n')[0]}`);
  console.log(`\nReport: ${relative(process.cwd(), out)} (${run.seconds.toFixed(0)} s)`);

  const loadFailed = !run.load || run.load.result.non2xx + run.load.result.errors + run.load.result.timeouts > 0;
  const missed = run.budgets.some((b) => !b.pass);
  if (run.errors.length || loadFailed) return 1;
  return config.strict && missed ? 1 : 0;
};

let config: BenchConfig;
try {
  config = parseArgs(args, 'docs/benchmarks.md');
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
main(config).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
