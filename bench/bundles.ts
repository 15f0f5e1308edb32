// Part 1: the size of every function bundle exactly as deployed, and its cold init: a fresh `node` process
// importing the bundle (module-scope init included) with the function's deployed environment, median of
// repeated runs, as a ratio to the floor (a bundle that only creates a DynamoDB document client).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { deployedBuildOptions } from '#lib/bundling/build-options';
import type { BenchConfig } from './config.ts';
import { median, percentile, shuffled } from './stats.ts';
import type { SynthResult, SynthesizedFunction } from './synth-bundles.ts';

export const BENCH_DIR = import.meta.dirname;
export const PROBE = join(BENCH_DIR, 'init-probe.mjs');

/** The bundle and cold-init budgets. */
export const BUNDLE_BUDGET_BYTES = 250 * 1024;
export const INIT_BUDGET_RATIO = 1.5;

export { deployedBuildOptions } from '#lib/bundling/build-options';

export interface InitSample {
  /** From process start to the end of the bundle's module evaluation. */
  totalMs: number;
  /** The `import()` of the bundle alone (load, compile, evaluate). */
  importMs: number;
  /** CPU time of the process until then (all threads): less sensitive to a busy machine than wall time. */
  cpuMs: number;
}

export interface BundleFigure {
  id: string;
  bytes: number;
  mapBytes: number;
  memoryMb: number;
  samples: InitSample[];
  initMs: number;
  /** Interquartile range of the init samples: how noisy the machine was. */
  initIqrMs: [number, number];
  importMs: number;
  /** Median CPU time of the init. */
  cpuMs: number;
  /** initMs / the floor's initMs. */
  initRatio: number;
  /** cpuMs / the floor's cpuMs. */
  cpuRatio: number;
}

export interface BundleResults {
  synthMs: number;
  runs: number;
  floor: BundleFigure;
  functions: BundleFigure[];
  /** Every function's deployed environment variable names (values are placeholders here). */
  environmentNames: string[];
}

const run = (command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });

