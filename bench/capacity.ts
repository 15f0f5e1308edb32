// Part 4: what every route costs in DynamoDB. A scripted walk calls each route once, in-process with a real v2
// event, while the recorder asks for ReturnConsumedCapacity on every call; read requests, write requests and
// capacity units are counted per route. Afterwards the event pipeline's share of each request is measured
// (bench/pipeline.ts): stream records, domain events, queue messages, and what the consumers do with them.
import { randomUUID } from 'node:crypto';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { routes } from '#shared/routes';
import { ADMIN_GROUP } from '#shared/http/caller';
import { ENTITY_TYPES, parseDomainEvent } from '#shared/events/schemas';
import { dlqName } from '#shared/events/queues';
import { asTargetEvent } from '#local/eventbridge';
import { callShape, type DdbCall, type DdbRecorder } from './ddb-recorder.ts';
import { AUTHORIZER_KEY, callAuthorizer, callRoute, type Actor, type CallResult } from './invoke.ts';
import type { BenchUser } from './api-client.ts';
import { consume, image, pipelineOf, readStream, sum, type ConsumerWork, type StreamRecord } from './pipeline.ts';

export interface RouteCost {
  /** Which use of the route (one route can be measured in several ways, e.g. a project's tasks or my assignments). */
  variant: string;
  route: string;
  description: string;
  status: number;
  ok: boolean;
  calls: DdbCall[];
  reads: number;
  writes: number;
  /** Read capacity units (= on-demand read request units). */
  rcu: number;
  /** Write capacity units (= on-demand write request units), GSI writes included. */
  wcu: number;
  requestId: string;
  /** Stream records the request's writes produced (idempotency records carry no request id and are not counted). */
  streamRecords: number;
  events: string[];
  /** For each event (same order), the queues the enabled rules deliver it to. */
  eventTargets: string[][];
  /** Queue messages the enabled rules would deliver, by queue. */
  deliveries: Record<string, number>;
  /** What the queue consumers did with those messages (each invoked in-process with an SQS event). */
  consumers: ConsumerWork;
  /** More than one read request or more than one write request. */
  flagged: boolean;
  reason?: string;
  /** A reason written for other calls than the route makes now (counts as undocumented). */
  staleReason?: string;
}

export interface CapacityResults {
  costs: RouteCost[];
  /** Routes of shared/routes.ts the walk does not exercise. */
  unexercised: string[];
}

/** Why a route may make more than one read request or more than one write request, and the calls that says. */
export interface Reason {
  /** The call shape (bench/ddb-recorder.ts callShape) the reason explains; another shape means the code moved on. */
  calls: string | RegExp;
  why: string;
}

/**
 * Why a route makes more than one read request or more than one write request — read from the code. A flagged
 * route without an entry here, or whose calls no longer match its entry, is reported as undocumented (a budget failure).
 */
