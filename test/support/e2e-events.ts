// Helpers for the event-pipeline e2e suites: what a person would look at (audit log, inbox, mailbox) and
// "wait until nothing changes any more", since everything downstream of the table is asynchronous.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { as, demo, type TestUser } from '#test/support/api-client';
import { listAll } from '#test/support/e2e-helpers';
import { localStack, sentMail, type SentMail } from '#test/support/local-stack';
import { REPO_ROOT } from '#local/stack';

/** How long the pipeline may take to show a change (stream poll + bus + queue + consumer, with retries). */
export const WAIT = { timeout: 25_000, interval: 250 };

export interface AuditRecord {
  id: string;
  type: string;
  entity: { type: string; id: string };
  actor: { userId: string };
  requestId: string;
  changes: { field: string; before: unknown; after: unknown }[];
}

export const auditOf = async (query: Record<string, string>): Promise<AuditRecord[]> =>
  (await listAll(as(demo.admin), `/v1/admin/audit?${new URLSearchParams(query)}`, 100)).items as AuditRecord[];

export const notificationsOf = async (user: TestUser) =>
  (await listAll(as(user), '/v1/notifications', 100)).items as { id: string; type: string; title: string; eventId: string; details: string[]; readAt: string | null }[];

export const mailTo = async (user: TestUser): Promise<SentMail[]> =>
  (await sentMail()).filter((m) => m.destination.to.some((to) => to.toLowerCase() === user.email.toLowerCase()));

/** Waits until `read` answers the same twice `quietMs` apart, and returns that (for "and nothing more arrives"). */
export const settled = async <T>(read: () => Promise<T>, quietMs = 2_500): Promise<T> => {
  let last = JSON.stringify(await read());
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const now = await read();
    if (JSON.stringify(now) === last) return now;
    last = JSON.stringify(now);
  }
};

/** Runs the operator's command, `npm run dlq -- <args>`, against the e2e stack; answers its output and exit code. */
export const npmRunDlq = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const { stdout, stderr } = await promisify(execFile)('npm', ['run', '--silent', 'dlq', '--', ...args, '--endpoint-file', localStack().runtimeFile], {
      cwd: REPO_ROOT,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
};
