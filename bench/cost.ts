// Part 5: dollars per million requests of the mixed workload (bench/mix.ts) at AWS list prices, from what this
// run measured: the warm durations of the authorizer and each route function (bench/handlers.ts), the capacity
// units, the domain events and what the queue consumers did with them (bench/capacity.ts), and the configured
// memory (the synthesized template). What could not be measured here is an explicit assumption, shown as such.
import { queues, type QueueDef } from '#shared/events/queues';
import type { RouteCost } from './capacity.ts';
import type { HandlerFigure } from './handlers.ts';
import { MIX } from './mix.ts';

/** us-east-1 list prices (on-demand, no free tier), as published; checked on PRICES_CHECKED. */
export const PRICES = {
  httpApiPerMillionRequests: 1.0,
  lambdaPerMillionRequests: 0.2,
  lambdaArmPerGbSecond: 0.0000133334,
  dynamoDbPerMillionWriteRequestUnits: 0.625,
  dynamoDbPerMillionReadRequestUnits: 0.125,
  eventBridgePerMillionCustomEvents: 1.0,
  sqsPerMillionRequests: 0.4,
  sesPerThousandEmails: 0.1,
  cloudWatchLogsPerGbIngested: 0.5,
  xRayPerMillionTracesRecorded: 5.0,
} as const;

export const PRICES_CHECKED = '2026-11-23';
export const PRICE_SOURCES = [
  'https://aws.amazon.com/api-gateway/pricing/ (HTTP APIs: $1.00 per million, first 300 M)',
  'https://aws.amazon.com/lambda/pricing/ (Arm: $0.0000133334 per GB-s, $0.20 per million requests; INIT billed since 2025-08-01)',
  'https://aws.amazon.com/dynamodb/pricing/on-demand/ ($0.625 per million WRU, $0.125 per million RRU since the Nov 2024 reduction)',
  'https://aws.amazon.com/eventbridge/pricing/ (custom events $1.00 per million, 64 KB chunks)',
  'https://aws.amazon.com/sqs/pricing/ (standard: $0.40 per million requests, 64 KB chunks)',
  'https://aws.amazon.com/ses/pricing/ ($0.10 per 1,000 emails)',
];

export const COST_BUDGET_PER_MILLION = 2.0;

/** Per request, what the authorizer's per-user request quota adds: its counter's UpdateItem; filtered off the stream. */
export const REQUEST_QUOTA_COST = {
  wru: 1,
  rru: 0,
  publisherInvocations: 0,
  perMillion: 1 * PRICES.dynamoDbPerMillionWriteRequestUnits,
} as const;

/** Per request, what the session check adds to the authorizer's read: one strongly consistent BatchGetItem of 3 items instead of one eventually consistent GetItem. */
export const SESSION_CHECK_COST = {
  rruBefore: 0.5,
  rruAfter: 3,
  perMillion: (3 - 0.5) * PRICES.dynamoDbPerMillionReadRequestUnits,
} as const;

/** What the model assumes where this machine cannot measure (each appears in the report). */
export const ASSUMPTIONS = {
  /** Share of invocations that are cold starts (AWS: "typically under 1%"); INIT is billed since 2025-08. */
  coldStartShare: 0.01,
  /** Stream records per publisher invocation (batch size 100 with a 1 s window: fuller under load, 1 when idle). */
  publisherRecordsPerInvocation: 10,
  /** Billed ms of one publisher invocation (one PutEvents round trip + mapping). */
  publisherMsPerInvocation: 30,
  /** SQS requests per delivered message: SendMessage by EventBridge + ReceiveMessage/DeleteMessageBatch for 10 at a time. */
  sqsRequestsPerMessage: 1 + 2 / 10,
  /** Observability, not part of the issue's budget: log bytes per invocation (START/END/REPORT lines) and per request (access log). */
  logBytesPerInvocation: 350,
  accessLogBytesPerRequest: 450,
  /** X-Ray sampling at volume (default rule: 1 request/s reservoir + 5%). */
  xRaySampledShare: 0.05,
};

export interface CostLine {
  component: string;
  /** $ per million mixed requests. */
  perMillion: number;
  basis: string;
  /** The figure rests on an assumption above, not a measurement. */
  assumed: boolean;
}

export interface CostModel {
  lines: CostLine[];
  total: number;
  /** Lines that rest only on measurements (and list prices). */
  measuredTotal: number;
  /** Not in the issue's budget, estimated for completeness. */
  observability: CostLine[];
  perRequest: {
    lambdaMs: number;
    rru: number;
    wru: number;
    events: number;
    deliveries: number;
    streamRecords: number;
    consumerRru: number;
    consumerWru: number;
    consumerMs: number;
    emails: number;
  };
  memoryMb: number;
  /** What the mix costs at least with the architecture the issues require, whatever the code does (see requiredFloor). */
  floor: { lines: CostLine[]; total: number };
  missing: string[];
}

