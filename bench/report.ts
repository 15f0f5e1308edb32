// Turns one run's figures into docs/benchmarks.md and its chart SVGs, and decides PASS/FAIL per budget.
import { basename, dirname, join } from 'node:path';
import type { BenchConfig } from './config.ts';
import type { MachineInfo } from './machine.ts';
import { BUNDLE_BUDGET_BYTES, INIT_BUDGET_RATIO, type BundleResults } from './bundles.ts';
import { WHAT_IFS, type BundleBreakdown, type InitProfile, type SourceMapCost, type WhatIfResult } from './analysis.ts';
import type { CapacityResults } from './capacity.ts';
import { HANDLER_BUDGET_RATIO, isRouteHandler, type HandlerResults } from './handlers.ts';
import type { LoadResults } from './load.ts';
import { ASSUMPTIONS, COST_BUDGET_PER_MILLION, PRICES, PRICE_SOURCES, PRICES_CHECKED, totalWithDurationFactor, type CostModel, type Lever } from './cost.ts';
import { MIX } from './mix.ts';
import { barChart } from './chart.ts';
import { fmt, kb, pct } from './stats.ts';
import { proposals } from './proposals.ts';
import type { SynthResult } from './synth-bundles.ts';
import { AUTHORIZER_KEY } from './invoke.ts';

export interface BenchRun {
  config: BenchConfig;
  machine: MachineInfo;
  startedAt: string;
  seconds: number;
  errors: { part: string; message: string }[];
  synth?: SynthResult;
  bundles?: BundleResults;
  analysis?: { breakdowns: BundleBreakdown[]; profiles: InitProfile[]; sourceMaps: SourceMapCost[]; whatIfs: WhatIfResult[]; libraries: { entry: string; bytes: number }[] };
  capacity?: CapacityResults;
  handlers?: HandlerResults;
  load?: LoadResults;
  cost?: CostModel;
  levers?: Lever[];
  budgets?: Budget[];
}

export interface Budget {
  name: string;
  target: string;
  measured: string;
  pass: boolean;
}


