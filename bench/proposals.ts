// "Why budgets are missed and what fixes them": the reading of one run's figures, with those figures in it.
import { BUNDLE_BUDGET_BYTES, INIT_BUDGET_RATIO } from './bundles.ts';
import { COST_BUDGET_PER_MILLION, PRICES } from './cost.ts';
import { isRouteHandler } from './handlers.ts';
import type { BenchRun } from './report.ts';
import { fmt, kb, pct } from './stats.ts';

const kbOf = (bytes: number | undefined) => (bytes === undefined ? '?' : `${kb(bytes)} KB`);

export const proposals = (run: BenchRun): string => {
  const a = run.analysis;
  const b = run.bundles;
  const out: string[] = [];
  const whatIf = (entry: string) => a?.whatIfs.find((w) => w.entry === entry);
  const getTask = whatIf('functions/tasks/get-task.ts');
  const authorizerWi = whatIf('functions/auth/authorizer.ts');
  const floorWi = whatIf('bench/floor-entry.ts');
  const breakdown = (entry: string) => a?.breakdowns.find((x) => x.entry === entry);
  const family = (entry: string, name: string) => breakdown(entry)?.families.find((f) => f.name === name)?.bytes ?? 0;
  const gt = 'functions/tasks/get-task.ts';
  const zodClassic = a?.libraries.find((l) => l.entry.endsWith('zod-classic.ts'))?.bytes;
  const zodMini = a?.libraries.find((l) => l.entry.endsWith('zod-mini.ts'))?.bytes;
  const profile = a?.profiles.find((p) => p.function === 'tasks-get-task');
  const compileMs = profile?.topFunctions.find((f) => f.name.startsWith('compileSourceTextModule'))?.ms;
  const topLevelMs = profile?.byPackage.find((p) => p.name.startsWith('(bundle top level'))?.ms;
  const zodInitMs = profile?.byPackage.find((p) => p.name === 'zod')?.ms;
  const sourceMap = a?.sourceMaps.find((x) => x.function === 'tasks-get-task');

  if (b) {
    const sdk = family(gt, '@aws-sdk/*') + family(gt, '@smithy/*');
    const gtBytes = breakdown(gt)?.bytes ?? 1;
    out.push(`### Bundle size: every function is over ${BUNDLE_BUDGET_BYTES / 1024} KB — and so is the floor

The floor, a bundle that does nothing but create a \`DynamoDBDocumentClient\`, is already ${kbOf(b.floor.bytes)}: with the SDK bundled,
no function can meet the budget as the code stands. In \`tasks/get-task\` (${kbOf(gtBytes)}) the AWS SDK (@aws-sdk/* + @smithy/*) is
${kbOf(sdk)} (${pct(sdk, gtBytes)}), zod ${kbOf(family(gt, 'zod'))}, Powertools ${kbOf(family(gt, '@aws-lambda-powertools/*'))} and our own
code ${kbOf(family(gt, '(taskwell code)'))} (tables below). Proposals, each measured below by rebuilding with an esbuild alias that models it:

1. **Credentials from the environment only — applied** (the deployed bundles alias \`@aws-sdk/credential-provider-node\` to
   lib/bundling/env-credentials.ts, \`fromEnv\` only; so does this floor). The SDK's default chain (SSO, INI files, STS web identity,
   IMDS, \`login\`, with nested STS/SSO/SSO-OIDC/Signin clients) was 136 KB of every bundle before (docs/benchmarks.md of commit
   before the change: floor 339.2 KB, get-task 551.0 KB). Lambda always puts the role's credentials in the environment; the local
   runtime runs the sources and keeps the full chain.
2. **Idempotency and JMESPath only where they are used** (${getTask ? `a further −${kb(getTask.bytes[1]! - getTask.bytes[2]!)} KB in get-task` : 'see below'}${authorizerWi ? `, −${kb(authorizerWi.bytes[1]! - authorizerWi.bytes[2]!)} KB in the authorizer` : ''}).
   shared/http/handler.ts imports Powertools idempotency (and its DynamoDB persistence layer) for every function, though only the two
   create handlers use it; the logger's \`correlationIdPath\` needs \`@aws-lambda-powertools/logger/correlationId\`, i.e. the JMESPath
   engine, in every function including the authorizer. Fix: an \`idempotent()\` wrapper in its own module, imported by create-task and
   create-project only; set the correlation id with \`logger.setCorrelationId(event.requestContext.requestId)\` in a small \`before\`.
3. **zod/mini for request validation**: the same task schema weighs ${kbOf(zodClassic)} with zod's classic API and ${kbOf(zodMini)} with
   \`zod/mini\` (bench/what-if/zod-*.ts)${zodInitMs !== undefined ? `; zod also spends ${fmt(zodInitMs)} ms of get-task's init building schemas` : ''}.
   The OpenAPI document is generated from the same schemas: check that zod-openapi accepts zod/mini schemas (both are zod v4 core)
   before moving, or keep classic schemas only where the document is built (see 5).
4. **What remains is the SDK's core.** After 2, get-task is ${kbOf(getTask?.bytes[2])}; with 3 about ${getTask && zodClassic && zodMini ? kbOf(getTask.bytes[2]! - (zodClassic - zodMini)) : '?'}.
   The floor is ${kbOf(floorWi?.bytes[1])} (@smithy/core alone is ${kbOf(breakdown('bench/floor-entry.ts')?.packages.find((p) => p.name === '@smithy/core')?.bytes)}), so ${BUNDLE_BUDGET_BYTES / 1024} KB leaves
   ${floorWi ? kbOf(BUNDLE_BUDGET_BYTES - floorWi.bytes[1]!) : '?'} for Powertools, middy, validation and our code. **Decision for the lead:** keep the SDK bundled
   (DESIGN.md) and set the budget at what 1–3 reach (≈ 300 KB), or leave \`@aws-sdk/*\` to the nodejs22.x runtime (reference column:
   ${getTask ? kbOf(getTask.bytes[3]) : '?'} for get-task) and give up the pinned SDK.`);
  }

  if (b) {
    const over = b.functions.filter((f) => f.initRatio > INIT_BUDGET_RATIO).sort((x, y) => y.initRatio - x.initRatio);
    out.push(`### Cold init: ${over.length ? `${over.length} function${over.length === 1 ? '' : 's'} over ${INIT_BUDGET_RATIO}× the floor` : `every function within ${INIT_BUDGET_RATIO}× the floor`}

${over.length ? `Over: ${over.map((f) => `\`${f.id}\` ${fmt(f.initRatio, 2)}×`).join(', ')}. ` : ''}Cold init is mostly V8 compiling the bundle:
${compileMs !== undefined && profile ? `in get-task's profile \`compileSourceTextModule\` alone takes ${fmt(compileMs)} of ${fmt(profile.totalMs)} ms, ` : ''}Node's own start-up most
of the rest; running module-scope code (all modules' top levels, hoisted by esbuild into one function) is ${topLevelMs !== undefined ? `${fmt(topLevelMs)} ms` : 'small'}.
So init follows bundle size, and proposals 1–3 are also the init fixes: measured on get-task (median wall / CPU ms),
${getTask?.initMs && getTask.initCpuMs ? `${fmt(getTask.initMs[0]!)} / ${fmt(getTask.initCpuMs[0]!)} as deployed → ${fmt(getTask.initMs[1]!)} / ${fmt(getTask.initCpuMs[1]!)} with 1 → ${fmt(getTask.initMs[2]!)} / ${fmt(getTask.initCpuMs[2]!)} with 1 + 2` : 'see the what-if table'}
(the floor falls too, ${floorWi?.initMs && floorWi.initCpuMs ? `${fmt(floorWi.initMs[0]!)} / ${fmt(floorWi.initCpuMs[0]!)} → ${fmt(floorWi.initMs[1]!)} / ${fmt(floorWi.initCpuMs[1]!)}` : ''}, so the ratio moves less than the milliseconds).

5. **\`openapi-get-openapi\` builds the whole OpenAPI document at module scope** (zod-openapi over every schema): generate
   \`openapi.json\` at build time (it depends only on the schemas) and serve the file; the function then needs neither zod nor zod-openapi.
6. **\`NODE_OPTIONS=--enable-source-maps\`** makes Node read and parse the bundle's source map (${kbOf(b.functions.find((f) => f.id === 'tasks-get-task')?.mapBytes)} for get-task) at load${sourceMap ? `: ${fmt(sourceMap.withMs - sourceMap.withoutMs)} ms wall / ${fmt(sourceMap.withCpuMs - sourceMap.withoutCpuMs)} ms CPU of get-task's init here (medians of ${sourceMap.runs})` : ''}. Readable
   stack traces are worth something; the alternative is resolving traces offline from the .map kept with the build.

Memory: the functions run at 1024 MB. Warm invocations here spend ${run.handlers ? `${fmt(Math.min(...run.handlers.figures.map((f) => f.handlerMs.p50)))}–${fmt(Math.max(...run.handlers.figures.map((f) => f.handlerMs.p50)))} ms` : 'a few ms'}, mostly waiting on DynamoDB, and Lambda duration is
${run.cost ? `$${(run.cost.lines.find((l) => l.component.startsWith('Lambda duration'))?.perMillion ?? 0).toFixed(3)}` : 'a small part'} of the cost per million: memory is not the cost lever. More memory (more CPU) would mainly shorten
the CPU-bound compile of cold init; fewer bytes do that for free.`);
  }

  if (run.handlers) {
    const rows = run.handlers.figures.filter((f) => isRouteHandler(f.variant) && f.ratio !== undefined);
    const worst = rows.reduce((x, y) => (y.ratio! > x.ratio! ? y : x), rows[0]!);
    out.push(`### Warm handler overhead: within budget

Our middleware (logger context, header normalisation, JSON parsing, zod validation, problem mapping), use cases and item mapping add
${rows.length ? `${fmt(Math.min(...rows.map((r) => r.ratio!)), 2)}–${fmt(worst.ratio!, 2)}×` : '?'} to the raw DynamoDB calls at p50 (worst: ${worst?.variant}).
The latency is the round trips: most task routes make two reads before they can answer (see DynamoDB below).`);
  }

  if (run.cost && run.levers) {
    const c = run.cost;
    const line = (prefix: string) => c.lines.filter((l) => l.component.startsWith(prefix)).reduce((sum, l) => sum + l.perMillion, 0);
    const fixed = line('API Gateway') + line('Lambda requests');
    const pipeline = line('EventBridge') + line('SQS') + line('Publisher') + line('Consumer');
    const last = run.levers[run.levers.length - 1];
    out.push(`### Cost: $${c.total.toFixed(2)} per million mixed requests against $${COST_BUDGET_PER_MILLION.toFixed(2)}

API Gateway and two Lambda invocations alone are $${fixed.toFixed(2)} per million before any work, leaving $${(COST_BUDGET_PER_MILLION - fixed).toFixed(2)} for
DynamoDB (measured $${(line('DynamoDB reads') + line('DynamoDB writes')).toFixed(2)}) and the event pipeline (measured $${pipeline.toFixed(2)}: EventBridge,
SQS, and above all the consumers' writes — an audit record is ${(() => {
      const audit = run.capacity?.costs.flatMap((x) => x.consumers.calls).find((call) => call.pk?.startsWith('AUDIT#') && call.kind === 'write');
      return audit?.capacity ? `${fmt(audit.capacity.total, 0)} WCU: the full before/after states make it over 1 KB, written to the table and both GSIs (ALL projection)` : 'several WCU';
    })()}). The levers in section 5, cumulatively, bring it to **$${last ? last.total.toFixed(2) : '?'}**:

${run.levers.map((l, i) => `${i + 1}. ${l.name} (−$${l.saving.toFixed(3)}): ${l.change}.`).join('\n')}

${last && last.total > COST_BUDGET_PER_MILLION ? `That is still over: API Gateway and the route's Lambda invocation are $${(PRICES.httpApiPerMillionRequests + PRICES.lambdaPerMillionRequests).toFixed(2)} of it whatever the code does,
and each write still fans out to EventBridge and SQS for notifications. Below $2.00 needs, on top
of these, fewer index writes (one audit index instead of two; KEYS_ONLY/INCLUDE projections where lists do not need whole items) or
a budget that counts the event pipeline separately from the request path — a decision for the lead. Also note: audit records share one partition per month (\`AUDIT#yyyy-mm\`),
which caps the audit write rate at one partition's 1,000 WCU/s (≈ ${Math.floor(1000 / 6)} events/s at 6 WCU each).` : ''}`);
  }

  if (run.capacity) {
    out.push(`### DynamoDB requests per route

${run.capacity.costs.filter((x) => x.flagged).length} routes make more than one read request or more than one write request (section 4 lists
each with its reason). The common cause is the access check: a task route first reads the task (to learn its project), then the
project and the caller's membership in one BatchGetItem — two round trips and 3 RCU for a single task. Options: read the membership
alone (GetItem, 1 RCU) where the project item is not needed, with eventually consistent reads (lever 2); for creates, idempotency in
the item (lever 1) removes two of the three writes.`);
  }
  return out.join('\n\n');
};
