// Why a bundle is big and why its init is slow: an esbuild metafile breakdown by package (the functions are
// rebuilt with the deployed options, and the rebuilt size is checked against the deployed one), a CPU profile
// of cold init attributed to packages through the bundle's source map, and the cost of `--enable-source-maps`.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { join, sep } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_ALIASES } from '#lib/bundling/build-options';
import { BENCH_DIR, PROBE, deployedBuildOptions, probeInit } from './bundles.ts';
import { median, shuffled } from './stats.ts';
import { spawnSync } from 'node:child_process';

/** Which package a source path belongs to: `@scope/name`, `name`, or our own code by top-level folder. */
export const packageOf = (path: string): string => {
  const normalized = path.split(sep).join('/');
  const at = normalized.lastIndexOf('node_modules/');
  if (at === -1) {
    const own = /(?:^|\/)(functions|shared|lib|local|bench)\//.exec(normalized);
    return own ? `(taskwell ${own[1]}/)` : `(${normalized.split('/').pop()})`;
  }
  const rest = normalized.slice(at + 'node_modules/'.length).split('/');
  return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? normalized);
};

export interface PackageShare {
  name: string;
  bytes: number;
  /** Modules of the package in the bundle. */
  modules: number;
}

export interface BundleBreakdown {
  entry: string;
  bytes: number;
  /** The deployed (CDK-built) bundle's size, to show the rebuild is the same bundle. */
  deployedBytes?: number;
  packages: PackageShare[];
  /** Shares summed by family (`@aws-sdk/*`, `@smithy/*`, …). */
  families: PackageShare[];
}

const familyOf = (name: string): string => {
  if (name.startsWith('@aws-sdk/')) return '@aws-sdk/*';
  if (name.startsWith('@smithy/')) return '@smithy/*';
  if (name.startsWith('@aws-lambda-powertools/')) return '@aws-lambda-powertools/*';
  if (name.startsWith('@middy/')) return '@middy/*';
  if (name.startsWith('(taskwell')) return '(taskwell code)';
  return name;
};

const sumBy = (rows: { name: string; bytes: number; modules: number }[], key: (name: string) => string): PackageShare[] => {
  const totals = new Map<string, PackageShare>();
  for (const row of rows) {
    const name = key(row.name);
    const entry = totals.get(name) ?? { name, bytes: 0, modules: 0 };
    entry.bytes += row.bytes;
    entry.modules += row.modules;
    totals.set(name, entry);
  }
  return [...totals.values()].sort((a, b) => b.bytes - a.bytes);
};

/** Rebuilds `entry` with the deployed options and a metafile; bytes in the output per package. */
export const analyseBundle = async (root: string, entry: string, outDir: string, deployedBytes?: number): Promise<BundleBreakdown> => {
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'index.mjs');
  const result = await build({ ...deployedBuildOptions(root, join(root, entry), outfile), metafile: true });
  const output = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('index.mjs'))?.[1];
  if (!output) throw new Error(`esbuild wrote no index.mjs for ${entry}`);
  const perModule = Object.entries(output.inputs).map(([path, info]) => ({ name: packageOf(path), bytes: info.bytesInOutput, modules: 1 }));
  const packages = sumBy(perModule, (name) => name);
  return { entry, bytes: output.bytes, deployedBytes, packages, families: sumBy(packages, familyOf) };
};

// ---- CPU profile of cold init ----------------------------------------------------------------------

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileShare {
  name: string;
  ms: number;
}

export interface InitProfile {
  function: string;
  runs: number;
  /** Mean profiled milliseconds per run (main thread, from V8 start). */
  totalMs: number;
  /** Self time by package (bundle code mapped through its source map) or by Node/V8 category. */
  byPackage: ProfileShare[];
  /** The heaviest functions (self time), with their original source location. */
  topFunctions: ProfileShare[];
}