export interface CostInput {
  capacity: RouteCost[];
  handlers: HandlerFigure[];
  memoryMb: number;
  /** Median cold init (ms) of the route functions, for the INIT share. */
  initMs?: number;
  /** false: no Lambda authorizer on the request path (a lever below). */
  authorizer?: boolean;
  /**
   * Queues whose consumers' work the publisher would do itself, straight from the stream (a lever below): no
   * EventBridge event unless another queue wants it, no SQS message, no consumer invocation; the writes remain.
   */
  fromStream?: string[];
}

const perMillion = (perRequest: number) => perRequest * 1_000_000;

export const costModel = (input: CostInput): CostModel => {
  const missing: string[] = [];
  const capacityOf = (variant: string) => {
    const found = input.capacity.find((c) => c.variant === variant && c.ok);
    if (!found) missing.push(`capacity of ${variant}`);
    return found;
  };
  const durationOf = (variant: string) => {
    const found = input.handlers.find((h) => h.variant === variant);
    if (!found) missing.push(`warm duration of ${variant}`);
    return found ? Math.ceil(found.handlerMs.p50) : 0;
  };
  const withAuthorizer = input.authorizer ?? true;
  const gb = input.memoryMb / 1024;
  const authorizerCapacity = withAuthorizer ? capacityOf('auth.authorizer') : undefined;
  const authorizerMs = withAuthorizer ? durationOf('auth.authorizer') : 0;

  const totals = { lambdaMs: 0, rru: 0, wru: 0, events: 0, deliveries: 0, streamRecords: 0, consumerRru: 0, consumerWru: 0, consumerMs: 0, consumerInvocations: 0, emails: 0 };
  const consumerFailures: string[] = [];
  for (const step of MIX) {
    const cap = capacityOf(step.variant);
    totals.lambdaMs += authorizerMs + durationOf(step.variant);
    totals.rru += (authorizerCapacity?.rcu ?? 0) + (cap?.rcu ?? 0);
    totals.wru += (authorizerCapacity?.wcu ?? 0) + (cap?.wcu ?? 0);
    const fromStream = new Set(input.fromStream ?? []);
    totals.events += (cap?.eventTargets ?? []).filter((targets) => targets.length === 0 || targets.some((t) => !fromStream.has(t))).length;
    totals.streamRecords += cap?.streamRecords ?? 0;
    for (const [queue, n] of Object.entries(cap?.deliveries ?? {})) {
      if (fromStream.has(queue)) continue;
      totals.deliveries += n;
      const consumer = (queues as readonly QueueDef[]).find((q) => q.name === queue)?.consumer;
      if (consumer) totals.consumerInvocations += n / consumer.batchSize;
    }
    totals.consumerRru += cap?.consumers.rcu ?? 0;
    totals.consumerWru += cap?.consumers.wcu ?? 0;
    totals.consumerMs += cap?.consumers.ms ?? 0;
    totals.emails += cap?.consumers.emails ?? 0;
    consumerFailures.push(...(cap?.consumers.failures ?? []));
  }
  const n = MIX.length;
  const avg = {
    lambdaMs: totals.lambdaMs / n,
    rru: totals.rru / n,
    wru: totals.wru / n,
    events: totals.events / n,
    deliveries: totals.deliveries / n,
    streamRecords: totals.streamRecords / n,
    consumerRru: totals.consumerRru / n,
    consumerWru: totals.consumerWru / n,
    consumerMs: totals.consumerMs / n,
    emails: totals.emails / n,
  };
  const consumerInvocations = totals.consumerInvocations / n;

  const A = ASSUMPTIONS;
  const gbSecond = PRICES.lambdaArmPerGbSecond;
  const lambda = (invocations: number, ms: number) => perMillion(invocations * (PRICES.lambdaPerMillionRequests / 1_000_000) + (ms / 1000) * gb * gbSecond);
  const ddb = (rru: number, wru: number) => perMillion((rru * PRICES.dynamoDbPerMillionReadRequestUnits + wru * PRICES.dynamoDbPerMillionWriteRequestUnits) / 1_000_000);
  const invocations = withAuthorizer ? 2 : 1;
  const lines: CostLine[] = [
    { component: 'API Gateway HTTP API', perMillion: PRICES.httpApiPerMillionRequests, basis: '1 request', assumed: false },
    {
      component: withAuthorizer ? 'Lambda requests (authorizer + route)' : 'Lambda requests (route)',
      perMillion: invocations * PRICES.lambdaPerMillionRequests,
      basis: `${invocations} invocation${invocations > 1 ? 's' : ''}`,
      assumed: false,
    },
    {
      component: withAuthorizer ? 'Lambda duration (authorizer + route)' : 'Lambda duration (route)',
      perMillion: lambda(0, avg.lambdaMs),
      basis: `${avg.lambdaMs.toFixed(1)} billed ms at ${input.memoryMb} MB (warm p50s, rounded up per invocation)`,
      assumed: false,
    },
    { component: 'DynamoDB reads', perMillion: ddb(avg.rru, 0), basis: `${avg.rru.toFixed(2)} RRU${withAuthorizer ? " (the authorizer's profile read included)" : ''}`, assumed: false },
    { component: 'DynamoDB writes', perMillion: ddb(0, avg.wru), basis: `${avg.wru.toFixed(2)} WRU (GSI writes and idempotency records included)`, assumed: false },
    {
      component: 'EventBridge (domain events)',
      perMillion: perMillion((avg.events / 1_000_000) * PRICES.eventBridgePerMillionCustomEvents),
      basis: `${avg.events.toFixed(2)} events (mapped from the measured stream records)`,
      assumed: false,
    },
    {
      component: 'SQS (rule targets)',
      perMillion: perMillion(((avg.deliveries * A.sqsRequestsPerMessage) / 1_000_000) * PRICES.sqsPerMillionRequests),
      basis: `${avg.deliveries.toFixed(2)} messages × ${A.sqsRequestsPerMessage} requests (enabled rules of shared/events/rules.ts)`,
      assumed: false,
    },
    {
      component: 'Publisher Lambda share',
      perMillion: lambda(avg.streamRecords / A.publisherRecordsPerInvocation, (avg.streamRecords / A.publisherRecordsPerInvocation) * A.publisherMsPerInvocation),
      basis: `${avg.streamRecords.toFixed(2)} stream records ÷ ${A.publisherRecordsPerInvocation} per invocation, ${A.publisherMsPerInvocation} ms each`,
      assumed: true,
    },
    {
      component: 'Consumers: Lambda (queue batches)',
      perMillion: lambda(consumerInvocations, avg.consumerMs),
      basis: `${consumerInvocations.toFixed(3)} invocations (batch sizes of shared/events/queues.ts), ${avg.consumerMs.toFixed(1)} ms of measured handler time${
        consumerFailures.length ? `; ${consumerFailures.length} messages failed` : ''
      }`,
      assumed: consumerFailures.length > 0,
    },
    {
      component: 'Consumers: DynamoDB',
      perMillion: ddb(avg.consumerRru, avg.consumerWru),
      basis: `${avg.consumerRru.toFixed(2)} RRU, ${avg.consumerWru.toFixed(2)} WRU (measured: each message handed to its consumer)`,
      assumed: consumerFailures.length > 0,
    },
    {
      component: 'Cold starts (INIT billed)',
      perMillion: lambda(0, invocations * A.coldStartShare * (input.initMs ?? 0)),
      basis: `${(A.coldStartShare * 100).toFixed(0)}% of invocations × ${(input.initMs ?? 0).toFixed(0)} ms init (local median)`,
      assumed: true,
    },
    {
      component: 'SES',
      perMillion: perMillion((avg.emails / 1000) * PRICES.sesPerThousandEmails),
      basis: `${avg.emails.toFixed(3)} emails (the notification consumer's EmailsSent metric)`,
      assumed: false,
    },
  ];
  const observability: CostLine[] = [
    {
      component: 'CloudWatch Logs (Lambda platform lines + API access log)',
      perMillion: perMillion(((invocations * A.logBytesPerInvocation + A.accessLogBytesPerRequest) / 1024 ** 3) * PRICES.cloudWatchLogsPerGbIngested),
      basis: `${invocations * A.logBytesPerInvocation + A.accessLogBytesPerRequest} bytes per request`,
      assumed: true,
    },
    {
      component: 'X-Ray (tracing: active)',
      perMillion: perMillion(A.xRaySampledShare * (PRICES.xRayPerMillionTracesRecorded / 1_000_000)),
      basis: `${A.xRaySampledShare * 100}% sampled`,
      assumed: true,
    },
  ];
  const total = lines.reduce((s, l) => s + l.perMillion, 0);
  const floorLines = requiredFloor(avg.events, avg.deliveries);
  return {
    lines,
    total,
    floor: { lines: floorLines, total: floorLines.reduce((s, l) => s + l.perMillion, 0) },
    measuredTotal: lines.filter((l) => !l.assumed).reduce((s, l) => s + l.perMillion, 0),
    observability,
    perRequest: avg,
    memoryMb: input.memoryMb,
    missing: [...new Set(missing)],
  };
};