export const evaluateBudgets = (run: BenchRun): Budget[] => {
  const budgets: Budget[] = [];
  if (run.bundles) {
    const fns = run.bundles.functions;
    const over = fns.filter((f) => f.bytes > BUNDLE_BUDGET_BYTES);
    const biggest = fns.reduce((a, b) => (b.bytes > a.bytes ? b : a), fns[0]!);
    budgets.push({
      name: 'Bundle size, every function',
      target: `≤ ${BUNDLE_BUDGET_BYTES / 1024} KB`,
      measured: `${over.length}/${fns.length} over; largest ${biggest.id} ${kb(biggest.bytes)} KB; floor ${kb(run.bundles.floor.bytes)} KB`,
      pass: over.length === 0,
    });
    const slowest = fns.reduce((a, b) => (b.initRatio > a.initRatio ? b : a), fns[0]!);
    const overInit = fns.filter((f) => f.initRatio > INIT_BUDGET_RATIO);
    budgets.push({
      name: 'Cold init, every function',
      target: `≤ ${INIT_BUDGET_RATIO}× floor`,
      measured: `${overInit.length}/${fns.length} over; worst ${slowest.id} ${fmt(slowest.initRatio, 2)}× (${fmt(slowest.initMs)} ms vs floor ${fmt(run.bundles.floor.initMs)} ms)`,
      pass: overInit.length === 0,
    });
  } else {
    budgets.push({ name: 'Bundle size and cold init', target: `≤ ${BUNDLE_BUDGET_BYTES / 1024} KB, ≤ ${INIT_BUDGET_RATIO}× floor`, measured: 'not measured (see errors)', pass: false });
  }
  if (run.handlers) {
    const rows = run.handlers.figures.filter((f) => isRouteHandler(f.variant));
    const unmatched = rows.filter((f) => f.ratio === undefined);
    const over = rows.filter((f) => (f.ratio ?? Infinity) > HANDLER_BUDGET_RATIO);
    const worst = rows.reduce((a, b) => ((b.ratio ?? Infinity) > (a.ratio ?? Infinity) ? b : a), rows[0]!);
    budgets.push({
      name: 'Warm handler overhead at p50, task and project handlers',
      target: `≤ ${HANDLER_BUDGET_RATIO}× raw DynamoDB calls`,
      measured: `${over.length}/${rows.length} over${unmatched.length ? ` (${unmatched.length} without a matching baseline)` : ''}; worst ${worst.variant} ${fmt(worst.ratio ?? Number.NaN, 2)}×`,
      pass: over.length === 0,
    });
  } else {
    budgets.push({ name: 'Warm handler overhead', target: `≤ ${HANDLER_BUDGET_RATIO}×`, measured: 'not measured (see errors)', pass: false });
  }
  if (run.load) {
    const r = run.load.result;
    const bad = r.non2xx + r.errors + r.timeouts;
    budgets.push({
      name: 'Local API load: errors',
      target: '0 non-2xx, 0 errors, 0 timeouts',
      measured: `${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts in ${r.requests} requests (${fmt(r.requestsPerSecond, 0)} req/s)`,
      pass: bad === 0,
    });
  } else {
    budgets.push({ name: 'Local API load: errors', target: '0', measured: 'not measured (see errors)', pass: false });
  }
  if (run.capacity) {
    const flagged = run.capacity.costs.filter((c) => c.flagged);
    const undocumented = flagged.filter((c) => !c.reason);
    const failed = run.capacity.costs.filter((c) => !c.ok);
    budgets.push({
      name: 'DynamoDB: ≤ 1 read request and ≤ 1 write request per route, unless documented',
      target: 'every exception explained',
      measured: `${flagged.length} routes over, ${undocumented.length} undocumented or out of date${undocumented.length ? ` (${undocumented.map((c) => c.variant).join(', ')})` : ''}${failed.length ? `; ${failed.length} walk steps failed` : ''}`,
      pass: undocumented.length === 0 && failed.length === 0,
    });
  }
  if (run.cost) {
    budgets.push({
      name: 'Mixed workload cost',
      target: `≤ $${COST_BUDGET_PER_MILLION.toFixed(2)} per million requests`,
      measured: `$${run.cost.total.toFixed(3)} per million (measured lines alone $${run.cost.measuredTotal.toFixed(3)})${run.cost.missing.length ? `; missing: ${run.cost.missing.join(', ')}` : ''}`,
      pass: run.cost.total <= COST_BUDGET_PER_MILLION && run.cost.missing.length === 0,
    });
  } else {
    budgets.push({ name: 'Mixed workload cost', target: `≤ $${COST_BUDGET_PER_MILLION.toFixed(2)}`, measured: 'not computed (see errors)', pass: false });
  }
  return budgets;
};

// ---- charts ---------------------------------------------------------------------------------------

export const chartPaths = (out: string) => {
  const stem = basename(out).replace(/\.md$/, '');
  const at = (name: string) => join(dirname(out), `${stem}-${name}.svg`);
  return { bundles: at('bundles'), init: at('init'), handlers: at('handlers'), cost: at('cost') };
};

