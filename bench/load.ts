// Part 3: the local HTTP stack under the mixed workload. Users sign up and log in through the API, share
// projects in groups, and own a couple of tasks each; then autocannon (bench/load-client.ts, its own process)
// runs the mix of bench/mix.ts over one connection per user. Any non-2xx answer fails the bench.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchConfig } from './config.ts';
import { BENCH_DIR } from './bundles.ts';
import { expectStatus, http, mapLimit, registerUser, type BenchUser } from './api-client.ts';
import type { ConnectionPlan, LoadPlan, LoadResult } from './mix.ts';

export interface LoadResults {
  result: LoadResult;
  users: number;
  projects: number;
  tasks: number;
  setupSeconds: number;
}

export const runLoad = async (
  config: BenchConfig,
  stack: { apiUrl: string; confirmationCode: string },
  tmp: string,
  log: (line: string) => void,
): Promise<LoadResults> => {
  const started = Date.now();
  const { apiUrl } = stack;
  const users = await mapLimit(
    Array.from({ length: config.loadUsers }, (_, i) => i),
    4,
    (i) => registerUser(apiUrl, stack.confirmationCode, `load${i}`),
  );
  log(`  ${users.length} users registered and logged in`);

  const groups: BenchUser[][] = [];
  for (let i = 0; i < users.length; i += config.loadGroupSize) groups.push(users.slice(i, i + config.loadGroupSize));

  let taskCount = 0;
  const connections: ConnectionPlan[] = [];
  for (const [g, group] of groups.entries()) {
    const owner = group[0]!;
    const project = expectStatus(
      'create project',
      await http(apiUrl, 'POST', '/v1/projects', { token: owner.accessToken, body: { name: `Load project ${g}` }, headers: { 'idempotency-key': randomUUID() } }),
      201,
    ).body as { id: string };
    for (const member of group.slice(1)) {
      expectStatus('add member', await http(apiUrl, 'POST', `/v1/projects/${project.id}/members`, { token: owner.accessToken, body: { email: member.email, role: 'editor' } }), 201);
    }
    // Each member: two tasks of its own, assigned to itself (they fill "assigned to me"), and four more for the project.
    const perMember = await mapLimit(group, 4, async (member) => {
      const create = async (body: Record<string, unknown>) =>
        expectStatus('create task', await http(apiUrl, 'POST', '/v1/tasks', { token: member.accessToken, body: { projectId: project.id, ...body } }), 201).body as {
          id: string;
          version: number;
        };
      const own: { id: string; version: number }[] = [];
      for (let i = 0; i < 2; i++) {
        own.push(await create({ title: `Own task ${i}`, assigneeId: member.userId, dueAt: new Date(Date.now() + (i + 1) * 86_400_000).toISOString() }));
      }
      const others: string[] = [];
      for (let i = 0; i < 4; i++) others.push((await create({ title: `Project task ${i}`, priority: i % 2 ? 'low' : 'high' })).id);
      return { member, own, others };
    });
    const projectTasks = perMember.flatMap((m) => [...m.own.map((t) => t.id), ...m.others]);
    taskCount += projectTasks.length;
    for (const { member, own } of perMember) {
      connections.push({ token: member.accessToken, projectId: project.id, ownTasks: own.map((t) => ({ id: t.id, version: t.version })), readTaskIds: projectTasks });
    }
  }
  const setupSeconds = (Date.now() - started) / 1000;
  log(`  ${groups.length} projects, ${taskCount} tasks (${setupSeconds.toFixed(1)} s); load: ${connections.length} connections, ${config.loadWarmupSeconds} s warm-up + ${config.loadSeconds} s`);

  const plan: LoadPlan = { apiUrl, warmupSeconds: config.loadWarmupSeconds, seconds: config.loadSeconds, connections };
  const planFile = join(tmp, 'load-plan.json');
  const resultFile = join(tmp, 'load-result.json');
  writeFileSync(planFile, JSON.stringify(plan));
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(BENCH_DIR, 'load-client.ts'), planFile, resultFile], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the load generator exited with ${code}`))));
  });
  const result = JSON.parse(readFileSync(resultFile, 'utf8')) as LoadResult;
  return { result, users: users.length, projects: groups.length, tasks: taskCount, setupSeconds };
};
