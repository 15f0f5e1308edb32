// The admin use cases over in-memory ports: the rules (no disabling yourself, no revoking your own role, the
// publisher DLQ is not redriven here), the order of the writes, and what each answers.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  isAdministrator,
  CannotDisableSelf,
  CannotRevokeOwnAdmin,
  disableUser,
  dlqMessages,
  enableUser,
  getUserDetail,
  PublisherRedriveRefused,
  redriveDlq,
  searchUsers,
  setAdminRole,
  type AdminProfile,
  type AdminUserStorePort,
  type DlqPort,
  type ProfileChange,
  type UserDirectoryPort,
} from '#shared/domain/admin';
import { Conflict, NotFound } from '#shared/domain/errors';
import type { Change } from '#shared/domain/model';
import { catalogue } from '#shared/ops/dlq-catalogue';

const ADMIN = 'admin-1';
const now = new Date('2026-03-15T12:00:00.000Z');

const profile = (id: string, over: Partial<AdminProfile> = {}): AdminProfile => ({
  id,
  email: `${id}@example.com`,
  name: id,
  timezone: 'UTC',
  status: 'active',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 1,
  ...over,
});

/** Profiles in memory with the versioned write, recording every write and call in `log`. */
const fakeUsers = (log: string[]) => {
  const profiles = new Map<string, AdminProfile>();
  const writes: { userId: string; patch: ProfileChange; change: Change }[] = [];
  let raceOnce: string | undefined;
  const reads = { count: 0 };
  const store: AdminUserStorePort = {
    get: async (id) => {
      reads.count++;
      return profiles.get(id) && { ...profiles.get(id)! };
    },
    search: async (q) => ({ items: [...profiles.values()].filter((p) => p.email.startsWith(q.emailPrefix)).slice(0, q.limit) }),
    projectsOf: async () => [{ id: 'p-1', name: 'Launch', role: 'owner' }],
    taskCounts: async () => ({ assignedOpen: 2, assignedDone: 1, privateTasks: 3 }),
    update: async (userId, patch, expectedVersion, change) => {
      const current = profiles.get(userId);
      if (!current) throw new NotFound('user');
      if (raceOnce === userId) {
        // Someone else wrote first.
        raceOnce = undefined;
        profiles.set(userId, { ...current, version: current.version + 1 });
        throw new Conflict('stale');
      }
      if (current.version !== expectedVersion) throw new Conflict('stale');
      const next = { ...current, ...patch, version: current.version + 1, updatedAt: change.at };
      profiles.set(userId, next);
      writes.push({ userId, patch, change });
      log.push(`profile ${JSON.stringify(patch)}`);
      return next;
    },
  };
  return { store, profiles, writes, reads, raceNextWrite: (userId: string) => (raceOnce = userId) };
};

const fakeDirectory = (log: string[], admins = new Set<string>([ADMIN])): UserDirectoryPort & { admins: Set<string> } => ({
  admins,
  isAdmin: async (id) => admins.has(id),
  disable: async (id) => void log.push(`disable ${id}`),
  enable: async (id) => void log.push(`enable ${id}`),
  signOutEverywhere: async (id) => void log.push(`sign out ${id}`),
  grantAdmin: async (id) => void (log.push(`grant ${id}`), admins.add(id)),
  revokeAdmin: async (id) => void (log.push(`revoke ${id}`), admins.delete(id)),
});

let log: string[];
let users: ReturnType<typeof fakeUsers>;
let directory: ReturnType<typeof fakeDirectory>;
const ports = () => ({ users: users.store, directory, sessions: { endAll: async (userId: string) => void log.push(`end sessions ${userId}`) } });

beforeEach(() => {
  log = [];
  users = fakeUsers(log);
  directory = fakeDirectory(log);
  users.profiles.set(ADMIN, profile(ADMIN));
  users.profiles.set('u-2', profile('u-2'));
});