/** Synthesizes the CDK app with bundling in a child process; the bundles stay in `result.outdir` until removed. */
export const synthesizeBundles = async (root: string, resultFile: string): Promise<SynthResult> => {
  const { code, stdout, stderr } = await run(process.execPath, ['--import', 'tsx', join(BENCH_DIR, 'synth-bundles.ts'), resultFile], {
    cwd: root,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  if (code !== 0) throw new Error(`synthesizing the CDK app failed (exit ${code}):\n${(stderr || stdout).slice(-3_000)}`);
  return JSON.parse(readFileSync(resultFile, 'utf8')) as SynthResult;
};

/** Values CloudFormation fills in at deploy time, replaced by well-formed stand-ins (the verifier parses the pool id). */
const placeholder = (name: string): string => {
  if (name === 'USER_POOL_ID') return 'us-east-1_BenchPool1';
  if (name === 'USER_POOL_CLIENT_ID') return 'benchclient0000000000000000';
  return `bench-${name.toLowerCase().replaceAll('_', '-')}`;
};

/** What Lambda itself sets in a nodejs22.x arm64 environment, plus the function's own variables as deployed. */
export const lambdaEnvironment = (fn: Pick<SynthesizedFunction, 'id' | 'memoryMb' | 'assetDir' | 'environment'>): NodeJS.ProcessEnv => {
  const own = Object.fromEntries(Object.entries(fn.environment).map(([k, v]) => [k, typeof v === 'string' ? v : placeholder(k)]));
  return {
    PATH: process.env.PATH,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LAMBDA_TASK_ROOT: fn.assetDir,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: `TaskwellStateless-${fn.id}`,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/TaskwellStateless-${fn.id}`,
    AWS_LAMBDA_LOG_STREAM_NAME: '2025/01/01/[$LATEST]bench',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIABENCHDUMMYKEY000',
    AWS_SECRET_ACCESS_KEY: 'bench-dummy-secret',
    AWS_SESSION_TOKEN: 'bench-dummy-session',
    // Node 20 only: the SDK warns (on stderr) that it will need Node 22; Lambda runs nodejs22.x, which does not.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...own,
  };
};

/** One cold init: a fresh process imports the bundle. */
export const probeInit = (bundle: string, env: NodeJS.ProcessEnv, extraNodeArgs: string[] = []): InitSample => {
  const result = spawnSync(process.execPath, [...extraNodeArgs, PROBE, bundle], { env, encoding: 'utf8', cwd: BENCH_DIR });
  if (result.status !== 0) throw new Error(`init of ${bundle} failed (exit ${result.status}):\n${(result.stderr || result.stdout).slice(-2_000)}`);
  const { totalMs, importMs, cpuMs } = JSON.parse(result.stdout) as InitSample;
  return { totalMs, importMs, cpuMs };
};

/** Builds the floor bundle with the deployed options. */
export const buildFloor = async (root: string, outDir: string): Promise<string> => {
  const outfile = join(outDir, 'index.mjs');
  await build(deployedBuildOptions(root, join(BENCH_DIR, 'floor-entry.ts'), outfile));
  return outfile;
};

interface Target {
  id: string;
  bundle: string;
  memoryMb: number;
  env: NodeJS.ProcessEnv;
  samples: InitSample[];
}

export const measureBundles = async (
  config: BenchConfig,
  root: string,
  synth: SynthResult,
  synthMs: number,
  floorBundle: string,
  log: (line: string) => void,
): Promise<BundleResults> => {
  const floorEnv = lambdaEnvironment({
    id: 'bench-floor',
    memoryMb: 1024,
    assetDir: join(floorBundle, '..'),
    environment: { NODE_OPTIONS: '--enable-source-maps', TABLE_NAME: 'bench-table' },
  });
  const targets: Target[] = [
    { id: '(floor)', bundle: floorBundle, memoryMb: 1024, env: floorEnv, samples: [] },
    ...synth.functions.map((fn) => ({ id: fn.id, bundle: join(fn.assetDir, 'index.mjs'), memoryMb: fn.memoryMb, env: lambdaEnvironment(fn), samples: [] })),
  ];
  // One untimed round (file cache, a first-ever compile of the probe), then rounds in a new random order each,
  // so a slow moment of the machine is shared by all functions instead of landing on one.
  for (const target of targets) probeInit(target.bundle, target.env);
  for (let round = 0; round < config.initRuns; round++) {
    for (const target of shuffled(targets)) target.samples.push(probeInit(target.bundle, target.env));
    log(`  cold init round ${round + 1}/${config.initRuns}`);
  }
  const figure = (t: Target, floorMs: number, floorCpuMs: number): BundleFigure => {
    const initMs = median(t.samples.map((s) => s.totalMs));
    const cpuMs = median(t.samples.map((s) => s.cpuMs));
    return {
      id: t.id,
      bytes: statSync(t.bundle).size,
      mapBytes: statSync(`${t.bundle}.map`).size,
      memoryMb: t.memoryMb,
      samples: t.samples,
      initMs,
      initIqrMs: [percentile(t.samples.map((s) => s.totalMs), 25), percentile(t.samples.map((s) => s.totalMs), 75)],
      importMs: median(t.samples.map((s) => s.importMs)),
      cpuMs,
      initRatio: initMs / floorMs,
      cpuRatio: cpuMs / floorCpuMs,
    };
  };
  const floorTarget = targets[0]!;
  const floorMs = median(floorTarget.samples.map((s) => s.totalMs));
  const floorCpuMs = median(floorTarget.samples.map((s) => s.cpuMs));
  const names = new Set<string>();
  for (const fn of synth.functions) for (const name of Object.keys(fn.environment)) names.add(name);
  return {
    synthMs,
    runs: config.initRuns,
    floor: figure(floorTarget, floorMs, floorCpuMs),
    functions: targets.slice(1).map((t) => figure(t, floorMs, floorCpuMs)),
    environmentNames: [...names].sort(),
  };
};