export const REASONS: Record<string, Reason> = {
  'auth.register': {
    calls: 'GetItem → GetItem → TransactWriteItems',
    why: 'users.findByEmail (GetItem of the email claim, consistent) refuses a taken email before Cognito SignUp; users.ensure then reads the profile (GetItem, consistent) before the one TransactWriteItems (profile + email claim). The ensure read is redundant right after SignUp created the id: create() alone (its condition already guards a duplicate) would save it.',
  },
  'projects.create': {
    calls: 'PutItem → GetItem → TransactWriteItems → UpdateItem',
    why: "Idempotency-Key: Powertools writes an INPROGRESS record (PutItem) before the handler and completes it (UpdateItem) after; the use case reads the profile (GetItem, for the owner membership's name) and writes project + membership in one TransactWriteItems. Without the header: 1 read, 1 transaction.",
  },
  'tasks.create': {
    calls: 'PutItem → BatchGetItem → PutItem → UpdateItem',
    why: "Idempotency-Key: Powertools' INPROGRESS PutItem before, and its completing UpdateItem after, the handler's own BatchGetItem (project + membership) and PutItem (the task). Without the header: 1 read, 1 write.",
  },
  'tasks.create.assigned': {
    calls: 'PutItem → BatchGetItem → GetItem → PutItem → UpdateItem',
    why: "As tasks.create, plus a GetItem of the creator's notification settings: a dated task that names no reminders gets the creator's default reminders.",
  },
  'tasks.get': {
    calls: 'GetItem → BatchGetItem',
    why: "The task must be read (GetItem) to learn its project before the caller's access can be checked (BatchGetItem of project + membership). Private tasks: 1 read.",
  },
  'tasks.update': {
    calls: 'GetItem → BatchGetItem → PutItem',
    why: 'GetItem (the task, for its project and current state), BatchGetItem (access), then the conditional PutItem: the access check needs the project id stored on the task.',
  },
  'tasks.delete': { calls: 'GetItem → BatchGetItem → PutItem', why: 'As tasks.update: GetItem (task) → BatchGetItem (access) → conditional PutItem of the tombstone.' },
  'tasks.restore': { calls: 'GetItem → BatchGetItem → PutItem', why: 'As tasks.update: GetItem (task) → BatchGetItem (access) → conditional PutItem of the restored task.' },
  'tasks.list.project': { calls: 'BatchGetItem → Query(gsi1)', why: 'BatchGetItem (access to the project) before the Query of its tasks (GSI1).' },
  'tasks.list.assignee': {
    calls: /^Query\(gsi2\)( → BatchGetItem)+$/,
    why: 'Query of the assignee index (GSI2), then one BatchGetItem per distinct project among the results to drop tasks of projects the caller left (listTasks → visibleOnly).',
  },
  'projects.list': {
    calls: 'Query(gsi1) → BatchGetItem',
    why: "Query of the caller's memberships (GSI1), then one BatchGetItem of the projects they point to (names live on the project item).",
  },
  'projects.members.list': { calls: 'BatchGetItem → Query', why: 'BatchGetItem (access) before the Query of the members.' },
  'projects.members.add': {
    calls: 'BatchGetItem → GetItem → GetItem → PutItem',
    why: 'BatchGetItem (access: owners only), GetItem of the email claim and GetItem of the profile (users.findByEmail: the email → user id → name/email to denormalise), then PutItem of the membership.',
  },
  'projects.members.update': {
    calls: 'BatchGetItem → GetItem → UpdateItem',
    why: 'BatchGetItem (access: owners only) and GetItem of the target membership (its current role and version) before the UpdateItem.',
  },
  'projects.members.remove': {
    calls: 'BatchGetItem → GetItem → UpdateItem',
    why: 'BatchGetItem (access) and GetItem of the target membership before the UpdateItem tombstone (leaving yourself needs no second read).',
  },
  'admin.audit': {
    calls: /^Query( → Query){0,12}$/,
    why: 'An unfiltered search walks the month partitions of the audit log (AUDIT#yyyy-mm) newest first until the page is full, up to 13 Queries (the default 365-day window; MAX_QUERIES_PER_PAGE in shared/store/audit-store.ts): a sparse log costs 13 round trips, a busy month fills a page in one. An admin route, not in the mix.',
  },
  'notifications.read-all': {
    calls: /^Query\(gsi1\)( → UpdateItem)+$/,
    why: "markAllRead Queries the caller's unread index (GSI1 USER#<id>#UNREAD, ids only, up to 100 a page), then makes one conditional UpdateItem per unread notification (ten in parallel) that sets readAt and takes the item out of the index: DynamoDB has no multi-item update (BatchWriteItem only puts and deletes; TransactWriteItems would cost twice the units). N unread notifications cost N writes (the walker has two), and one more Query per 100.",
  },
  'admin.users.get': {
    calls: 'GetItem → Query(gsi1) → Query(gsi2) → Query(gsi2) → Query(gsi1) → BatchGetItem',
    why: "getUserDetail reads the profile (GetItem, consistent; 404 first), then in parallel the user's projects (P2: Query of the memberships on GSI1, then one BatchGetItem of the projects, for their names and to skip deleted ones) and three task counts, each a Query with Select COUNT that follows LastEvaluatedKey (GSI2 assigned and not done, GSI2 assigned and done, GSI1 private tasks). The two GSI2 counts read the same partition with opposite filters, and a filter does not lower the read units: the user's assigned tasks are paid for twice, where one Query projecting `status` would count both. An admin route, not in the mix.",
  },
};