const categoryOf = (frame: ProfileNode['callFrame'], bundleUrl: string, map: SourceMap): { pkg: string; where: string } => {
  const { url, functionName, lineNumber, columnNumber } = frame;
  if (url === bundleUrl) {
    const entry = map.findEntry(lineNumber, columnNumber) as { originalSource?: string; originalLine?: number };
    if (entry.originalSource) {
      const path = entry.originalSource.replace(/^file:\/\//, '');
      const own = /(?:^|\/)((?:functions|shared|lib|local|bench)\/.*)$/.exec(path);
      const shown = path.includes('node_modules/') ? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length) : (own?.[1] ?? path);
      return { pkg: packageOf(path), where: `${functionName || '(anonymous)'} ${shown}:${(entry.originalLine ?? 0) + 1}` };
    }
    // The bundle's own top-level function: esbuild hoists every ESM module's top-level statements into it.
    return { pkg: '(bundle top level: module-scope code of all modules, hoisted)', where: functionName || '(bundle top level)' };
  }
  if (!url) {
    // V8's own entries: (program) is mostly parsing and compiling, (garbage collector) is GC.
    return { pkg: functionName.startsWith('(') ? functionName : '(native)', where: functionName || '(native)' };
  }
  if (url.startsWith('node:')) return { pkg: '(node internals: bootstrap, module loader)', where: `${functionName} ${url}` };
  return { pkg: `(other: ${url.split('/').pop()})`, where: `${functionName} ${url}` };
};

/** Profiles `runs` cold inits of one bundle with `node --cpu-prof`, attributing self time through the source map. */
export const profileInit = (fn: string, bundle: string, env: NodeJS.ProcessEnv, runs: number, tmp: string): InitProfile => {
  const dir = join(tmp, `cpu-prof-${fn}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < runs; i++) {
    const result = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=100', PROBE, bundle], { env, encoding: 'utf8', cwd: BENCH_DIR });
    if (result.status !== 0) throw new Error(`profiling ${fn} failed: ${result.stderr.slice(-1_000)}`);
  }
  const map = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as SourceMapPayload);
  const bundleUrl = `file://${bundle}`;
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalUs = 0;
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const labels = new Map<number, { pkg: string; where: string }>();
    profile.samples.forEach((id, i) => {
      const us = profile.timeDeltas[i] ?? 0;
      const node = nodes.get(id);
      if (!node) return;
      let label = labels.get(id);
      if (!label) {
        label = categoryOf(node.callFrame, bundleUrl, map);
        labels.set(id, label);
      }
      if (label.pkg === '(idle)') return;
      totalUs += us;
      byPackage.set(label.pkg, (byPackage.get(label.pkg) ?? 0) + us);
      byFunction.set(label.where, (byFunction.get(label.where) ?? 0) + us);
    });
  }
  const shares = (m: Map<string, number>, n: number): ProfileShare[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: us / 1000 / files.length }));
  return { function: fn, runs: files.length, totalMs: totalUs / 1000 / files.length, byPackage: shares(byPackage, 14), topFunctions: shares(byFunction, 10) };
};

export interface SourceMapCost {
  function: string;
  runs: number;
  withMs: number;
  withoutMs: number;
  withCpuMs: number;
  withoutCpuMs: number;
}

/** Cold init with the deployed NODE_OPTIONS=--enable-source-maps and without it, interleaved. */
export const sourceMapCost = (fn: string, bundle: string, env: NodeJS.ProcessEnv, runs: number): SourceMapCost => {
  const without = { ...env };
  delete without.NODE_OPTIONS;
  const variants = [
    { name: 'with', env: { ...env, NODE_OPTIONS: '--enable-source-maps' }, samples: [] as number[], cpu: [] as number[] },
    { name: 'without', env: without, samples: [] as number[], cpu: [] as number[] },
  ];
  for (let i = 0; i < runs; i++) {
    for (const v of shuffled(variants)) {
      const sample = probeInit(bundle, v.env);
      v.samples.push(sample.totalMs);
      v.cpu.push(sample.cpuMs);
    }
  }
  const [withMaps, withoutMaps] = variants as [(typeof variants)[0], (typeof variants)[0]];
  return {
    function: fn,
    runs,
    withMs: median(withMaps.samples),
    withoutMs: median(withoutMaps.samples),
    withCpuMs: median(withMaps.cpu),
    withoutCpuMs: median(withoutMaps.cpu),
  };
};

