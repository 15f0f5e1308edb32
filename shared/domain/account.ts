// Your data: export everything you own or wrote, and delete your account (GDPR access and erasure). Pure: the
// account directory (Cognito), the re-authentication and the table reads/writes are ports handed in by handlers.
import { Conflict, NotFound } from '#shared/domain/errors';
import type { AuditRecord } from '#shared/domain/audit';
import type { Change, Membership, Project, Task, TaskView, UserProfile } from '#shared/domain/model';
import { publicTask } from '#shared/domain/tasks';
import type { Notification, NotificationSettings } from '#shared/domain/notifications';
import type { ReauthenticationPort } from '#shared/domain/mfa';

/** The account in the identity provider, addressed by user id. */
export interface AccountDirectoryPort {
  exists(userId: string): Promise<boolean>;
  /** Deletes the account; an account that is already gone is not an error. */
  delete(userId: string): Promise<void>;
}

export interface OwnMembership {
  project: Project & { ownerCount: number };
  membership: Membership;
}

/** Everything of one user on the table, read with Queries only (docs/data-model.md, "Your data"). */
export interface AccountDataPort {
  profile(userId: string): Promise<UserProfile | undefined>;
  notificationSettings(userId: string): Promise<NotificationSettings>;
  /** Live memberships with their live projects. */
  memberships(userId: string): Promise<OwnMembership[]>;
  /** Private tasks, live and in the trash. */
  privateTasks(userId: string): Promise<Task[]>;
  /** Tasks of a project that the user created or is assigned. */
  projectTasksOf(projectId: string, userId: string): Promise<Task[]>;
  notifications(userId: string): Promise<Notification[]>;
  /** Audit records whose actor is the user. */
  auditByActor(userId: string): Promise<AuditRecord[]>;

  /** Leaves a project (the membership's removal tombstone; an owner who is `ownerId` hands it to `newOwnerId`). */
  leave(target: Membership, newOwnerId: string | undefined, change: Change): Promise<void>;
  anotherOwner(projectId: string, excludingUserId: string): Promise<string | undefined>;
  /** Hard-deletes the user's private tasks (live and trashed), notifications and notification settings. */
  erasePrivateData(userId: string): Promise<void>;
  /**
   * Rewrites audit records written before the log left personal fields out: the user's profile history, their
   * memberships' histories (entity ids `projectId:userId`) and what they changed.
   */
  redactAudit(userId: string, membershipIds: string[]): Promise<void>;
  /** Hard-deletes the profile and its email claim. */
  eraseProfile(userId: string, email: string): Promise<void>;
}

export type ExportedTask = TaskView & { deletedAt?: string };

export interface AccountExport {
  exportedAt: string;
  profile: UserProfile;
  notificationSettings: NotificationSettings;
  projects: { project: Project; role: Membership['role']; joinedAt: string }[];
  /** As the API answers tasks; trashed private tasks also carry `deletedAt`. */
  tasks: { created: ExportedTask[]; assigned: ExportedTask[] };
  notifications: Notification[];
  auditRecords: AuditRecord[];
}

const publicProject = ({ ownerCount: _ownerCount, ...project }: OwnMembership['project']): Project => project;

/**
 * Everything the user owns or wrote, within what they can read: their profile and settings, the projects they belong
 * to (with their role), the tasks they created or are assigned in those projects and their private tasks (trashed
 * ones too), their notifications, and the audit records of their own changes.
 */
export const exportAccount = async (data: AccountDataPort, userId: string, now: Date): Promise<AccountExport> => {
  const profile = await data.profile(userId);
  if (!profile) throw new NotFound('user', 'Your profile was not found.');
  const [notificationSettings, memberships, privateTasks, notifications, auditRecords] = await Promise.all([
    data.notificationSettings(userId),
    data.memberships(userId),
    data.privateTasks(userId),
    data.notifications(userId),
    data.auditByActor(userId),
  ]);
  const projectTasks = (await Promise.all(memberships.map((m) => data.projectTasksOf(m.project.id, userId)))).flat();
  const tasks = [...privateTasks, ...projectTasks];
  const view = (t: Task): ExportedTask => ({ ...publicTask(t, now.toISOString()), ...(t.deletedAt ? { deletedAt: t.deletedAt } : {}) });
  return {
    exportedAt: now.toISOString(),
    profile,
    notificationSettings,
    projects: memberships.map(({ project, membership }) => ({ project: publicProject(project), role: membership.role, joinedAt: membership.createdAt })),
    tasks: {
      created: tasks.filter((t) => t.createdBy === userId).map(view),
      assigned: tasks.filter((t) => t.assigneeId === userId && t.createdBy !== userId).map(view),
    },
    notifications,
    auditRecords,
  };
};

export class SoleOwner extends Conflict {
  override readonly code = 'sole-owner';
  override readonly extensions: { projects: { id: string; name: string }[] };
  constructor(projects: { id: string; name: string }[]) {
    super(
      `You are the only owner of ${projects.length === 1 ? 'a project' : `${projects.length} projects`}: make another member an owner or delete ` +
        'the project first (listed in `projects`). Nothing was deleted.',
      { projects },
    );
    this.extensions = { projects };
  }
}

export interface DeleteAccountPorts {
  data: AccountDataPort;
  accounts: AccountDirectoryPort;
  reauth: ReauthenticationPort;
}

/**
 * Deletes the account, confirmed by the password. Safe to retry after a failure midway: every step skips what is
 * already gone, the identity-provider account is deleted only after the data, and the profile last (the authorizer
 * admits the caller's token while it exists, so a retry can still reach this route). When the identity-provider
 * account is already gone (a previous attempt got that far), the password can no longer be checked and the retry
 * only finishes erasing what remains.
 * Refused (409 `sole-owner`, nothing deleted) while the user is the only owner of a project.
 */
export const deleteAccount = async (ports: DeleteAccountPorts, userId: string, input: { email: string; password: string }, change: Change): Promise<void> => {
  const { data, accounts, reauth } = ports;
  const profile = await data.profile(userId);
  const email = profile?.email ?? input.email;
  const accountExists = await accounts.exists(userId);
  if (accountExists) await reauth.reauthenticate({ email, password: input.password });

  const memberships = await data.memberships(userId);
  const soleOwned = memberships.filter((m) => m.membership.role === 'owner' && m.project.ownerCount <= 1).map((m) => ({ id: m.project.id, name: m.project.name }));
  if (soleOwned.length > 0) throw new SoleOwner(soleOwned);

  for (const { project, membership } of memberships) {
    const newOwnerId = membership.role === 'owner' && project.ownerId === userId ? await data.anotherOwner(project.id, userId) : undefined;
    await data.leave(membership, newOwnerId, change);
  }
  await data.erasePrivateData(userId);
  await data.redactAudit(userId, memberships.map((m) => `${m.project.id}:${userId}`));
  await accounts.delete(userId);
  await data.eraseProfile(userId, email);
};
