// Child process of the bench: the load generator (autocannon), in its own process so that it does not share an
// event loop with the API it measures. Reads a LoadPlan, runs a warm-up and then the measured window of the mix
// (bench/mix.ts), and writes a LoadResult.
//   node --import tsx bench/load-client.ts <plan.json> <result.json>
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { MIX, type ConnectionPlan, type LoadFailure, type LoadPlan, type LoadResult, type MixStep } from './mix.ts';
import { summarize } from './stats.ts';

const [planFile, resultFile] = process.argv.slice(2);
if (!planFile || !resultFile) throw new Error('usage: load-client.ts <plan.json> <result.json>');
const plan = JSON.parse(readFileSync(planFile, 'utf8')) as LoadPlan;

interface Connection extends ConnectionPlan {
  counter: number;
  lastStep?: MixStep;
}

interface Window {
  latencies: number[];
  perStep: Map<string, number[]>;
  failures: LoadFailure[];
  statusCodes: Record<string, number>;
}

const connections: Connection[] = plan.connections.map((c) => ({ ...c, counter: 0 }));

/** The ten requests of one connection; they read and update that connection's own state. */
const requestsFor = (conn: Connection, window: () => Window): autocannon.Request[] => {
  const auth = { authorization: `Bearer ${conn.token}` };
  const json = { ...auth, 'content-type': 'application/json' };
  const own = (i: number) => conn.ownTasks[i]!;
  const build = (step: MixStep, request: () => autocannon.Request, onOk?: (body: string, headers: Record<string, string>) => void): autocannon.Request => ({
    // Keeps autocannon's defaults (host, port) and sets this request's method, path, headers and body.
    setupRequest: (defaults) => {
      conn.counter++;
      return { ...defaults, ...request() };
    },
    onResponse: (status, body, _context, headers) => {
      conn.lastStep = step;
      const w = window();
      w.statusCodes[status] = (w.statusCodes[status] ?? 0) + 1;
      if (status >= 200 && status < 300) onOk?.(body, headers);
      else if (w.failures.length < 20) w.failures.push({ step: step.label, status, body: body.slice(0, 300) });
    },
  });
  const patchOwn = (i: number) => () => ({
    method: 'PATCH',
    path: `/v1/tasks/${own(i).id}`,
    headers: { ...json, 'if-match': `"${own(i).version}"` },
    body: JSON.stringify({ title: `Own task ${i} rev ${conn.counter}` }),
  });
  const trackVersion = (i: number) => (_body: string, headers: Record<string, string>) => {
    const match = /"(\d+)"/.exec(headers.etag ?? '');
    if (match) own(i).version = Number(match[1]);
  };
  const step = (i: number): MixStep => MIX[i]!;
  // In MIX order (bench/mix.ts).
  return [
    build(step(0), () => ({ method: 'GET', path: `/v1/tasks?projectId=${conn.projectId}&limit=20`, headers: auth })),
    build(step(1), () => ({ method: 'GET', path: `/v1/tasks/${conn.readTaskIds[conn.counter % conn.readTaskIds.length]}`, headers: auth })),
    build(step(2), () => ({
      method: 'POST',
      path: '/v1/tasks',
      headers: { ...json, 'idempotency-key': randomUUID() },
      body: JSON.stringify({ title: `Load task ${conn.counter}`, projectId: conn.projectId, priority: 'medium', tags: ['load'] }),
    })),
    build(step(3), () => ({ method: 'GET', path: '/v1/projects', headers: auth })),
    build(step(4), () => ({ method: 'GET', path: `/v1/tasks/${own(0).id}`, headers: auth })),
    build(step(5), patchOwn(0), trackVersion(0)),
    build(step(6), () => ({ method: 'GET', path: `/v1/projects/${conn.projectId}`, headers: auth })),
    build(step(7), () => ({ method: 'GET', path: '/v1/tasks?assigneeId=me', headers: auth })),
    build(step(8), patchOwn(1), trackVersion(1)),
    build(step(9), () => ({ method: 'GET', path: `/v1/projects/${conn.projectId}/members`, headers: auth })),
  ];
};

const window: Window = { latencies: [], perStep: new Map(), failures: [], statusCodes: {} };

/**
 * One autocannon run of warm-up + measured window. Latencies count only after the warm-up; status codes and
 * failures count throughout (two runs would abandon requests in flight at the first one's end, and a PATCH
 * whose answer was never read leaves the connection with a stale version).
 */
const run = async (): Promise<{ result: autocannon.Result; measuredSeconds: number }> => {
  let next = 0;
  const instance = autocannon({
    url: plan.apiUrl,
    connections: connections.length,
    duration: plan.warmupSeconds + plan.seconds,
    timeout: 10,
    // Each connection gets its own user, and requests bound to that user's state.
    setupClient: (client) => {
      const conn = connections[next++ % connections.length]!;
      (client as autocannon.Client & { bench?: Connection }).bench = conn;
      client.setRequests(requestsFor(conn, () => window));
    },
  });
  const measureFrom = performance.now() + plan.warmupSeconds * 1000;
  instance.on('response', (client: autocannon.Client & { bench?: Connection }, _status: number, _bytes: number, responseTime: number) => {
    if (performance.now() < measureFrom) return;
    window.latencies.push(responseTime);
    const step = client.bench?.lastStep;
    if (!step) return;
    const samples = window.perStep.get(step.label);
    if (samples) samples.push(responseTime);
    else window.perStep.set(step.label, [responseTime]);
  });
  const result = await instance;
  return { result, measuredSeconds: (performance.now() - measureFrom) / 1000 };
};

const { result, measuredSeconds } = await run();
const all = summarize(window.latencies);
const count = (kind: 'read' | 'write') => MIX.filter((s) => s.kind === kind).reduce((n, s) => n + (window.perStep.get(s.label)?.length ?? 0), 0);
const output: LoadResult = {
  seconds: measuredSeconds,
  connections: connections.length,
  requests: window.latencies.length,
  requestsPerSecond: window.latencies.length / measuredSeconds,
  latency: { p50: all.p50, p95: all.p95, p99: all.p99, mean: all.mean, max: all.max },
  perStep: MIX.map((step) => {
    const s = summarize(window.perStep.get(step.label) ?? []);
    return { label: step.label, route: step.route, count: s.n, p50: s.p50, p95: s.p95, p99: s.p99 };
  }),
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  statusCodes: window.statusCodes,
  failures: window.failures,
  reads: count('read'),
  writes: count('write'),
};
writeFileSync(resultFile, JSON.stringify(output));
