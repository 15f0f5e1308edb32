// The admin use cases behind /v1/admin (users and DLQs; the dashboard's figures are shared/domain/stats.ts).
// Pure: the profiles (DynamoDB), the account directory (Cognito) and the DLQs (SQS) are ports handed in by the
// handlers. Every route is for admins (the HTTP layer answers 403 to everyone else); who is an admin is decided by
// isAdministrator below, from the current profile, never from the groups a token was minted with.
import { Conflict, NotFound } from '#shared/domain/errors';
import type { Change, Page, Role, UserProfile } from '#shared/domain/model';
import type { DlqEntry, DlqKind } from '#shared/ops/dlq-catalogue';
import type { SessionStorePort } from '#shared/domain/sessions';

// ---- users ----------------------------------------------------------------------------------------------

export interface UserSummary {
  id: string;
  email: string;
  name: string;
  status: 'active' | 'disabled';
  createdAt: string;
}

export interface AdminUser extends UserSummary {
  timezone: string;
  isAdmin: boolean;
}

export interface TaskCounts {
  /** Tasks assigned to the user that are not done (trashed tasks excluded). */
  assignedOpen: number;
  /** Tasks assigned to the user that are done. */
  assignedDone: number;
  /** The user's private (project-less) tasks, not in the trash. */
  privateTasks: number;
}

export interface UserProjectEntry {
  id: string;
  name: string;
  role: Role;
}

export interface UserDetail {
  user: AdminUser;
  projects: UserProjectEntry[];
  taskCounts: TaskCounts;
}

/**
 * A profile with its admin flag: written by grant and revoke, and by login from the identity provider's group (so the
 * first admin, added to the group outside the API, becomes one at their next login).
 */
export type AdminProfile = UserProfile & { isAdmin?: boolean };

/** THE admin decision: an active profile whose flag says admin. The authorizer applies it on every request. */
export const isAdministrator = (profile: Pick<AdminProfile, 'isAdmin' | 'status'> | undefined): boolean => profile?.isAdmin === true && profile.status === 'active';

export interface ProfileChange {
  status?: 'active' | 'disabled';
  /** The admin role: the authorizer reads it on every request; the stream (audit log) says who changed it. */
  isAdmin?: boolean;
}

export interface UserSearch {
  /** Lower-cased; empty: every user, by email. */
  emailPrefix: string;
  limit: number;
  cursor?: string;
}

/** The profiles, as an admin sees them (shared/store/admin-user-store.ts). */
export interface AdminUserStorePort {
  /** Consistent read; undefined when there is no profile. */
  get(userId: string): Promise<AdminProfile | undefined>;
  search(query: UserSearch): Promise<Page<UserSummary>>;
  /** Up to `max` projects the user belongs to, with their role. */
  projectsOf(userId: string, max: number): Promise<UserProjectEntry[]>;
  taskCounts(userId: string): Promise<TaskCounts>;
  /** The versioned profile write: NotFound without a profile, Conflict when it is no longer at `expectedVersion`. */
  update(userId: string, patch: ProfileChange, expectedVersion: number, change: Change): Promise<AdminProfile>;
}

/** The account directory's admin side (shared/store/admin-directory.ts, over Cognito). */
export interface UserDirectoryPort {
  /** Whether the user is in the admins group (false for an account the directory does not know). Not an authority: see isAdministrator. */
  isAdmin(userId: string): Promise<boolean>;
  /** The account can no longer sign in or refresh. */
  disable(userId: string): Promise<void>;
  enable(userId: string): Promise<void>;
  /** Revokes every refresh token of the account. */
  signOutEverywhere(userId: string): Promise<void>;
  /** NotFound for an account the directory does not know. */
  grantAdmin(userId: string): Promise<void>;
  revokeAdmin(userId: string): Promise<void>;
}

export interface AdminUserPorts {
  users: AdminUserStorePort;
  directory: UserDirectoryPort;
}