describe('disabling and enabling a user', () => {
  it('refuses to let an admin disable themself (409), changing nothing', async () => {
    const attempt = disableUser(ports(), ADMIN, ADMIN, 'req-1', now);
    await expect(attempt).rejects.toBeInstanceOf(CannotDisableSelf);
    await expect(attempt).rejects.toBeInstanceOf(Conflict);
    expect(log).toEqual([]);
    expect(users.profiles.get(ADMIN)?.status).toBe('active');
  });

  it('disables the profile first (as the admin, in this request), then its sessions, then the account and its refresh tokens', async () => {
    const user = await disableUser(ports(), ADMIN, 'u-2', 'req-9', now);
    expect(log).toEqual(['profile {"status":"disabled"}', 'end sessions u-2', 'disable u-2', 'sign out u-2']);
    expect(users.writes[0]?.change).toEqual({ actorId: ADMIN, requestId: 'req-9', at: now.toISOString() });
    expect(user).toEqual({
      id: 'u-2',
      email: 'u-2@example.com',
      name: 'u-2',
      status: 'disabled',
      createdAt: '2026-01-01T00:00:00.000Z',
      timezone: 'UTC',
      isAdmin: false,
    });
  });

  it('finishes a disable that failed halfway without writing the profile again', async () => {
    users.profiles.set('u-2', profile('u-2', { status: 'disabled', version: 4 }));
    await disableUser(ports(), ADMIN, 'u-2', 'req-2', now);
    expect(log).toEqual(['end sessions u-2', 'disable u-2', 'sign out u-2']);
  });

  it('retries when someone else changed the profile meanwhile', async () => {
    users.raceNextWrite('u-2');
    const user = await disableUser(ports(), ADMIN, 'u-2', 'req-3', now);
    expect(user.status).toBe('disabled');
    expect(users.profiles.get('u-2')?.version).toBe(3);
  });

  it('answers 404 for a user without a profile, touching no account', async () => {
    await expect(disableUser(ports(), ADMIN, 'nobody', 'req-1', now)).rejects.toBeInstanceOf(NotFound);
    await expect(enableUser(ports(), ADMIN, 'nobody', 'req-1', now)).rejects.toBeInstanceOf(NotFound);
    expect(log).toEqual([]);
  });

  it('enables the account first, then the profile, reading the profile once', async () => {
    users.profiles.set('u-2', profile('u-2', { status: 'disabled' }));
    const user = await enableUser(ports(), ADMIN, 'u-2', 'req-4', now);
    expect(log).toEqual(['enable u-2', 'profile {"status":"active"}']);
    expect(user.status).toBe('active');
    expect(users.reads.count).toBe(1);
  });
});