export const renderCharts = (run: BenchRun, out: string): { path: string; svg: string }[] => {
  const paths = chartPaths(out);
  const charts: { path: string; svg: string }[] = [];
  if (run.bundles) {
    const fns = [...run.bundles.functions].sort((a, b) => b.bytes - a.bytes);
    charts.push({
      path: paths.bundles,
      svg: barChart({
        title: 'Bundle size per function (minified, AWS SDK included)',
        subtitle: `KB (1 KB = 1024 bytes); budget ${BUNDLE_BUDGET_BYTES / 1024} KB; grey: the floor (a bare DynamoDB document client)`,
        bars: [{ label: '(floor)', value: run.bundles.floor.bytes / 1024, muted: true }, ...fns.map((f) => ({ label: f.id, value: f.bytes / 1024 }))],
        format: (v) => `${v.toFixed(0)} KB`,
        budget: { value: BUNDLE_BUDGET_BYTES / 1024, label: `budget ${BUNDLE_BUDGET_BYTES / 1024} KB` },
      }),
    });
    const byInit = [...run.bundles.functions].sort((a, b) => b.initRatio - a.initRatio);
    charts.push({
      path: paths.init,
      svg: barChart({
        title: 'Cold init as a multiple of the floor',
        subtitle: `median of ${run.bundles.runs} fresh processes each, process start → module evaluated; floor ${fmt(run.bundles.floor.initMs)} ms`,
        bars: byInit.map((f) => ({ label: f.id, value: f.initRatio })),
        format: (v) => `${v.toFixed(2)}×`,
        budget: { value: INIT_BUDGET_RATIO, label: `budget ${INIT_BUDGET_RATIO}×` },
        reference: { value: 1, label: 'floor' },
      }),
    });
  }
  if (run.handlers) {
    const rows = run.handlers.figures.filter((f) => f.ratio !== undefined);
    charts.push({
      path: paths.handlers,
      svg: barChart({
        title: 'Warm handler p50 as a multiple of its raw DynamoDB calls',
        subtitle: `${run.handlers.iterations} invocations each after ${run.handlers.warmup} warm-up, against DynamoDB Local`,
        bars: rows.map((f) => ({ label: f.variant, value: f.ratio!, muted: !isRouteHandler(f.variant) })),
        format: (v) => `${v.toFixed(2)}×`,
        budget: { value: HANDLER_BUDGET_RATIO, label: `budget ${HANDLER_BUDGET_RATIO}×` },
        reference: { value: 1, label: 'raw' },
      }),
    });
  }
  if (run.cost) {
    charts.push({
      path: paths.cost,
      svg: barChart({
        title: `Cost per million mixed requests: $${run.cost.total.toFixed(2)} (budget $${COST_BUDGET_PER_MILLION.toFixed(2)})`,
        subtitle: 'us-east-1 list prices; grey: lines resting on an assumption',
        bars: run.cost.lines.filter((l) => l.perMillion > 0).map((l) => ({ label: l.component, value: l.perMillion, muted: l.assumed })),
        format: (v) => `$${v.toFixed(3)}`,
      }),
    });
  }
  return charts;
};

// ---- markdown -------------------------------------------------------------------------------------

const table = (header: string[], rows: (string | number)[][]): string =>
  [`| ${header.join(' | ')} |`, `|${header.map((h) => (!h.startsWith('≤') && (/^(#|n|ms|KB|×|p50|p95|p99|RCU|WCU|\$)/.test(h) || / (ms|KB|×)$/.test(h)) ? '---:' : '---')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

const ms = (v: number) => fmt(v, 2);

const machineSection = (run: BenchRun) => {
  const m = run.machine;
  return table(
    ['', ''],
    [
      ['Date', m.date],
      ['Commit', `\`${m.commit}\`${m.dirty ? ' plus uncommitted changes in the working tree' : ''}`],
      ['Mode', `${run.config.mode} (\`npm run bench${run.config.mode === 'quick' ? ' -- --quick' : ''}\`), ${run.seconds.toFixed(0)} s`],
      ['CPU', `${m.cpu}, ${m.cores} cores available`],
      ['RAM', `${m.ramGb} GB`],
      ['OS', m.os],
      ['Node.js', m.node],
      ['Java (DynamoDB Local)', m.java],
    ],
  );
};