export class CannotDisableSelf extends Conflict {
  override readonly code = 'cannot-disable-self';
  constructor() {
    super('You cannot disable your own account: ask another admin.');
  }
}

export class CannotRevokeOwnAdmin extends Conflict {
  override readonly code = 'cannot-revoke-own-admin';
  constructor() {
    super('You cannot revoke your own admin role: ask another admin.');
  }
}

const userNotFound = () => new NotFound('user', 'User not found.');

export const summaryOf = (p: UserProfile): UserSummary => ({ id: p.id, email: p.email, name: p.name, status: p.status, createdAt: p.createdAt });

const adminUserOf = (p: UserProfile, isAdmin: boolean): AdminUser => ({ ...summaryOf(p), timezone: p.timezone, isAdmin });

/** A change made by an admin: the stream (and so the audit log) records them as its actor. */
export const adminChange = (adminId: string, requestId: string, at: Date): Change => ({ actorId: adminId, requestId, at: at.toISOString() });

/** Concurrent writes (the user renaming themself, another admin) move the version; a few re-reads settle it. */
const MAX_PROFILE_ATTEMPTS = 3;

/**
 * Reads the profile and writes what `want` asks for (nothing when it answers undefined), retrying on a stale version.
 * `read` is a profile the caller has just read: the first attempt uses it instead of reading again (a stale one
 * only costs the retry).
 */
const changeProfile = async (
  users: AdminUserStorePort,
  userId: string,
  want: (profile: AdminProfile) => ProfileChange | undefined,
  change: Change,
  read?: AdminProfile,
): Promise<AdminProfile> => {
  for (let attempt = 1; ; attempt++) {
    const profile = attempt === 1 && read ? read : await users.get(userId);
    if (!profile) throw userNotFound();
    const patch = want(profile);
    if (!patch) return profile;
    try {
      return await users.update(userId, patch, profile.version, change);
    } catch (error) {
      if (error instanceof Conflict && attempt < MAX_PROFILE_ATTEMPTS) continue;
      throw error;
    }
  }
};

export const searchUsers = (users: Pick<AdminUserStorePort, 'search'>, query: UserSearch): Promise<Page<UserSummary>> =>
  users.search({ ...query, emailPrefix: query.emailPrefix.trim().toLowerCase() });

/** The most projects a user's detail lists. */
export const MAX_DETAIL_PROJECTS = 100;

export const getUserDetail = async ({ users }: AdminUserPorts, userId: string): Promise<UserDetail> => {
  const profile = await users.get(userId);
  if (!profile) throw userNotFound();
  const [projects, taskCounts] = await Promise.all([users.projectsOf(userId, MAX_DETAIL_PROJECTS), users.taskCounts(userId)]);
  return { user: adminUserOf(profile, profile.isAdmin === true), projects, taskCounts };
};

/**
 * Disables an account: first the profile (the authorizer reads it on every request, so the user's tokens are
 * refused from the next request on, and login refuses them), then every session (so that enabling the account again
 * does not bring its old tokens back), then the directory account and its refresh tokens.
 * Safe to repeat: a retry after a directory failure finds the profile disabled and finishes the rest.
 */
export const disableUser = async (
  { users, directory, sessions }: AdminUserPorts & { sessions: Pick<SessionStorePort, 'endAll'> },
  adminId: string,
  userId: string,
  requestId: string,
  now: Date,
): Promise<AdminUser> => {
  if (userId === adminId) throw new CannotDisableSelf();
  const profile = await changeProfile(users, userId, (p) => (p.status === 'disabled' ? undefined : { status: 'disabled' }), adminChange(adminId, requestId, now));
  await sessions.endAll(userId, now);
  await directory.disable(userId);
  await directory.signOutEverywhere(userId);
  return adminUserOf(profile, profile.isAdmin === true);
};