describe('granting and revoking the admin role', () => {
  it('refuses to let an admin revoke their own role (409)', async () => {
    await expect(setAdminRole(ports(), ADMIN, ADMIN, false, 'req-1', now)).rejects.toBeInstanceOf(CannotRevokeOwnAdmin);
    expect(log).toEqual([]);
    expect(directory.admins.has(ADMIN)).toBe(true);
  });

  it('grants through the directory and records it on the profile for the audit log', async () => {
    expect(await setAdminRole(ports(), ADMIN, 'u-2', true, 'req-5', now)).toEqual({ isAdmin: true });
    expect(log).toEqual(['grant u-2', 'profile {"isAdmin":true}']);
    expect(users.writes[0]?.change.actorId).toBe(ADMIN);
    // Granting again changes nothing on the profile.
    log.length = 0;
    await setAdminRole(ports(), ADMIN, 'u-2', true, 'req-6', now);
    expect(log).toEqual(['grant u-2']);
  });

  it('reads the profile once, and again only when it changed while the directory was called', async () => {
    await setAdminRole(ports(), ADMIN, 'u-2', true, 'req-8', now);
    expect(users.reads.count).toBe(1);

    users.reads.count = 0;
    users.raceNextWrite('u-2');
    await setAdminRole(ports(), ADMIN, 'u-2', false, 'req-9', now);
    expect(users.reads.count).toBe(2);
    expect(users.profiles.get('u-2')).toMatchObject({ isAdmin: false, version: 4 });
  });

  it('revokes another admin: the profile flag first (it decides from the next request on), then the group', async () => {
    directory.admins.add('u-2');
    users.profiles.set('u-2', profile('u-2', { isAdmin: true }));
    expect(await setAdminRole(ports(), ADMIN, 'u-2', false, 'req-7', now)).toEqual({ isAdmin: false });
    expect(log).toEqual(['profile {"isAdmin":false}', 'revoke u-2']);
    expect(directory.admins.has('u-2')).toBe(false);
  });

  it('decides admin rights from an active profile flag only', () => {
    expect(isAdministrator({ isAdmin: true, status: 'active' })).toBe(true);
    expect(isAdministrator({ isAdmin: false, status: 'active' })).toBe(false);
    expect(isAdministrator({ status: 'active' })).toBe(false);
    expect(isAdministrator({ isAdmin: true, status: 'disabled' })).toBe(false);
    expect(isAdministrator(undefined)).toBe(false);
  });

  it('answers 404 for a user without a profile', async () => {
    await expect(setAdminRole(ports(), ADMIN, 'nobody', true, 'req-1', now)).rejects.toBeInstanceOf(NotFound);
    expect(log).toEqual([]);
  });
});

describe('reading users', () => {
  it('shows a user with their role (the profile flag), projects and task counts', async () => {
    users.profiles.set('u-2', profile('u-2', { isAdmin: true }));
    expect(await getUserDetail(ports(), 'u-2')).toEqual({
      user: expect.objectContaining({ id: 'u-2', isAdmin: true, timezone: 'UTC', status: 'active' }),
      projects: [{ id: 'p-1', name: 'Launch', role: 'owner' }],
      taskCounts: { assignedOpen: 2, assignedDone: 1, privateTasks: 3 },
    });
    await expect(getUserDetail(ports(), 'nobody')).rejects.toBeInstanceOf(NotFound);
  });

  it('searches by a trimmed, lower-cased email prefix', async () => {
    const page = await searchUsers(users.store, { emailPrefix: '  U-2 ', limit: 20 });
    expect(page.items.map((u) => u.id)).toEqual(['u-2']);
  });
});

describe('DLQs', () => {
  const dlqs = catalogue('taskwell');
  const fakeDlqs = (): DlqPort & { redriven: string[] } => {
    const redriven: string[] = [];
    return {
      redriven,
      find: (name) => dlqs.find((d) => d.name === name || d.short === name),
      list: async () => [],
      peek: async () => [],
      redrive: async (dlq) => (redriven.push(dlq.name), { moved: 1, kept: 0 }),
    };
  };

  it('refuses to redrive the publisher DLQ (409): its batches are replayed with npm run dlq', async () => {
    const port = fakeDlqs();
    const attempt = redriveDlq(port, 'taskwell-publisher-dlq');
    await expect(attempt).rejects.toBeInstanceOf(PublisherRedriveRefused);
    await expect(attempt).rejects.toThrow('redrive it with npm run dlq (it replays stream batches)');
    expect(port.redriven).toEqual([]);
  });

  it('redrives a queue DLQ and answers 404 for an unknown one', async () => {
    const port = fakeDlqs();
    expect(await redriveDlq(port, 'taskwell-audit-dlq')).toEqual({ moved: 1, kept: 0 });
    expect(port.redriven).toEqual(['taskwell-audit-dlq']);
    await expect(redriveDlq(port, 'taskwell-nope-dlq')).rejects.toBeInstanceOf(NotFound);
    await expect(dlqMessages(port, 'nope', 10)).rejects.toBeInstanceOf(NotFound);
  });
});
