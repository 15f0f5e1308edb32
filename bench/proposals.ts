// "Why budgets are missed and what fixes them": the reading of one run's figures, with those figures in it.
import { BUNDLE_BUDGET_BYTES, INIT_BUDGET_RATIO } from './bundles.ts';
import { COST_BUDGET_PER_MILLION } from './cost.ts';
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
    const powertools = family(gt, '@aws-lambda-powertools/*');
    const gtBytes = breakdown(gt)?.bytes ?? 1;
    const overBudget = b.functions.filter((f) => f.bytes > BUNDLE_BUDGET_BYTES);
    const sizes = b.functions.map((f) => f.bytes);
    out.push(`### Bundle size: ${overBudget.length} of ${b.functions.length} functions over ${BUNDLE_BUDGET_BYTES / 1024} KB; the floor alone is ${kbOf(b.floor.bytes)}

Applied so far, each a cause found in the bundle analysis below (earlier runs, for the record: at commit 75e2b14 the floor was
203.4 KB and get-task 415.0 KB; before that 339.2 and 551.0 KB):

1. **Credentials from the environment only** (lib/bundling/env-credentials.ts, an esbuild alias for
   \`@aws-sdk/credential-provider-node\`): the SDK's default chain (SSO, INI files, STS web identity, IMDS, with nested
   STS/SSO/SSO-OIDC clients) was 136 KB of every bundle; Lambda always puts the role's credentials in the environment.
2. **No event-stream codec** (lib/bundling/no-event-streams.ts): the SDK's protocol code \`import()\`s
   \`@smithy/core/event-streams\` for streaming operations; none of our clients has one, but esbuild inlines every \`import()\`
   target — about 20 KB of every bundle with what it pulled in (floor 203.4 → ${kbOf(b.floor.bytes)}).
3. **Idempotency and JMESPath only where they are used**: Powertools idempotency with its DynamoDB persistence layer and the
   JMESPath engine (~37 KB) now sit in shared/http/idempotency.ts, imported by the two create handlers only; the logger's
   correlation id is set directly instead of through a JMESPath \`correlationIdPath\`.
4. **zod/mini instead of zod's classic API** (shared/schemas/zod.ts): the same task schema is ${kbOf(zodClassic)} with the classic
   API and ${kbOf(zodMini)} with \`zod/mini\` (bench/what-if/zod-*.ts); get-task now carries ${kbOf(family(gt, 'zod'))} of zod.
5. **The OpenAPI document generated ahead of time** (shared/openapi/openapi.json, \`npm run openapi\`, a unit test fails when
   it is stale): \`openapi-get-openapi\` no longer carries zod, zod-openapi and every schema.
6. **Task functions take only \`access()\` and \`settings()\`** from the project and notification stores, not the stores' objects
   (whose every method esbuild must keep).

What remains: function bundles are ${kbOf(Math.min(...sizes))}–${kbOf(Math.max(...sizes))}. In \`tasks/get-task\` (${kbOf(gtBytes)}) the
AWS SDK (@aws-sdk/* + @smithy/*) is ${kbOf(sdk)} (${pct(sdk, gtBytes)}), Powertools ${kbOf(powertools)}, zod ${kbOf(family(gt, 'zod'))}, middy
${kbOf(family(gt, '@middy/*'))} and our own code ${kbOf(family(gt, '(taskwell code)'))}. The floor — a bundle that only creates a
\`DynamoDBDocumentClient\` — is ${kbOf(b.floor.bytes)} (@smithy/core alone ${kbOf(breakdown('bench/floor-entry.ts')?.packages.find((p) => p.name === '@smithy/core')?.bytes)}), which leaves
${kbOf(BUNDLE_BUDGET_BYTES - b.floor.bytes)} under the budget for everything a function adds; Powertools' logger and metrics, which the design
names for every function, take ${kbOf(powertools)} of that alone, and a function with a second client (Cognito, SES, SQS, Step
Functions) adds its service model on top. **Decision for the lead:** keep the SDK bundled (the design: pinned, measured) and set the
budget at what this run reaches (${kbOf(Math.max(...sizes))} for the largest; route functions like get-task ${kbOf(gtBytes)}), or leave
\`@aws-sdk/*\` to the nodejs22.x runtime (reference column below: ${getTask ? kbOf(getTask.bytes[1]) : '?'} for get-task) and give up the pinned SDK.`);
  }

  if (b) {
    const over = b.functions.filter((f) => f.initRatio > INIT_BUDGET_RATIO).sort((x, y) => y.initRatio - x.initRatio);
    const worst = [...b.functions].sort((x, y) => y.initRatio - x.initRatio)[0];
    out.push(`### Cold init: ${over.length ? `${over.length} function${over.length === 1 ? '' : 's'} over ${INIT_BUDGET_RATIO}× the floor` : `every function within ${INIT_BUDGET_RATIO}× the floor`}

${over.length ? `Over: ${over.map((f) => `\`${f.id}\` ${fmt(f.initRatio, 2)}×`).join(', ')}. ` : `The slowest is \`${worst?.id}\` at ${fmt(worst?.initRatio ?? 0, 2)}×. `}Cold init is mostly V8 compiling the bundle:
${compileMs !== undefined && profile ? `in get-task's profile \`compileSourceTextModule\` alone takes ${fmt(compileMs)} of ${fmt(profile.totalMs)} ms, ` : ''}Node's own start-up most
of the rest; running module-scope code (all modules' top levels, hoisted by esbuild into one function) is ${topLevelMs !== undefined ? `${fmt(topLevelMs)} ms` : 'small'}${zodInitMs !== undefined ? ` (zod's own functions, building the schemas, ${fmt(zodInitMs)} ms of the profile)` : ''}.
So init follows bundle size, and the bundle fixes above are the init fixes too. \`openapi-get-openapi\` was the outlier (2.10× at
commit 75e2b14): it built the whole OpenAPI document with zod-openapi at module scope; it now serves the pre-generated file.

One lever is left on purpose: **\`NODE_OPTIONS=--enable-source-maps\`** makes Node read and parse the bundle's source map
(${kbOf(b.functions.find((f) => f.id === 'tasks-get-task')?.mapBytes)} for get-task) at load${sourceMap ? `: ${fmt(sourceMap.withMs - sourceMap.withoutMs)} ms wall / ${fmt(sourceMap.withCpuMs - sourceMap.withoutCpuMs)} ms CPU of get-task's init here (medians of ${sourceMap.runs})` : ''}.
Readable stack traces in the logs are worth that to operators; the alternative is resolving traces offline from the .map kept with the build.

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
    const requestPath = line('API Gateway') + line('Lambda requests') + line('Lambda duration') + line('DynamoDB') + line('Cold starts');
    const pipeline = line('EventBridge') + line('SQS') + line('Publisher') + line('Consumer') + line('SES');
    const last = run.levers[run.levers.length - 1];
    const auditWrites = (run.capacity?.costs ?? [])
      .flatMap((x) => x.consumers.calls)
      .filter((call) => call.pk?.startsWith('AUDIT#') && call.kind === 'write' && call.capacity)
      .map((call) => call.capacity!.total);
    const auditRange = auditWrites.length ? `${fmt(Math.min(...auditWrites), 0)}–${fmt(Math.max(...auditWrites), 0)} WCU` : 'a few WCU';
    out.push(`### Cost: $${c.total.toFixed(2)} per million mixed requests against $${COST_BUDGET_PER_MILLION.toFixed(2)}

**The budget is below what the required architecture costs before our code does anything**: $${c.floor.total.toFixed(2)} per million (section 5:
${c.floor.lines.map((l) => `${l.component} $${l.perMillion.toFixed(2)}`).join(', ')}). The Lambda authorizer on every request and
uncached comes from the requirement that a disabled user's tokens stop working on the next request; an event per change,
delivered to the audit, notification, stats and reminder queues, from the event pipeline. Of the measured $${c.total.toFixed(2)}, the request
path (gateway, both functions, their DynamoDB units, cold starts) is $${requestPath.toFixed(2)} — a task write is at least three
write units (the table and its two list indexes) — and the event pipeline $${pipeline.toFixed(2)}.

Applied this round: **audit records compressed** — their \`changes\`/\`before\`/\`after\` travel as one gzip JSON attribute
(shared/store/audit-store.ts); a record is written three times (table and both indexes, ALL projection) at one unit per started KB,
and ~630 bytes of every record are keys and searchable attributes. The records of this run's walk cost ${auditRange} (table and both
indexes; 6–9 before): 3 for an edit of a short task, 6 for a dated task with reminders or a few hundred characters of description
(test/integration/audit/audit-storage.test.ts measures both). Creates no longer list the fields they leave empty as changes.

Still open, measured on this run's inputs (section 5, cumulative): ${run.levers.map((l) => `${l.name} −$${l.saving.toFixed(3)}`).join('; ')}${last ? ` — $${last.total.toFixed(2)} with all of them` : ''}.
The first two are ours to take but trade something (resource ids derived from the key; a member removed from a project could still
read it for the moment an eventually consistent read lags); the last two change what the brief and the issues fix (the audit
consumer fed by its queue; a Lambda authorizer that sees disabled users). **Decision for the lead:**
$${COST_BUDGET_PER_MILLION.toFixed(2)} is not reachable with this architecture and feature set, whatever the code does: either the budget follows the
measured mix (≈ $${(Math.ceil(c.total * 2) / 2).toFixed(2)} today), or the requirements move — an authorizer result cache (a disabled user keeps
access for up to its TTL), audit written from the stream, fewer queues per event, one audit index. Also note: audit records share
one partition per month (\`AUDIT#yyyy-mm\`), which caps the audit write rate at one partition's 1,000 WCU/s (≈ ${auditWrites.length ? Math.floor(1000 / Math.max(...auditWrites)) : 166} events/s at ${auditWrites.length ? fmt(Math.max(...auditWrites), 0) : 6} WCU).`);
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
