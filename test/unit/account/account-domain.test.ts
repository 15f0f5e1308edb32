// Deleting an account over fake ports: what is refused deletes nothing, the steps run in a retry-safe order, and a
// retry after a failure midway finishes the job.
import { describe, expect, it } from 'vitest';
import { deleteAccount, SoleOwner, type AccountDataPort, type OwnMembership } from '#shared/domain/account';
import { ReauthenticationFailed } from '#shared/domain/mfa';
import type { Membership, UserProfile } from '#shared/domain/model';

const change = { actorId: 'me', requestId: 'r1', at: '2026-12-02T10:00:00.000Z' };
const profile: UserProfile = { id: 'me', email: 'me@example.com', name: 'Me', timezone: 'UTC', status: 'active', createdAt: '', updatedAt: '', version: 1 };

const membership = (projectId: string, role: Membership['role'], ownerCount: number, ownerId = 'someone'): OwnMembership => ({
  project: { id: projectId, name: `Project ${projectId}`, description: null, ownerId, createdBy: ownerId, createdAt: '', updatedAt: '', version: 1, ownerCount },
  membership: { projectId, userId: 'me', role, email: 'me@example.com', name: 'Me', addedBy: ownerId, createdAt: '', updatedAt: '', version: 1 },
});

const world = (memberships: OwnMembership[], options: { failAt?: string } = {}) => {
  const steps: string[] = [];
  const state = { account: true, profile: true as boolean, memberships: [...memberships], failAt: options.failAt };
  const step = (name: string) => {
    if (state.failAt === name) {
      state.failAt = undefined;
      throw new Error(`${name} failed`);
    }
    steps.push(name);
  };
  const data: AccountDataPort = {
    profile: async () => (state.profile ? profile : undefined),
    notificationSettings: async () => ({}) as never,
    memberships: async () => state.memberships,
    privateTasks: async () => [],
    projectTasksOf: async () => [],
    notifications: async () => [],
    auditByActor: async () => [],
    leave: async (target, newOwnerId) => {
      step(`leave:${target.projectId}${newOwnerId ? `→${newOwnerId}` : ''}`);
      state.memberships = state.memberships.filter((m) => m.project.id !== target.projectId);
    },
    anotherOwner: async () => 'co-owner',
    erasePrivateData: async () => step('erase-private-data'),
    redactAudit: async () => step('redact-audit'),
    eraseProfile: async () => {
      step('erase-profile');
      state.profile = false;
    },
  };
  const accounts = {
    exists: async () => state.account,
    delete: async () => {
      step('delete-account');
      state.account = false;
    },
  };
  const reauth = {
    reauthenticate: async ({ password }: { password: string }) => {
      steps.push('reauthenticate');
      if (password !== 'pw') throw new ReauthenticationFailed();
    },
  };
  return { ports: { data, accounts, reauth }, steps, state };
};

describe('deleting an account', () => {
  it('with a wrong password deletes nothing', async () => {
    const w = world([membership('p1', 'editor', 1)]);
    await expect(deleteAccount(w.ports, 'me', { email: 'me@example.com', password: 'nope' }, change)).rejects.toBeInstanceOf(ReauthenticationFailed);
    expect(w.steps).toEqual(['reauthenticate']);
  });

  it('as the only owner of projects is refused with those projects listed, deleting nothing', async () => {
    const w = world([membership('p1', 'owner', 1, 'me'), membership('p2', 'owner', 2, 'me'), membership('p3', 'viewer', 1)]);
    const error = await deleteAccount(w.ports, 'me', { email: 'me@example.com', password: 'pw' }, change).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SoleOwner);
    expect((error as SoleOwner).extensions).toEqual({ projects: [{ id: 'p1', name: 'Project p1' }] });
    expect(w.steps).toEqual(['reauthenticate']);
  });

  it('leaves every project (handing the primary ownership over), erases the data, then the account, the profile last', async () => {
    const w = world([membership('p1', 'owner', 2, 'me'), membership('p2', 'editor', 1)]);
    await deleteAccount(w.ports, 'me', { email: 'me@example.com', password: 'pw' }, change);
    expect(w.steps).toEqual(['reauthenticate', 'leave:p1→co-owner', 'leave:p2', 'erase-private-data', 'redact-audit', 'delete-account', 'erase-profile']);
  });

  it('finishes on a retry after failing midway, even once the Cognito account is gone (no password left to check)', async () => {
    const w = world([membership('p1', 'editor', 1)], { failAt: 'erase-profile' });
    await expect(deleteAccount(w.ports, 'me', { email: 'me@example.com', password: 'pw' }, change)).rejects.toThrow('erase-profile failed');
    expect(w.state.account).toBe(false);
    expect(w.state.profile).toBe(true);

    w.steps.length = 0;
    await deleteAccount(w.ports, 'me', { email: 'me@example.com', password: 'pw' }, change);
    expect(w.steps).toEqual(['erase-private-data', 'redact-audit', 'delete-account', 'erase-profile']);
    expect(w.state.profile).toBe(false);
  });
});
