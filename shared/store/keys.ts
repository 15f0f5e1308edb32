// Every key in the single table is built here, named after the access pattern it serves.
// docs/data-model.md lists each pattern with its key condition and index; keep the two in step.

export const INDEX = {
  /** Containers: a project's tasks, a user's private tasks, a user's projects, users by email, an entity's audit
   * records, a user's unread notifications. */
  byContainer: 'gsi1',
  /** Assignee work queue, ordered by due date; an actor's audit records. */
  byAssignee: 'gsi2',
} as const;

/** Sorts tasks without a due date after every dated one. */
const NO_DUE = '~';

export const keys = {
  // Users
  user: (userId: string) => ({ pk: `USER#${userId}`, sk: 'PROFILE' }),
  /** Uniqueness and lookup of an email address (lower-cased). */
  email: (email: string) => ({ pk: `EMAIL#${email.toLowerCase()}`, sk: 'EMAIL' }),
  /** Admin search by email prefix (GSI1). */
  usersByEmail: (emailPrefix = '') => ({ gsi1pk: 'USERS', gsi1skPrefix: `EMAIL#${emailPrefix.toLowerCase()}` }),
  userIndex: (email: string) => ({ gsi1pk: 'USERS', gsi1sk: `EMAIL#${email.toLowerCase()}` }),
  /** The user's "every session ended through" cutoff (read with the profile by the authorizer). */
  sessions: (userId: string) => ({ pk: `USER#${userId}`, sk: 'SESSIONS' }),
  /** One session's mark: ended (logout), or kept by an end of every session (TTL). */
  session: (userId: string, sessionId: string) => ({ pk: `USER#${userId}`, sk: `SESSION#${sessionId}` }),
  /** The user's request counter of the current quota window (TTL). */
  requestQuota: (userId: string) => ({ pk: `USER#${userId}`, sk: 'QUOTA' }),

  // Projects and membership
  project: (projectId: string) => ({ pk: `PROJECT#${projectId}`, sk: 'PROJECT' }),
  member: (projectId: string, userId: string) => ({ pk: `PROJECT#${projectId}`, sk: `MEMBER#${userId}` }),
  /** Members of a project: Query pk = PROJECT#id, sk begins_with MEMBER#. */
  membersOfProject: (projectId: string) => ({ pk: `PROJECT#${projectId}`, skPrefix: 'MEMBER#' }),
  /** A membership's entry in its user's project list (GSI1). */
  memberIndex: (projectId: string, userId: string) => ({ gsi1pk: `USER#${userId}#PROJECTS`, gsi1sk: `PROJECT#${projectId}` }),
  /** Projects a user belongs to: Query GSI1 gsi1pk = USER#id#PROJECTS. */
  projectsOfUser: (userId: string) => ({ gsi1pk: `USER#${userId}#PROJECTS`, gsi1skPrefix: 'PROJECT#' }),

  // Tasks
  task: (taskId: string) => ({ pk: `TASK#${taskId}`, sk: 'TASK' }),
  /** Where a task is listed (GSI1): its project, or its creator's private list; trashed tasks move to a trash list. */
  taskIndex: (task: { id: string; projectId: string | null; createdBy: string; deleted?: boolean }) => ({
    gsi1pk: `${task.projectId ? `PROJECT#${task.projectId}` : `USER#${task.createdBy}`}#${task.deleted ? 'TRASH' : 'TASKS'}`,
    gsi1sk: `TASK#${task.id}`,
  }),
  /** Tasks of a project, newest id last: Query GSI1 gsi1pk = PROJECT#id#TASKS. */
  tasksOfProject: (projectId: string) => ({ gsi1pk: `PROJECT#${projectId}#TASKS`, gsi1skPrefix: 'TASK#' }),
  /** A user's private (project-less) tasks: Query GSI1 gsi1pk = USER#id#TASKS. */
  privateTasksOf: (userId: string) => ({ gsi1pk: `USER#${userId}#TASKS`, gsi1skPrefix: 'TASK#' }),
  /** An assignee's entry (GSI2), ordered by due date. */
  assigneeIndex: (task: { id: string; assigneeId: string | null; dueAt: string | null; deleted?: boolean }) =>
    task.assigneeId && !task.deleted ? { gsi2pk: `ASSIGNEE#${task.assigneeId}`, gsi2sk: `DUE#${task.dueAt ?? NO_DUE}#${task.id}` } : {},
  /** Tasks assigned to a user, by due date: Query GSI2 gsi2pk = ASSIGNEE#id, gsi2sk between DUE#from and DUE#to. */
  tasksOfAssignee: (userId: string, range: { dueAfter?: string; dueBefore?: string } = {}) => ({
    gsi2pk: `ASSIGNEE#${userId}`,
    gsi2skFrom: `DUE#${range.dueAfter ?? ''}`,
    gsi2skTo: `DUE#${range.dueBefore ?? NO_DUE}~`,
  }),

  // Audit log: immutable records, one per domain event, newest first by occurredAt.
  /** A record in its month's time-ordered list: Query pk = AUDIT#yyyy-mm, sk between AUDIT#from# and AUDIT#to#~. */
  auditRecord: (occurredAt: string, eventId: string) => ({ pk: keys.auditMonth(occurredAt.slice(0, 7)), sk: `AUDIT#${occurredAt}#${eventId}` }),
  auditMonth: (month: string) => `AUDIT#${month}`,
  /** The record's entries in its entity's history (GSI1) and its actor's history (GSI2). */
  auditIndex: (record: { occurredAt: string; id: string; entity: { type: string; id: string }; actor: { userId: string } }) => ({
    gsi1pk: `AUDIT#${record.entity.type}#${record.entity.id}`,
    gsi1sk: `AUDIT#${record.occurredAt}#${record.id}`,
    gsi2pk: `AUDIT#ACTOR#${record.actor.userId}`,
    gsi2sk: `AUDIT#${record.occurredAt}#${record.id}`,
  }),
  /** Sort-key bounds of an occurredAt range (inclusive), for every audit list. */
  auditRange: (from: string, to: string) => ({ lower: `AUDIT#${from}#`, upper: `AUDIT#${to}#~` }),

  // Notifications: a user's inbox, newest first (ids sort by time); unread ones also in a sparse GSI1 list.
  notification: (userId: string, notificationId: string) => ({ pk: `USER#${userId}`, sk: `NOTIFICATION#${notificationId}` }),
  /** Query pk = USER#id, sk begins_with NOTIFICATION#. */
  notificationsOf: (userId: string) => ({ pk: `USER#${userId}`, skPrefix: 'NOTIFICATION#' }),
  /** Present only while unread: Query GSI1 gsi1pk = USER#id#UNREAD. */
  unreadIndex: (userId: string, notificationId: string) => ({ gsi1pk: `USER#${userId}#UNREAD`, gsi1sk: `NOTIFICATION#${notificationId}` }),
  unreadOf: (userId: string) => ({ gsi1pk: `USER#${userId}#UNREAD`, gsi1skPrefix: 'NOTIFICATION#' }),
  notificationSettings: (userId: string) => ({ pk: `USER#${userId}`, sk: 'NOTIFICATION_SETTINGS' }),

  // Admin dashboard counters (shared/store/stats-store.ts): one partition of small items, read in one BatchGetItem.
  /** Tasks created and completed on a UTC day (YYYY-MM-DD). */
  statsDay: (day: string) => ({ pk: 'STATS', sk: `DAY#${day}` }),
  /** Open tasks by priority. */
  statsOpenTasks: () => ({ pk: 'STATS', sk: 'OPEN_TASKS' }),
  /** Notifications created and emails sent, in total. */
  statsDeliveries: () => ({ pk: 'STATS', sk: 'DELIVERIES' }),
  /** The marker of a counted event (idempotency; TTL), written in the same transaction as its counts. */
  statsEvent: (eventId: string) => ({ pk: `STATSEVENT#${eventId}`, sk: 'STATSEVENT' }),

  // Login throttling (shared/store/login-attempts-store.ts): one small item per address, keyed by a hash of the
  // lower-cased email, so an unknown address is counted like a real one and the table holds no address in clear.
  loginAttempts: (emailHash: string) => ({ pk: `LOGINATTEMPTS#${emailHash}`, sk: 'LOGINATTEMPTS' }),
  /** The last account notice sent to an address (same hash): at most one per address per period. */
  accountNotice: (emailHash: string, kind: string) => ({ pk: `NOTICE#${emailHash}`, sk: `NOTICE#${kind}` }),
};