/**
 * The least the mix can cost with what the requirements ask, before any DynamoDB unit, Lambda millisecond or consumer
 * invocation: every request passes the gateway and a Lambda authorizer that is not cached (a Lambda
 * authorizer on every route; a disabled user's tokens stop working on the next request), and every change
 * is a domain event on the bus that the enabled rules deliver to queues, each delivery at least
 * EventBridge's one SendMessage (the measured events and deliveries of the mix).
 */
export const requiredFloor = (eventsPerRequest: number, deliveriesPerRequest: number): CostLine[] => [
  { component: 'API Gateway HTTP API', perMillion: PRICES.httpApiPerMillionRequests, basis: '1 request', assumed: false },
  { component: 'Lambda requests (authorizer + route)', perMillion: 2 * PRICES.lambdaPerMillionRequests, basis: '2 invocations, the authorizer uncached', assumed: false },
  {
    component: 'EventBridge (domain events)',
    perMillion: eventsPerRequest * PRICES.eventBridgePerMillionCustomEvents,
    basis: `${eventsPerRequest.toFixed(2)} events`,
    assumed: false,
  },
  {
    component: 'SQS (SendMessage only)',
    perMillion: deliveriesPerRequest * PRICES.sqsPerMillionRequests,
    basis: `${deliveriesPerRequest.toFixed(2)} messages × 1 request`,
    assumed: false,
  },
];