const bundlesSection = (run: BenchRun, charts: ReturnType<typeof chartPaths>) => {
  const b = run.bundles;
  if (!b) return 'Not measured in this run (see Errors).';
  const rows = [...b.functions]
    .sort((x, y) => y.bytes - x.bytes)
    .map((f) => [
      `\`${f.id}\``,
      kb(f.bytes),
      kb(f.mapBytes),
      fmt(f.initMs),
      `${fmt(f.initIqrMs[0])}–${fmt(f.initIqrMs[1])}`,
      fmt(f.cpuMs),
      fmt(f.importMs),
      `${fmt(f.initRatio, 2)}×`,
      `${fmt(f.cpuRatio, 2)}×`,
      f.bytes <= BUNDLE_BUDGET_BYTES ? 'PASS' : 'FAIL',
      f.initRatio <= INIT_BUDGET_RATIO ? 'PASS' : 'FAIL',
    ]);
  rows.push(['**floor** (DynamoDB document client only)', kb(b.floor.bytes), kb(b.floor.mapBytes), fmt(b.floor.initMs), `${fmt(b.floor.initIqrMs[0])}–${fmt(b.floor.initIqrMs[1])}`, fmt(b.floor.cpuMs), fmt(b.floor.importMs), '1.00×', '1.00×', b.floor.bytes <= BUNDLE_BUDGET_BYTES ? 'PASS' : 'FAIL', '—']);
  return `Every function as \`cdk deploy\` uploads it: the CDK app is synthesized with real bundling (\`synthesizeApp({ bundle: true })\` of
test/infra/app.ts, ${(b.synthMs / 1000).toFixed(0)} s), each function's \`index.mjs\` measured. Cold init: a fresh \`node\` process per sample
(bench/init-probe.mjs) imports the bundle and reports the time from process start (\`performance.timeOrigin\`) to the end of the
module's evaluation, with the environment the function is deployed with (${b.environmentNames.map((n) => `\`${n}\``).join(', ')} from the
synthesized template — CloudFormation references replaced by well-formed stand-ins — plus what Lambda sets: region, credentials,
\`AWS_LAMBDA_*\`). Median of ${b.runs} runs; all functions and the floor are measured in a new random order each round, after one
untimed round. The floor is bench/floor-entry.ts (creates a \`DynamoDBDocumentClient\`, nothing else) built with the deployed esbuild
options (ESM, minify, platform node, target node22, linked source map, the \`createRequire\` banner, nothing external).
"import ms" is the \`import()\` alone; the difference to "init ms" is Node's own start-up (≈ ${fmt(b.floor.initMs - b.floor.importMs)} ms here).

![Bundle sizes](${basename(charts.bundles)})

![Cold init ratios](${basename(charts.init)})

${table(['Function', 'KB', 'map KB', 'init ms', 'IQR ms', 'CPU ms', 'import ms', '× floor', 'CPU ×', `≤ ${BUNDLE_BUDGET_BYTES / 1024} KB`, `≤ ${INIT_BUDGET_RATIO}×`], rows)}

"IQR" is the middle half of the samples: on a shared two-core machine single samples vary by tens of ms, so compare medians, and
read a ratio within ±0.1 of the budget as a tie. "CPU ms" is the CPU time the process used until the module was evaluated (all
threads: V8 compiles and collects garbage on helper threads too) — what a busy machine inflates least; "CPU ×" is its ratio to the
floor's. The budget is checked on wall time (process start → module evaluated).`;
};

const handlersSection = (run: BenchRun, charts: ReturnType<typeof chartPaths>) => {
  const h = run.handlers;
  if (!h) return 'Not measured in this run (see Errors).';
  const rows = h.figures.map((f) => [
    `\`${f.variant}\``,
    f.route === AUTHORIZER_KEY ? 'authorizer' : `\`${f.route}\``,
    ms(f.handlerMs.p50),
    ms(f.handlerMs.p95),
    ms(f.handlerMs.p99),
    ms(f.rawMs.p50),
    ms(f.rawMs.p95),
    ms(f.rawMs.p99),
    f.ratio === undefined ? 'n/a' : `${fmt(f.ratio, 2)}×`,
    f.matches ? f.handlerCalls || '(none)' : `handler: ${f.handlerCalls}; baseline: ${f.rawCalls}`,
    !isRouteHandler(f.variant) ? '(info)' : f.ratio !== undefined && f.ratio <= HANDLER_BUDGET_RATIO ? 'PASS' : 'FAIL',
  ]);
  return `Each handler module is imported once (the module the local gateway runs, so module scope is warm as in a reused Lambda
environment) and invoked in-process with an API Gateway HTTP API v2 event (test/support/apigw-event.ts; the authorizer's context
as the gateway passes it) against DynamoDB Local: ${h.warmup} untimed invocations, then ${h.iterations} timed ones. Interleaved
with them (alternating which goes first) runs the raw baseline: the same DynamoDB calls with the same keys, written by hand
against a plain \`DynamoDBDocumentClient\` (bench/handler-scenarios.ts). On the last warm-up iteration a client middleware records the calls
both make; the "calls" column shows them, and a row whose baseline does not make exactly the handler's calls gets no ratio.
Create routes are measured with an \`Idempotency-Key\` (as clients send them), so their baselines include Powertools' two
idempotency-record writes. The authorizer row (token verification cached after the first request, then the profile read) is
for information; the budget applies to task and project handlers. The local stack's event pipeline keeps working in the
background meanwhile (it shares DynamoDB Local), which widens p95/p99 of both sides alike.

![Handler overhead](${basename(charts.handlers)})

${table(['Variant', 'Route', 'handler p50 ms', 'p95 ms', 'p99 ms', 'raw p50 ms', 'raw p95 ms', 'raw p99 ms', '×', 'DynamoDB calls', `≤ ${HANDLER_BUDGET_RATIO}×`], rows)}`;
};