/** What request handlers write (the mapper's entities, and the email claim); everything else is written by consumers. */
const REQUEST_ENTITIES = new Set<string>([...ENTITY_TYPES, 'UserEmail']);

const decide = (cost: Omit<RouteCost, 'flagged' | 'reason' | 'staleReason'>): RouteCost => {
  const flagged = cost.reads > 1 || cost.writes > 1;
  const reason = flagged ? REASONS[cost.variant] : undefined;
  if (!reason) return { ...cost, flagged };
  const shape = callShape(cost.calls);
  const matches = typeof reason.calls === 'string' ? reason.calls === shape : reason.calls.test(shape);
  return matches ? { ...cost, flagged, reason: reason.why } : { ...cost, flagged, staleReason: `documented for ${String(reason.calls)}, now ${shape}: ${reason.why}` };
};

interface Step {
  variant: string;
  route: string;
  description: string;
  /** Untimed, unrecorded setup the step needs (e.g. the tasks the list routes read). */
  prepare?: () => Promise<void>;
  run: (requestId: string) => Promise<CallResult>;
  after?: (result: CallResult) => void;
}


export interface WalkSetup {
  recorder: DdbRecorder;
  dynamoEndpoint: string;
  tableName: string;
  confirmationCode: string;
  /** A registered user the walker adds to and removes from its project. */
  other: BenchUser;
  log: (line: string) => void;
}