/** The total with every request-path Lambda duration multiplied (Graviton at 1024 MB vs this core; AWS DynamoDB round trips). */
export const totalWithDurationFactor = (model: CostModel, factor: number): number =>
  model.lines.reduce((s, l) => s + (l.component.startsWith('Lambda duration') ? l.perMillion * factor : l.perMillion), 0);

// ---- levers: the same model with one measured input changed ---------------------------------------

export interface Lever {
  name: string;
  change: string;
  /** Total after this lever and all before it. */
  total: number;
  saving: number;
}

type Call = RouteCost['calls'][number];

const adjusted = (calls: Call[], adjust: (call: Call) => number | undefined) => {
  const next = calls.map((call) => {
    const units = adjust(call);
    return units === undefined || !call.capacity ? call : { ...call, capacity: { ...call.capacity, total: units } };
  });
  const sumOf = (kind: 'read' | 'write') => next.filter((x) => x.kind === kind).reduce((s, x) => s + (x.capacity?.total ?? 0), 0);
  return { calls: next, rcu: sumOf('read'), wcu: sumOf('write') };
};

/** The costs with some calls' capacity units changed (route calls, or what the consumers did). */
const withCalls = (costs: RouteCost[], adjust: (call: Call) => number | undefined, where: 'route' | 'consumers' = 'route'): RouteCost[] =>
  costs.map((c) => (where === 'route' ? { ...c, ...adjusted(c.calls, adjust) } : { ...c, consumers: { ...c.consumers, ...adjusted(c.consumers.calls, adjust) } }));

/** Cumulative what-ifs over the measured inputs, each a change the report proposes. */
export const costLevers = (input: CostInput): Lever[] => {
  const base = costModel(input).total;
  const levers: Lever[] = [];
  let current: CostInput = input;
  let previous = base;
  const add = (name: string, change: string, next: CostInput) => {
    current = next;
    const total = costModel(current).total;
    levers.push({ name, change, total, saving: previous - total });
    previous = total;
  };
  add(
    'Idempotency in the item',
    "creates derive the new item's id from (caller, Idempotency-Key) and Put it conditionally: no separate INPROGRESS record and completion update",
    { ...current, capacity: withCalls(current.capacity, (call) => (call.pk?.startsWith('IDEMPOTENCY#') ? 0 : undefined)) },
  );
  add(
    'Eventually consistent access checks',
    'the BatchGetItem of project + membership (and of listed projects) with ConsistentRead false: half the read units',
    { ...current, capacity: withCalls(current.capacity, (call) => (call.operation === 'BatchGetItem' && call.consistent && call.capacity ? call.capacity.total / 2 : undefined)) },
  );
  add(
    'Audit straight from the stream',
    'the publisher writes the audit records of its batch itself (BatchWriteItem): no EventBridge event that only the audit rule wants, no SQS message, no consumer invocation for audit',
    { ...current, fromStream: ['audit'] },
  );
  add(
    'No Lambda authorizer on the request path',
    "HTTP API's built-in JWT authorizer (no invocation, no profile read); allowed only where the route's own first read refuses a disabled user, a revoked admin and an ended session on their next request, which a JWT authorizer alone cannot know",
    { ...current, authorizer: false },
  );
  return levers;
};
