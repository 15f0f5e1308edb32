// The two sizes of a run. `--quick` keeps every measurement but takes fewer samples (documented in
// docs/benchmarks.md); the full run is what the checked-in figures come from.

export interface BenchConfig {
  mode: 'quick' | 'full';
  /** Fresh processes per function for the cold-init median. */
  initRuns: number;
  /** Processes per variant for the source-map comparison and the what-if builds of the analysis. */
  sourceMapRuns: number;
  /** CPU-profiled cold inits per profiled function. */
  profileRuns: number;
  /** Untimed invocations per handler before measuring (JIT, connection pool, DynamoDB Local's own warm-up). */
  handlerWarmup: number;
  /** Timed invocations per handler (and as many raw baselines, interleaved). */
  handlerIterations: number;
  /** Users (= load connections; each owns its tasks, so If-Match never conflicts). */
  loadUsers: number;
  /** Users per shared project. */
  loadGroupSize: number;
  /** Untimed load before the measured window. */
  loadWarmupSeconds: number;
  loadSeconds: number;
  /** Fail (exit 1) when a budget is missed, not only when the load test saw errors. */
  strict: boolean;
  /** Where the report goes (markdown; chart SVGs are written beside it). */
  out: string;
}

export const QUICK = {
  initRuns: 7,
  sourceMapRuns: 5,
  profileRuns: 1,
  handlerWarmup: 20,
  handlerIterations: 100,
  loadUsers: 8,
  loadGroupSize: 4,
  loadWarmupSeconds: 3,
  loadSeconds: 15,
} as const;

export const FULL = {
  initRuns: 15,
  sourceMapRuns: 21,
  profileRuns: 3,
  handlerWarmup: 100,
  handlerIterations: 1000,
  loadUsers: 24,
  loadGroupSize: 4,
  loadWarmupSeconds: 5,
  loadSeconds: 60,
} as const;

export const USAGE = `Usage: npm run bench [-- --quick] [-- --strict] [-- --out <file.md>]
  --quick    every measurement with fewer samples (under 5 minutes on 2 cores)
  --strict   exit 1 when a budget is missed (the load test's errors always fail the run)
  --out      write the report there instead of docs/benchmarks.md`;

export const parseArgs = (argv: readonly string[], defaultOut: string): BenchConfig => {
  const args = [...argv];
  let quick = false;
  let strict = false;
  let out = defaultOut;
  while (args.length) {
    const arg = args.shift()!;
    if (arg === '--quick') quick = true;
    else if (arg === '--strict') strict = true;
    else if (arg === '--out' && args.length) out = args.shift()!;
    else if (arg.startsWith('--out=')) out = arg.slice('--out='.length);
    else throw new Error(`Unknown option ${arg}\n${USAGE}`);
  }
  return { mode: quick ? 'quick' : 'full', ...(quick ? QUICK : FULL), strict, out };
};