const loadSection = (run: BenchRun) => {
  const l = run.load;
  if (!l) return 'Not measured in this run (see Errors).';
  const r = l.result;
  const codes = Object.entries(r.statusCodes)
    .map(([code, n]) => `${code}: ${n}`)
    .join(', ');
  return `\`startLocalStack()\` (the same stack as \`npm start\`: HTTP gateway with the Lambda authorizer on every authenticated route,
handlers in-process, DynamoDB Local, cognito-local, and the event pipeline — stream poller, publisher, EventBridge, SQS, consumers —
working in the background). ${l.users} users signed up, confirmed and logged in through the API
(setup ${fmt(l.setupSeconds)} s); groups of ${run.config.loadGroupSize} share a project (${l.projects} projects, ${l.tasks} tasks, 6 per user,
2 of them the user's own and assigned to them). autocannon (bench/load-client.ts, a separate process) opens one connection per
user and loops over the mix of bench/mix.ts — ${MIX.filter((s) => s.kind === 'read').length} reads and
${MIX.filter((s) => s.kind === 'write').length} writes per ${MIX.length} requests — after a ${run.config.loadWarmupSeconds} s warm-up,
for ${run.config.loadSeconds} s. Writes touch only the connection's own tasks with the version it last saw (If-Match), creates carry
a fresh \`Idempotency-Key\`, so no request can legitimately fail: any non-2xx answer fails the bench.
Note: load generator, API, DynamoDB Local and cognito-local share this machine's ${run.machine.cores} cores.

${table(['', ''], [
  ['Requests', `${r.requests} in ${fmt(r.seconds)} s over ${r.connections} connections`],
  ['Throughput', `**${fmt(r.requestsPerSecond, 0)} req/s**`],
  ['Latency p50 / p95 / p99', `**${ms(r.latency.p50)} / ${ms(r.latency.p95)} / ${ms(r.latency.p99)} ms** (mean ${ms(r.latency.mean)}, max ${ms(r.latency.max)})`],
  ['Reads / writes', `${r.reads} / ${r.writes} (${pct(r.writes, r.reads + r.writes)} writes)`],
  ['Non-2xx / errors / timeouts', `**${r.non2xx} / ${r.errors} / ${r.timeouts}** ${r.non2xx + r.errors + r.timeouts === 0 ? '(PASS)' : '(FAIL)'}`],
  ['Status codes (warm-up included)', codes],
])}

${table(['Mix step', 'Route', 'n', 'p50 ms', 'p95 ms', 'p99 ms'], r.perStep.map((s) => [s.label, `\`${s.route}\``, s.count, ms(s.p50), ms(s.p95), ms(s.p99)]))}
${r.failures.length ? `\nFirst failures:\n\n${r.failures.map((f) => `- ${f.step}: ${f.status} ${f.body.replaceAll('|', '\\|')}`).join('\n')}\n` : ''}`;
};

const capacitySection = (run: BenchRun) => {
  const c = run.capacity;
  if (!c) return 'Not measured in this run (see Errors).';
  const rows = c.costs.map((x) => [
    `\`${x.route === AUTHORIZER_KEY ? 'authorizer' : x.route}\``,
    `${x.variant}${x.ok ? '' : ` (**${x.status}**)`}`,
    x.reads,
    x.writes,
    fmt(x.rcu, 1),
    fmt(x.wcu, 1),
    x.calls.map((call) => `${call.operation}${call.index ? `(${call.index})` : ''}${call.items > 1 ? `×${call.items}` : ''}${call.consistent && call.kind === 'read' ? 'ᶜ' : ''}`).join(' → ') || '—',
    x.events.length ? x.events.join(', ') : '—',
    x.consumers.messages ? `${x.consumers.messages} msg: ${fmt(x.consumers.rcu, 1)} RCU, ${fmt(x.consumers.wcu, 1)} WCU${x.consumers.failures.length ? ` (**${x.consumers.failures.length} failed**)` : ''}` : '—',
    x.flagged ? (x.reason ? 'documented ↓' : x.staleReason ? '**reason out of date**' : '**undocumented**') : 'ok',
  ]);
  const flagged = c.costs.filter((x) => x.flagged);
  return `A scripted walk (bench/capacity.ts) calls every route once, in-process with a v2 event, as a freshly registered user, on
realistic data (a project with 25 tasks, so lists read full pages). A middleware on the stores' DynamoDB client adds
\`ReturnConsumedCapacity: INDEXES\` (TOTAL plus the per-index split) to every call and sums \`ConsumedCapacity\`; DynamoDB Local applies
DynamoDB's rules (4 KB read units, halved for eventually consistent reads; 1 KB write units, doubled in transactions; GSI writes
charged per index). "Reads"/"writes" count requests (a BatchGetItem or a TransactWriteItems is one). ᶜ = strongly consistent.
After the walk the table's stream is read; each record is attributed to its request by the \`requestId\` it carries and mapped to
domain events by shared/events/mapper.ts (idempotency records carry none and map to no event); each event is matched against the
enabled rules of shared/events/rules.ts, and every resulting queue message is handed, as an SQS event, to that queue's consumer
(shared/events/queues.ts) in-process, recording what it reads and writes. DynamoDB Local reports 0 units for a Query that finds
nothing; AWS charges at least 0.5 (none of the mix's requests is such a Query).

${table(['Route', 'Variant', 'reads', 'writes', 'RCU', 'WCU', 'DynamoDB calls', 'Events', 'Queue consumers', 'Check'], rows)}

**Routes over one read request or one write request, and why** (from the code; bench/capacity.ts \`REASONS\`):

${flagged
  .map(
    (x) =>
      `- \`${x.variant}\` (${x.reads} read requests, ${x.writes} write requests): ${
        x.reason ?? (x.staleReason ? `**out of date** — ${x.staleReason}` : '**not documented** — add the reason to bench/capacity.ts or fix the route.')
      }`,
  )
  .join('\n')}
