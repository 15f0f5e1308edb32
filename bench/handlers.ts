// Part 2: warm handler latency against DynamoDB Local. Each task and project handler (and the authorizer) is
// invoked in-process with a real API Gateway v2 event, many times after a warm-up; interleaved with it runs a
// raw baseline: the same DynamoDB calls, with the same keys, written by hand on a plain document client
// (bench/handler-scenarios.ts). The ratio of the p50s is what our middleware, validation and mapping add. The
// recorder checks, on the warm-up, that the baseline makes exactly the calls the handler makes (else the row says
// so and gets no ratio).
import { routes } from '#shared/routes';
import type { BenchConfig } from './config.ts';
import { callShape, type DdbRecorder } from './ddb-recorder.ts';
import { contextFor, handlerOf } from './invoke.ts';
import { buildScenarios, routeHandler, type ScenarioUsers } from './handler-scenarios.ts';
import { summarize, type Summary } from './stats.ts';

export const HANDLER_BUDGET_RATIO = 1.3;

/** The budget applies to the task and project handlers (the authorizer row is for information). */
export const isRouteHandler = (variant: string): boolean => variant.startsWith('tasks.') || variant.startsWith('projects.');

export interface HandlerFigure {
  variant: string;
  route: string;
  handler: string;
  handlerMs: Summary;
  rawMs: Summary;
  /** handler p50 / raw p50; undefined when the baseline does not match the handler's calls. */
  ratio?: number;
  handlerCalls: string;
  rawCalls: string;
  matches: boolean;
}

export interface HandlerResults {
  iterations: number;
  warmup: number;
  figures: HandlerFigure[];
}

export interface HandlerSetup {
  config: BenchConfig;
  recorder: DdbRecorder;
  users: ScenarioUsers;
  log: (line: string) => void;
}

export const measureHandlers = async ({ config, recorder, users, log }: HandlerSetup): Promise<HandlerResults> => {
  const { groups, close } = await buildScenarios(users, recorder);

  // Every task and project route has a scenario (a new one must be added here).
  const covered = new Set(groups.flat().map((s) => s.route));
  const missing = routes.filter((r) => /^functions\/(tasks|projects)\//.test(r.handler) && !covered.has(`${r.method} ${r.path}`)).map((r) => `${r.method} ${r.path}`);
  if (missing.length) log(`  handler latency: no scenario for ${missing.join(', ')}`);

  const figures: HandlerFigure[] = [];
  try {
    for (const group of groups) {
      const handlers = await Promise.all(group.map((s) => handlerOf(routeHandler(s))));
      const timings = group.map(() => ({ handler: [] as number[], raw: [] as number[], handlerCalls: '', rawCalls: '' }));
      const runHandlers = async (record: boolean, timed: boolean) => {
        for (const [i, s] of group.entries()) {
          const event = s.event();
          const context = contextFor(routeHandler(s));
          const invoke = () => handlers[i]!(event, context);
          const started = performance.now();
          // The recording run is untimed (a warm-up iteration); AsyncLocalStorage costs a little.
          const recorded = record ? await recorder.record(invoke) : { calls: [], result: await invoke(), error: undefined };
          const elapsed = performance.now() - started;
          if (recorded.error) throw recorded.error;
          if (record) timings[i]!.handlerCalls = callShape(recorded.calls);
          s.check(recorded.result);
          if (timed) timings[i]!.handler.push(elapsed);
        }
      };
      const runRaw = async (record: boolean, timed: boolean) => {
        for (const [i, s] of group.entries()) {
          const started = performance.now();
          const recorded = record ? await recorder.record(s.raw) : { calls: [], error: undefined, result: await s.raw() };
          const elapsed = performance.now() - started;
          if (recorded.error) throw recorded.error;
          if (record) timings[i]!.rawCalls = callShape(recorded.calls);
          if (timed) timings[i]!.raw.push(elapsed);
        }
      };
      const total = config.handlerWarmup + config.handlerIterations;
      for (let iteration = 0; iteration < total; iteration++) {
        const timed = iteration >= config.handlerWarmup;
        // The last warm-up iteration records the calls both sides make.
        const record = iteration === config.handlerWarmup - 1;
        // Which side goes first alternates, so neither profits from the other having just touched the same items.
        if (iteration % 2 === 0) {
          await runHandlers(record, timed);
          await runRaw(record, timed);
        } else {
          await runRaw(record, timed);
          await runHandlers(record, timed);
        }
      }
      for (const [i, s] of group.entries()) {
        const t = timings[i]!;
        const handlerMs = summarize(t.handler);
        const rawMs = summarize(t.raw);
        const matches = t.handlerCalls === t.rawCalls;
        figures.push({
          variant: s.variant,
          route: s.route,
          handler: routeHandler(s),
          handlerMs,
          rawMs,
          ratio: matches ? handlerMs.p50 / rawMs.p50 : undefined,
          handlerCalls: t.handlerCalls,
          rawCalls: t.rawCalls,
          matches,
        });
        log(`  ${s.variant.padEnd(26)} handler p50 ${handlerMs.p50.toFixed(2)} ms, raw p50 ${rawMs.p50.toFixed(2)} ms${matches ? '' : `  (calls differ: ${t.handlerCalls} vs ${t.rawCalls})`}`);
      }
    }
  } finally {
    close();
  }
  return { iterations: config.handlerIterations, warmup: config.handlerWarmup, figures };
};