/** Enables an account: the directory first, so that an active profile always means an account that can sign in. */
export const enableUser = async ({ users, directory }: AdminUserPorts, adminId: string, userId: string, requestId: string, now: Date): Promise<AdminUser> => {
  const read = await users.get(userId);
  if (!read) throw userNotFound();
  await directory.enable(userId);
  const profile = await changeProfile(users, userId, (p) => (p.status === 'active' ? undefined : { status: 'active' }), adminChange(adminId, requestId, now), read);
  return adminUserOf(profile, profile.isAdmin === true);
};

/**
 * Grants or revokes the admin role. The profile's flag decides (the authorizer reads it on every request, so a revoke
 * takes effect on the user's next request, whatever groups their tokens carry); the directory's group follows it so
 * that the next login (which copies the group to the flag) agrees. A grant writes the group first, a revoke the flag
 * first: a failure half-way never leaves more rights than asked, and a retry finishes the rest.
 */
export const setAdminRole = async (
  { users, directory }: AdminUserPorts,
  adminId: string,
  userId: string,
  isAdmin: boolean,
  requestId: string,
  now: Date,
): Promise<{ isAdmin: boolean }> => {
  if (!isAdmin && userId === adminId) throw new CannotRevokeOwnAdmin();
  const read = await users.get(userId);
  if (!read) throw userNotFound();
  const writeFlag = () => changeProfile(users, userId, (p) => (p.isAdmin === isAdmin ? undefined : { isAdmin }), adminChange(adminId, requestId, now), read);
  if (isAdmin) {
    await directory.grantAdmin(userId);
    await writeFlag();
  } else {
    await writeFlag();
    await directory.revokeAdmin(userId);
  }
  return { isAdmin };
};

// ---- DLQs -----------------------------------------------------------------------------------------------

export interface DlqSummary {
  name: string;
  kind: DlqKind;
  messages: number;
  redrivesTo: string;
}

export interface DlqMessage {
  messageId: string;
  receiveCount: number;
  sentAt: string;
  /** One line: `TaskAssigned Task t-1 by u-1`, `3 stream records 41 … 43`. */
  summary: string;
  eventType?: string;
  eventId?: string;
  /** The message body as stored. */
  body: string;
}

/** The deployment's DLQs (shared/store/admin-dlqs.ts, over shared/ops/dlq.ts). */
export interface DlqPort {
  /** A DLQ by its name (or short name); undefined when there is none. */
  find(name: string): DlqEntry | undefined;
  /** Every DLQ with its depth. */
  list(): Promise<DlqSummary[]>;
  peek(dlq: DlqEntry, max: number): Promise<DlqMessage[]>;
  redrive(dlq: DlqEntry): Promise<{ moved: number; kept: number }>;
}

export class PublisherRedriveRefused extends Conflict {
  override readonly code = 'publisher-dlq-redrive';
  constructor() {
    super('The publisher DLQ holds stream batches, not events: redrive it with npm run dlq (it replays stream batches).');
  }
}

const dlqNamed = (dlqs: Pick<DlqPort, 'find'>, name: string): DlqEntry => {
  const dlq = dlqs.find(name);
  if (!dlq) throw new NotFound('dlq', `There is no DLQ named ${name}.`);
  return dlq;
};

export const listDlqs = async (dlqs: Pick<DlqPort, 'list'>): Promise<{ items: DlqSummary[] }> => ({ items: await dlqs.list() });

export const dlqMessages = async (dlqs: Pick<DlqPort, 'find' | 'peek'>, name: string, max: number): Promise<{ items: DlqMessage[] }> => ({
  items: await dlqs.peek(dlqNamed(dlqs, name), max),
});

/** Moves a DLQ's messages back to their queues; the publisher DLQ is replayed from the stream by `npm run dlq` only. */
export const redriveDlq = async (dlqs: Pick<DlqPort, 'find' | 'redrive'>, name: string): Promise<{ moved: number; kept: number }> => {
  const dlq = dlqNamed(dlqs, name);
  if (dlq.kind === 'publisher') throw new PublisherRedriveRefused();
  return dlqs.redrive(dlq);
};