${c.unexercised.length ? `\nRoutes the walk does not exercise yet: ${c.unexercised.map((r) => `\`${r}\``).join(', ')}.\n` : ''}`;
};

const costSection = (run: BenchRun, charts: ReturnType<typeof chartPaths>) => {
  const c = run.cost;
  if (!c) return 'Not computed in this run (see Errors).';
  const twice = totalWithDurationFactor(c, 2);
  return `The mix of the load test (bench/mix.ts), priced per request and averaged: API Gateway; two Lambda invocations (the authorizer
runs on every request: no gateway cache, see lib/stateless-stack.ts) at the configured ${c.memoryMb} MB on arm64, each billed for its
measured warm p50 rounded up to the next ms; the measured read and write units of the authorizer and of each route (section 4); and
the event pipeline per write: the domain events the route's stream records map to (EventBridge), the messages the enabled rules
deliver (SQS), and shares of the publisher and consumer functions.

Per request on average: ${fmt(c.perRequest.lambdaMs, 1)} billed Lambda ms, ${fmt(c.perRequest.rru, 2)} RRU, ${fmt(c.perRequest.wru, 2)} WRU,
${fmt(c.perRequest.streamRecords, 2)} stream records, ${fmt(c.perRequest.events, 2)} events, ${fmt(c.perRequest.deliveries, 2)} queue messages.

![Cost breakdown](${basename(charts.cost)})

${table(['Component', '$ per million', 'Basis'], [
  ...c.lines.map((l) => [l.component, `${l.perMillion.toFixed(3)}${l.assumed ? ' (assumed)' : ''}`, l.basis]),
  ['**Total**', `**${c.total.toFixed(3)}**`, `budget $${COST_BUDGET_PER_MILLION.toFixed(2)}: **${c.total <= COST_BUDGET_PER_MILLION ? 'PASS' : 'FAIL'}**`],
])}

**The floor of the required architecture.** Before any DynamoDB unit, Lambda millisecond or consumer invocation, the mix
costs at least $${c.floor.total.toFixed(3)} per million: ${c.floor.lines.map((l) => `${l.component} $${l.perMillion.toFixed(3)} (${l.basis})`).join(' + ')}.
Every request passes the gateway and the Lambda authorizer, uncached (a Lambda authorizer guards every route, and a disabled user's
tokens must stop working on the next request), and every change is a domain event delivered to the
queues of its consumers. ${c.floor.total > COST_BUDGET_PER_MILLION ? `That floor alone is over the $${COST_BUDGET_PER_MILLION.toFixed(2)} budget, so no change to our code can meet it: the budget and those requirements need a decision (see the last section).` : `That leaves $${(COST_BUDGET_PER_MILLION - c.floor.total).toFixed(3)} for everything the code decides.`}

${run.levers?.length ? `What would bring it down, computed with the same model on the measured inputs (cumulative, top to bottom):

${table(['Lever', 'Change', '$ per million after', 'saves'], run.levers.map((l) => [l.name, l.change, l.total.toFixed(3), l.saving.toFixed(3)]))}

` : ''}Sensitivity: local durations are those of a full x86 core against DynamoDB Local; a 1024 MB Lambda gets about 0.58 vCPU and AWS
DynamoDB round trips are a few ms. With every Lambda duration doubled the total is $${twice.toFixed(3)} per million.

Not in the budget (the issue lists API, Lambda, DynamoDB, EventBridge, SQS, SES), estimated for completeness:
${c.observability.map((l) => `${l.component} ≈ $${l.perMillion.toFixed(3)} per million (${l.basis})`).join('; ')}.

Assumptions (where this machine cannot measure): ${Object.entries(ASSUMPTIONS)
    .map(([k, v]) => `\`${k}\` = ${typeof v === 'number' ? +v.toFixed(4) : v}`)
    .join(', ')}.