// ---- what-if builds: the proposals of the report, measured ------------------------------------------

export interface WhatIf {
  name: string;
  description: string;
  /** esbuild aliases (module → stand-in), on top of the previous what-if's and the deployed ones. */
  alias: Record<string, string>;
  external?: string[];
}

/**
 * Each builds on the one before it. The proposals of earlier runs (credentials from the environment, no event-stream
 * codec, idempotency and JMESPath only in the creates, zod/mini) are applied in the deployed bundles now; what is
 * left is a reference point the design rules out (the SDK is bundled), to show how much of a bundle the SDK is.
 */
export const WHAT_IFS: WhatIf[] = [
  { name: 'deployed', description: 'as deployed today', alias: {} },
  {
    name: '(reference) SDK from the runtime',
    description: 'reference only: the same, with @aws-sdk/* and @smithy/* left to the nodejs22.x runtime (the design bundles the SDK)',
    alias: {},
    external: ['@aws-sdk/*', '@smithy/*'],
  },
];

export interface WhatIfResult {
  entry: string;
  /** Bytes per what-if, in WHAT_IFS order. */
  bytes: number[];
  /** Median cold init per what-if (ms), when measured. */
  initMs?: number[];
  /** Median CPU time of those inits. */
  initCpuMs?: number[];
}

/**
 * Builds `entries` once per what-if (cumulative) and measures bytes; for `initEntries` also the cold init
 * (interleaved, `runs` each). The "SDK from the runtime" build cannot run here (no runtime SDK), so it gets no init.
 */
export const measureWhatIfs = async (
  root: string,
  entries: string[],
  initEntries: string[],
  env: NodeJS.ProcessEnv,
  runs: number,
  tmp: string,
): Promise<WhatIfResult[]> => {
  const results: WhatIfResult[] = [];
  for (const entry of entries) {
    const bundles: string[] = [];
    let alias: Record<string, string> = { ...BUNDLE_ALIASES };
    for (const [i, whatIf] of WHAT_IFS.entries()) {
      alias = { ...alias, ...whatIf.alias };
      const outfile = join(tmp, 'what-if', entry.replaceAll('/', '_'), String(i), 'index.mjs');
      await build({ ...deployedBuildOptions(root, join(root, entry), outfile), alias, external: whatIf.external ?? [] });
      bundles.push(outfile);
    }
    const result: WhatIfResult = { entry, bytes: bundles.map((b) => readFileSync(b).length) };
    if (initEntries.includes(entry)) {
      const runnable = bundles.map((bundle, i) => ({ bundle, samples: [] as number[], cpu: [] as number[], skip: Boolean(WHAT_IFS[i]!.external) }));
      for (const r of runnable) if (!r.skip) probeInit(r.bundle, env);
      for (let i = 0; i < runs; i++) {
        for (const r of shuffled(runnable)) {
          if (r.skip) continue;
          const sample = probeInit(r.bundle, env);
          r.samples.push(sample.totalMs);
          r.cpu.push(sample.cpuMs);
        }
      }
      result.initMs = runnable.map((r) => (r.skip ? Number.NaN : median(r.samples)));
      result.initCpuMs = runnable.map((r) => (r.skip ? Number.NaN : median(r.cpu)));
    }
    results.push(result);
  }
  return results;
};

/** Bytes of small entries built with the deployed options (e.g. the same schema in zod classic and zod/mini). */
export const measureEntries = async (root: string, entries: string[], tmp: string): Promise<{ entry: string; bytes: number }[]> => {
  const results: { entry: string; bytes: number }[] = [];
  for (const entry of entries) {
    const outfile = join(tmp, 'entries', entry.replaceAll('/', '_'), 'index.mjs');
    await build(deployedBuildOptions(root, join(root, entry), outfile));
    results.push({ entry, bytes: readFileSync(outfile).length });
  }
  return results;
};