export const measureCapacity = async (setup: WalkSetup): Promise<CapacityResults> => {
  const { recorder, other } = setup;
  const unique = randomUUID().slice(0, 8);
  const email = `bench-walk-${unique}@example.com`;
  const password = `Bench-${unique}-walk-9Z!`;
  const state: {
    user?: Actor;
    accessToken?: string;
    refreshToken?: string;
    profileVersion: number;
    projectId?: string;
    taskId?: string;
    /** A second user, who assigns the walker work and whom the walker, as an admin, manages. */
    colleague?: Actor;
    notificationId?: string;
    settingsVersion?: number;
  } = { profileVersion: 1 };
  const me = () => {
    if (!state.user) throw new Error('the walk has no logged-in user yet');
    return state.user;
  };
  const colleague = () => {
    if (!state.colleague) throw new Error('the walk has no colleague yet');
    return state.colleague;
  };
  // The admin routes trust the authorizer's admin flag (apiEvent derives it from these groups), as the generic admin GETs below do.
  const asAdmin = (): Actor => ({ ...me(), groups: [ADMIN_GROUP] });
  const idem = () => ({ 'idempotency-key': randomUUID() });
  const ifMatch = (v: number) => ({ 'if-match': `"${v}"` });

  // The data the list routes read, made without recording: a project page of 20+ tasks, assignments, private tasks.
  const fillProject = async () => {
    const projectId = state.projectId!;
    for (let i = 0; i < 24; i++) {
      const assigned = i % 2 === 0;
      const res = await callRoute('POST /v1/tasks', {
        user: me(),
        body: { title: `Walk task ${i}`, projectId, ...(assigned && { assigneeId: me().userId, dueAt: new Date(Date.now() + (i + 1) * 86_400_000).toISOString() }) },
      });
      if (res.status !== 201) throw new Error(`filling the walk project failed: ${res.status} ${JSON.stringify(res.body)}`);
    }
    for (let i = 0; i < 5; i++) await callRoute('POST /v1/tasks', { user: me(), body: { title: `Private walk task ${i}` } });
  };

  /** An unrecorded call of the setup that must succeed. */
  const must = async (what: string, call: Promise<CallResult>): Promise<CallResult> => {
    const res = await call;
    if (res.status < 200 || res.status >= 300) throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
    return res;
  };
  /** Polls until `check` answers: the local event pipeline delivers asynchronously. */
  const until = async <T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  // The walker's inbox, filled the real way: a colleague registers, adds the walker to their project and assigns
  // them two tasks (and one to themself, so the admin's view of the colleague counts a task); the local event
  // pipeline delivers MemberAdded and two TaskAssigned notifications.
  const colleagueAssignsWork = async () => {
    const colleagueEmail = `bench-walk-colleague-${unique}@example.com`;
    const colleaguePassword = `Bench-${unique}-colleague-9Z!`;
    await must('registering the colleague', callRoute('POST /v1/auth/register', { body: { email: colleagueEmail, password: colleaguePassword, name: 'Bench Colleague' } }));
    await must('confirming the colleague', callRoute('POST /v1/auth/confirm', { body: { email: colleagueEmail, code: setup.confirmationCode } }));
    // Registration answers the same for every address (no user id): the colleague's id is the sub of their token.
    const signedIn = await must('the colleague logging in', callRoute('POST /v1/auth/login', { body: { email: colleagueEmail, password: colleaguePassword } }));
    const colleagueId = JSON.parse(Buffer.from(String(signedIn.body.accessToken).split('.')[1] ?? '', 'base64url').toString('utf8')).sub as string;
    state.colleague = { userId: colleagueId, email: colleagueEmail };
    const project = await must('the colleague creating a project', callRoute('POST /v1/projects', { user: colleague(), body: { name: "Colleague's project" } }));
    const projectId = String(project.body.id);
    await must(
      'the colleague adding the walker',
      callRoute('POST /v1/projects/{projectId}/members', { user: colleague(), params: { projectId }, body: { email, role: 'editor' } }),
    );
    for (const [title, assigneeId] of [
      ['Review the walk', me().userId],
      ['Sign off the walk', me().userId],
      ['Plan the next walk', colleague().userId],
    ] as const) {
      await must('the colleague assigning a task', callRoute('POST /v1/tasks', { user: colleague(), body: { title, projectId, assigneeId } }));
    }
    const unread = await until('the walker\'s three notifications', async () => {
      const res = await must('listing the walker\'s unread notifications', callRoute('GET /v1/notifications', { user: me(), query: { unread: 'true' } }));
      const items = res.body.items as { id: string; type: string }[];
      return items.length >= 3 ? items : undefined;
    });
    state.notificationId = unread.find((n) => n.type === 'TaskAssigned')?.id;
  };

  // A valid domain event parked in the audit DLQ, as test/browser/operations.test.ts does: the redrive step moves it
  // back to the audit queue, whose consumer records it, and leaves the DLQ as empty as it found it.
  const auditDlq = () => {
    const prefix = process.env.QUEUE_PREFIX;
    if (!prefix) throw new Error('QUEUE_PREFIX is not set: the local stack sets it');
    return dlqName(prefix, 'audit');
  };
  const dlqDepth = async (name: string): Promise<number> => {
    const res = await must('listing the DLQs', callRoute('GET /v1/admin/dlqs', { user: asAdmin() }));
    return (res.body.items as { name: string; messages: number }[]).find((q) => q.name === name)?.messages ?? 0;
  };
  const parkInAuditDlq = async () => {
    const name = auditDlq();
    const before = await dlqDepth(name);
    const taskId = `bench-walk-parked-${randomUUID()}`;
    const occurredAt = new Date().toISOString();
    const detail = parseDomainEvent({
      id: `${taskId}:TaskCreated`,
      type: 'TaskCreated',
      version: 1,
      occurredAt,
      actor: { userId: me().userId },
      requestId: `bench-parked-${randomUUID()}`,
      entity: { type: 'Task', id: taskId },
      projectId: null,
      before: null,
      after: { id: taskId, title: 'Parked, then redriven', priority: 'medium', status: 'open' },
      changes: [{ field: 'title', before: null, after: 'Parked, then redriven' }],
    });
    // The local stack's environment points the SDK at its SQS (AWS_ENDPOINT_URL_SQS) with local credentials.
    const sqs = new SQSClient({});
    try {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(asTargetEvent(detail)) }));
    } finally {
      sqs.destroy();
    }
    await until(`the parked message in ${name}`, async () => ((await dlqDepth(name)) > before ? true : undefined));
  };

  const steps: Step[] = [
    {
      variant: 'auth.register',
      route: 'POST /v1/auth/register',
      description: 'sign up (Cognito; the profile is created at confirmation)',
      run: (requestId) => callRoute('POST /v1/auth/register', { body: { email, password, name: 'Bench Walker' }, requestId }),
    },
    {
      variant: 'auth.confirm',
      route: 'POST /v1/auth/confirm',
      description: 'confirm with the emailed code and create the profile',
      run: (requestId) => callRoute('POST /v1/auth/confirm', { body: { email, code: setup.confirmationCode }, requestId }),
    },
    {
      variant: 'auth.login',
      route: 'POST /v1/auth/login',
      description: 'password login',
      run: (requestId) => callRoute('POST /v1/auth/login', { body: { email, password }, requestId }),
      after: (res) => {
        state.accessToken = res.body.accessToken;
        state.refreshToken = res.body.refreshToken;
        const sub = JSON.parse(Buffer.from(String(res.body.accessToken).split('.')[1] ?? '', 'base64url').toString('utf8')).sub as string;
        state.user = { userId: sub, email };
      },
    },
    {
      variant: 'auth.refresh',
      route: 'POST /v1/auth/refresh',
      description: 'new tokens from the refresh token',
      run: (requestId) => callRoute('POST /v1/auth/refresh', { body: { refreshToken: state.refreshToken }, requestId }),
    },
    {
      variant: 'auth.authorizer',
      route: AUTHORIZER_KEY,
      description: 'Lambda authorizer: verify the token, read profile and session state, count the quota (every authenticated request)',
      run: async (requestId) => {
        const decision = await callAuthorizer(state.accessToken!, requestId);
        return { status: decision.isAuthorized ? 200 : 403, headers: {}, body: decision };
      },
    },
    { variant: 'users.me', route: 'GET /v1/me', description: 'my profile', run: (requestId) => callRoute('GET /v1/me', { user: me(), requestId }), after: (res) => (state.profileVersion = res.body.version) },
    {
      variant: 'users.update-me',
      route: 'PATCH /v1/me',
      description: 'rename myself',
      run: (requestId) => callRoute('PATCH /v1/me', { user: me(), body: { name: 'Bench Walker 2' }, headers: ifMatch(state.profileVersion), requestId }),
    },
    {
      variant: 'projects.create',
      route: 'POST /v1/projects',
      description: 'create a project (with Idempotency-Key)',
      run: (requestId) => callRoute('POST /v1/projects', { user: me(), body: { name: 'Walk project', description: 'capacity walk' }, headers: idem(), requestId }),
      after: (res) => (state.projectId = res.body.id),
    },
    { variant: 'projects.list', route: 'GET /v1/projects', description: 'my projects', run: (requestId) => callRoute('GET /v1/projects', { user: me(), requestId }) },
    {
      variant: 'projects.get',
      route: 'GET /v1/projects/{projectId}',
      description: 'one project',
      run: (requestId) => callRoute('GET /v1/projects/{projectId}', { user: me(), params: { projectId: state.projectId! }, requestId }),
    },
    {
      variant: 'projects.update',
      route: 'PATCH /v1/projects/{projectId}',
      description: 'describe the project (If-Match)',
      run: (requestId) =>
        callRoute('PATCH /v1/projects/{projectId}', { user: me(), params: { projectId: state.projectId! }, body: { description: 'walked' }, headers: ifMatch(1), requestId }),
    },
    {
      variant: 'projects.members.add',
      route: 'POST /v1/projects/{projectId}/members',
      description: 'add a member by email',
      run: (requestId) =>
        callRoute('POST /v1/projects/{projectId}/members', { user: me(), params: { projectId: state.projectId! }, body: { email: other.email, role: 'editor' }, requestId }),
    },
    {
      variant: 'projects.members.list',
      route: 'GET /v1/projects/{projectId}/members',
      description: 'members of the project',
      run: (requestId) => callRoute('GET /v1/projects/{projectId}/members', { user: me(), params: { projectId: state.projectId! }, requestId }),
    },
    {
      variant: 'projects.members.update',
      route: 'PATCH /v1/projects/{projectId}/members/{userId}',
      description: "change a member's role (If-Match)",
      run: (requestId) =>
        callRoute('PATCH /v1/projects/{projectId}/members/{userId}', {
          user: me(),
          params: { projectId: state.projectId!, userId: other.userId },
          body: { role: 'viewer' },
          headers: ifMatch(1),
          requestId,
        }),
    },
    {
      variant: 'tasks.create',
      route: 'POST /v1/tasks',
      description: "create a project task as the load test's mix does (with Idempotency-Key)",
      prepare: fillProject,
      run: (requestId) =>
        callRoute('POST /v1/tasks', { user: me(), body: { title: 'Walk a task', projectId: state.projectId, priority: 'medium', tags: ['load'] }, headers: idem(), requestId }),
    },
    {
      variant: 'tasks.create.assigned',
      route: 'POST /v1/tasks',
      description: 'create a dated project task assigned to me (with Idempotency-Key)',
      run: (requestId) =>
        callRoute('POST /v1/tasks', {
          user: me(),
          body: { title: 'Walk the route table', projectId: state.projectId, assigneeId: me().userId, priority: 'high', tags: ['bench'], dueAt: new Date(Date.now() + 3_600_000).toISOString() },
          headers: idem(),
          requestId,
        }),
      after: (res) => (state.taskId = res.body.id),
    },
    {
      variant: 'tasks.list.project',
      route: 'GET /v1/tasks',
      description: "a project's tasks (page of 20)",
      run: (requestId) => callRoute('GET /v1/tasks', { user: me(), query: { projectId: state.projectId! }, requestId }),
    },
    {
      variant: 'tasks.list.assignee',
      route: 'GET /v1/tasks',
      description: 'tasks assigned to me (assigneeId=me)',
      run: (requestId) => callRoute('GET /v1/tasks', { user: me(), query: { assigneeId: 'me' }, requestId }),
    },
    { variant: 'tasks.list.private', route: 'GET /v1/tasks', description: 'my private tasks', run: (requestId) => callRoute('GET /v1/tasks', { user: me(), requestId }) },
    {
      variant: 'tasks.get',
      route: 'GET /v1/tasks/{taskId}',
      description: 'one project task',
      run: (requestId) => callRoute('GET /v1/tasks/{taskId}', { user: me(), params: { taskId: state.taskId! }, requestId }),
    },
    {
      variant: 'tasks.update',
      route: 'PATCH /v1/tasks/{taskId}',
      description: 'retitle a task (If-Match)',
      run: (requestId) =>
        callRoute('PATCH /v1/tasks/{taskId}', { user: me(), params: { taskId: state.taskId! }, body: { title: 'Walked the route table' }, headers: ifMatch(1), requestId }),
    },
    {
      variant: 'tasks.delete',
      route: 'DELETE /v1/tasks/{taskId}',
      description: 'move a task to the trash',
      run: (requestId) => callRoute('DELETE /v1/tasks/{taskId}', { user: me(), params: { taskId: state.taskId! }, requestId }),
    },
    {
      variant: 'tasks.restore',
      route: 'POST /v1/tasks/{taskId}/restore',
      description: 'bring it back',
      run: (requestId) => callRoute('POST /v1/tasks/{taskId}/restore', { user: me(), params: { taskId: state.taskId! }, requestId }),
    },
    {
      variant: 'projects.members.remove',
      route: 'DELETE /v1/projects/{projectId}/members/{userId}',
      description: 'remove a member',
      run: (requestId) =>
        callRoute('DELETE /v1/projects/{projectId}/members/{userId}', { user: me(), params: { projectId: state.projectId!, userId: other.userId }, requestId }),
    },
    {
      variant: 'projects.delete',
      route: 'DELETE /v1/projects/{projectId}',
      description: 'delete the project',
      run: (requestId) => callRoute('DELETE /v1/projects/{projectId}', { user: me(), params: { projectId: state.projectId! }, requestId }),
    },
    {
      variant: 'auth.logout',
      route: 'POST /v1/auth/logout',
      description: 'revoke the refresh token',
      run: (requestId) => callRoute('POST /v1/auth/logout', { body: { refreshToken: state.refreshToken }, requestId }),
    },
    { variant: 'health', route: 'GET /v1/health', description: 'liveness', run: (requestId) => callRoute('GET /v1/health', { requestId }) },
    { variant: 'openapi', route: 'GET /v1/openapi.json', description: 'the OpenAPI document', run: (requestId) => callRoute('GET /v1/openapi.json', { requestId }) },
  ];

  // Steps that change what the generic GETs below read (the walker's inbox and settings, the users list, the audit
  // log, the DLQs): they run after them.
  const lastSteps: Step[] = [
    {
      variant: 'me.notification-settings.update',
      route: 'PUT /v1/me/notification-settings',
      description: 'no emails for TaskUpdated (If-Match)',
      prepare: async () => {
        const res = await must('reading my notification settings', callRoute('GET /v1/me/notification-settings', { user: me() }));
        state.settingsVersion = Number(res.body.version);
      },
      run: (requestId) =>
        callRoute('PUT /v1/me/notification-settings', { user: me(), body: { email: { TaskUpdated: false } }, headers: ifMatch(state.settingsVersion!), requestId }),
    },
    {
      variant: 'notifications.read',
      route: 'POST /v1/notifications/{notificationId}/read',
      description: 'mark the notification of an assigned task read',
      prepare: colleagueAssignsWork,
      run: (requestId) => callRoute('POST /v1/notifications/{notificationId}/read', { user: me(), params: { notificationId: state.notificationId! }, requestId }),
    },
    {
      variant: 'notifications.read-all',
      route: 'POST /v1/notifications/read-all',
      description: 'mark the other two read',
      run: (requestId) => callRoute('POST /v1/notifications/read-all', { user: me(), requestId }),
    },
    {
      variant: 'admin.users.get',
      route: 'GET /v1/admin/users/{userId}',
      description: "a colleague's profile, projects and task counts (admins)",
      run: (requestId) => callRoute('GET /v1/admin/users/{userId}', { user: asAdmin(), params: { userId: colleague().userId }, requestId }),
    },
    {
      variant: 'admin.users.grant-admin',
      route: 'PUT /v1/admin/users/{userId}/admin',
      description: 'make the colleague an admin',
      run: (requestId) => callRoute('PUT /v1/admin/users/{userId}/admin', { user: asAdmin(), params: { userId: colleague().userId }, requestId }),
    },
    {
      variant: 'admin.users.revoke-admin',
      route: 'DELETE /v1/admin/users/{userId}/admin',
      description: 'and revoke it again',
      run: (requestId) => callRoute('DELETE /v1/admin/users/{userId}/admin', { user: asAdmin(), params: { userId: colleague().userId }, requestId }),
    },
    {
      variant: 'admin.users.disable',
      route: 'POST /v1/admin/users/{userId}/disable',
      description: 'disable the colleague',
      run: (requestId) => callRoute('POST /v1/admin/users/{userId}/disable', { user: asAdmin(), params: { userId: colleague().userId }, requestId }),
    },
    {
      variant: 'admin.users.enable',
      route: 'POST /v1/admin/users/{userId}/enable',
      description: 'and enable them again',
      run: (requestId) => callRoute('POST /v1/admin/users/{userId}/enable', { user: asAdmin(), params: { userId: colleague().userId }, requestId }),
    },
    {
      variant: 'admin.dlqs.messages',
      route: 'GET /v1/admin/dlqs/{name}/messages',
      description: "the audit DLQ's messages, read without consuming them (admins)",
      prepare: parkInAuditDlq,
      run: (requestId) => callRoute('GET /v1/admin/dlqs/{name}/messages', { user: asAdmin(), params: { name: auditDlq() }, requestId }),
    },
    {
      variant: 'admin.dlqs.redrive',
      route: 'POST /v1/admin/dlqs/{name}/redrive',
      description: 'move them back to the audit queue',
      run: (requestId) => callRoute('POST /v1/admin/dlqs/{name}/redrive', { user: asAdmin(), params: { name: auditDlq() }, requestId }),
    },
  ];

  // The audit search and the stats read what the pipeline writes behind the requests: measured before it has caught up,
  // they would read an empty log (a search then walks all 13 month partitions) and no counters. Caught up: a full
  // page of audit records this month and today's tasks counted.
  const AUDIT_PAGE = 25;
  const pipelineCaughtUp = async () => {
    await until('the event pipeline to write the walk\'s audit records and counters', async () => {
      const audit = await callRoute('GET /v1/admin/audit', { user: asAdmin(), query: { limit: AUDIT_PAGE } });
      const stats = await callRoute('GET /v1/admin/stats', { user: asAdmin() });
      const auditItems = (audit.body as { items?: unknown[] }).items ?? [];
      const days = (stats.body as { days?: { created: number }[] }).days ?? [];
      return auditItems.length >= AUDIT_PAGE && (days.at(-1)?.created ?? 0) > 0 ? true : undefined;
    });
  };
  const readsPipelineOutput = new Set(['GET /v1/admin/audit', 'GET /v1/admin/stats']);

  // Routes added later without a scripted step: a parameterless GET can still be walked as the walker (admins group
  // for admin routes); anything else is listed as not exercised.
  const scripted = new Set([...steps, ...lastSteps].map((s) => s.route));
  const unexercised: string[] = [];
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    if (scripted.has(key)) continue;
    if (route.method === 'GET' && !route.path.includes('{')) {
      steps.push({
        variant: key.replace(/^GET \/v1\//, '').replaceAll('/', '.'),
        route: key,
        description: `${route.summary} (generic GET)`,
        prepare: readsPipelineOutput.has(key) ? pipelineCaughtUp : undefined,
        run: (requestId) =>
          callRoute(key, { user: route.auth === 'none' ? undefined : { ...me(), groups: route.auth === 'admin' ? [ADMIN_GROUP] : [] }, requestId }),
      });
    } else {
      unexercised.push(key);
    }
  }
  steps.push(...lastSteps);

  const measured: Omit<RouteCost, 'flagged' | 'reason' | 'staleReason' | 'streamRecords' | 'events' | 'eventTargets' | 'deliveries' | 'consumers'>[] = [];
  for (const step of steps) {
    const requestId = `bench-walk-${step.variant}-${randomUUID()}`;
    let result: CallResult;
    let calls: DdbCall[] = [];
    try {
      await step.prepare?.();
      const recorded = await recorder.record(() => step.run(requestId), { capacity: true });
      calls = recorded.calls;
      if (recorded.error) throw recorded.error;
      result = recorded.result!;
    } catch (error) {
      result = { status: 599, headers: {}, body: { error: (error as Error).message } };
    }
    const ok = result.status >= 200 && result.status < 300;
    if (ok) step.after?.(result);
    else setup.log(`  capacity walk: ${step.variant} answered ${result.status}: ${JSON.stringify(result.body).slice(0, 300)}`);
    measured.push({
      variant: step.variant,
      route: step.route,
      description: step.description,
      status: result.status,
      ok,
      calls,
      reads: calls.filter((c) => c.kind === 'read').length,
      writes: calls.filter((c) => c.kind === 'write').length,
      rcu: sum(calls, 'read'),
      wcu: sum(calls, 'write'),
      requestId,
    });
  }

  const stream = await readStream(setup.dynamoEndpoint, setup.tableName);
  const byRequest = new Map<string, StreamRecord[]>();
  for (const record of stream) {
    const { oldImage, newImage } = image(record);
    const requestId = String(newImage?.requestId ?? oldImage?.requestId ?? '');
    if (!requestId.startsWith('bench-walk-')) continue;
    // Only the request's own items: the local stack's consumers stamp what they write (audit records, notifications,
    // reminders) with the request id of the event too, and may or may not have run by now.
    if (!REQUEST_ENTITIES.has(String((newImage ?? oldImage)?.entity))) continue;
    byRequest.set(requestId, [...(byRequest.get(requestId) ?? []), record]);
  }
  const costs: RouteCost[] = [];
  for (const m of measured) {
    const records = byRequest.get(m.requestId) ?? [];
    const { events, eventTargets, deliveries, messages } = pipelineOf(records);
    const consumers = await consume(messages, recorder);
    for (const failure of consumers.failures) setup.log(`  consumer of ${m.variant}'s events: ${failure}`);
    costs.push(decide({ ...m, streamRecords: records.length, events, eventTargets, deliveries, consumers }));
  }
  return { costs, unexercised };
};