Prices (us-east-1, on-demand, no free tier; checked ${PRICES_CHECKED}): ${Object.entries(PRICES)
    .map(([k, v]) => `\`${k}\` $${v}`)
    .join(', ')}. Sources: ${PRICE_SOURCES.join('; ')}.`;
};

const analysisSection = (run: BenchRun) => {
  const a = run.analysis;
  if (!a) return 'The analysis did not run (see Errors).';
  const parts: string[] = [];
  const b = run.bundles;

  const families = ['@aws-sdk/*', '@smithy/*', 'zod', '@aws-lambda-powertools/*', '@middy/*', '(taskwell code)'];
  const shareRow = (name: string, pick: (x: BundleBreakdown) => { name: string; bytes: number }[]) => [
    name,
    ...a.breakdowns.map((x) => {
      const bytes = pick(x).find((p) => p.name === name)?.bytes ?? 0;
      return bytes ? `${kb(bytes)} (${pct(bytes, x.bytes)})` : '—';
    }),
  ];
  const header = ['KB in bundle', ...a.breakdowns.map((x) => `\`${x.entry.replace(/^functions\//, '').replace(/\.ts$/, '')}\``)];
  const others = ['other', ...a.breakdowns.map((x) => kb(x.bytes - x.families.filter((f) => families.includes(f.name)).reduce((s, f) => s + f.bytes, 0)))];
  parts.push(`### Bundle analysis (esbuild metafile)

Each function rebuilt with the deployed esbuild options plus \`metafile\` (bench/analysis.ts); the rebuilt size equals the deployed
one (${a.breakdowns.map((x) => `${x.entry.split('/').pop()}: ${x.bytes} vs ${x.deployedBytes ?? '?'} bytes`).join(', ')}).
Bytes of each package in the minified output:

${table(header, [...families.map((f) => shareRow(f, (x) => x.families)), others, ['**total**', ...a.breakdowns.map((x) => `**${kb(x.bytes)}**`)]])}

The heaviest single packages:

${table(
  header,
  [...new Set(a.breakdowns.flatMap((x) => x.packages.slice(0, 12).map((p) => p.name)))]
    .sort((p, q) => (a.breakdowns[0]!.packages.find((x) => x.name === q)?.bytes ?? 0) - (a.breakdowns[0]!.packages.find((x) => x.name === p)?.bytes ?? 0))
    .map((name) => shareRow(name, (x) => x.packages)),
)}`);

  if (a.whatIfs.length) {
    const rows = a.whatIfs.map((w) => [`\`${w.entry.replace(/\.ts$/, '')}\``, ...w.bytes.map((bytes, i) => `${kb(bytes)}${i > 0 ? ` (−${kb(w.bytes[0]! - bytes)})` : ''}`)]);
    const inits = a.whatIfs
      .filter((w) => w.initMs)
      .flatMap((w) => [
        [`\`${w.entry.replace(/\.ts$/, '')}\` init ms`, ...w.initMs!.map((v) => (Number.isFinite(v) ? fmt(v) : 'n/a'))],
        [`\`${w.entry.replace(/\.ts$/, '')}\` init CPU ms`, ...(w.initCpuMs ?? []).map((v) => (Number.isFinite(v) ? fmt(v) : 'n/a'))],
      ]);
    parts.push(`### How much of a bundle is the SDK

The same entries built again, from left to right: ${WHAT_IFS.map((w) => `**${w.name}**: ${w.description}`).join('; ')}. Cold init is the
median of ${run.config.sourceMapRuns} interleaved fresh processes (the SDK-less build cannot run outside Lambda).

${table(['KB', ...WHAT_IFS.map((w) => w.name)], [...rows, ...inits])}`);
  }

  if (a.profiles.length) {
    parts.push(`### Where cold init goes (CPU profile)

\`node --cpu-prof --cpu-prof-interval=100\` on the init probe, 3 runs per function, self time attributed to packages through the
bundle's source map (bench/analysis.ts). Mean per run:

${a.profiles
  .map(
    (p) => `**${p.function}** — ${fmt(p.totalMs)} ms profiled:

${table(['Self time', 'ms', 'share'], p.byPackage.map((s) => [s.name, fmt(s.ms, 1), pct(s.ms, p.totalMs)]))}

Heaviest functions: ${p.topFunctions.map((f) => `${f.name.replaceAll('|', '/')} (${fmt(f.ms, 1)} ms)`).join('; ')}.`,
  )
  .join('\n\n')}`);
  }

  if (a.sourceMaps.length) {
    parts.push(`### The price of \`NODE_OPTIONS=--enable-source-maps\`

Every function is deployed with it (lib/constructs/taskwell-function.ts). Node then reads and parses the bundle's source map
(${b ? `${kb(b.functions.find((f) => f.id === 'tasks-get-task')?.mapBytes ?? 0)} KB for get-task` : 'the .map file'}) while loading the module. Median cold init with and without, ${run.config.sourceMapRuns} interleaved runs each:

${table(['Function', 'with ms', 'without ms', 'cost ms', 'with CPU ms', 'without CPU ms', 'cost CPU ms'], a.sourceMaps.map((s) => [s.function, fmt(s.withMs), fmt(s.withoutMs), fmt(s.withMs - s.withoutMs), fmt(s.withCpuMs), fmt(s.withoutCpuMs), fmt(s.withCpuMs - s.withoutCpuMs)]))}`);
  }
  return parts.join('\n\n');
};

export const renderReport = (run: BenchRun, out: string): string => {
  const charts = chartPaths(out);
  const budgets = run.budgets ?? evaluateBudgets(run);
  return `# Benchmarks

Generated by \`npm run bench\` (bench/run.ts) — do not edit by hand: change the bench and run it again. \`npm run bench -- --quick\`
takes every measurement with fewer samples (${'`initRuns`, `handlerIterations`, `loadUsers`, `loadSeconds`'} in bench/config.ts) and
finishes in under five minutes on two cores; \`--strict\` makes a missed budget fail the run (errors in the load test always do).
What the figures mean and why the budgets are missed: see the last section.

## The run

${machineSection(run)}

## Budgets

${table(['Budget', 'Target', 'Measured', 'Result'], budgets.map((b) => [b.name, b.target, b.measured, b.pass ? 'PASS' : '**FAIL**']))}
${run.errors.length ? `\n## Errors\n\n${run.errors.map((e) => `- ${e.part}: \`${e.message.split('\n')[0]!.replaceAll('`', "'")}\``).join('\n')}\n` : ''}
## 1. Bundle size and cold init

${bundlesSection(run, charts)}

## 2. Warm handler latency

${handlersSection(run, charts)}

## 3. Local API under load

${loadSection(run)}

## 4. DynamoDB cost per request

${capacitySection(run)}

## 5. Cost model

${costSection(run, charts)}

## Why budgets are missed and what fixes them

${proposals(run)}

${analysisSection(run)}
`;
};
