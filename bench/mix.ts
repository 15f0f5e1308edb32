// The mixed workload, declared once: the load test sends it, the cost model prices it. Each connection is one
// user and loops over these ten requests: 7 reads, 3 writes. Every write touches only tasks the connection
// itself created or owns, with the version it last saw, so If-Match never conflicts between connections.

export interface MixStep {
  /** Measured variant (bench/capacity.ts, bench/handlers.ts) this request is priced with. */
  variant: string;
  route: string;
  kind: 'read' | 'write';
  label: string;
}

export const MIX: readonly MixStep[] = [
  { variant: 'tasks.list.project', route: 'GET /v1/tasks', kind: 'read', label: "list the project's tasks (page of 20)" },
  { variant: 'tasks.get', route: 'GET /v1/tasks/{taskId}', kind: 'read', label: "open a teammate's task" },
  { variant: 'tasks.create', route: 'POST /v1/tasks', kind: 'write', label: 'create a task (Idempotency-Key)' },
  { variant: 'projects.list', route: 'GET /v1/projects', kind: 'read', label: 'list my projects' },
  { variant: 'tasks.get', route: 'GET /v1/tasks/{taskId}', kind: 'read', label: 'open my task' },
  { variant: 'tasks.update', route: 'PATCH /v1/tasks/{taskId}', kind: 'write', label: 'retitle my first task (If-Match)' },
  { variant: 'projects.get', route: 'GET /v1/projects/{projectId}', kind: 'read', label: 'open the project' },
  { variant: 'tasks.list.assignee', route: 'GET /v1/tasks', kind: 'read', label: 'tasks assigned to me' },
  { variant: 'tasks.update', route: 'PATCH /v1/tasks/{taskId}', kind: 'write', label: 'retitle my second task (If-Match)' },
  { variant: 'projects.members.list', route: 'GET /v1/projects/{projectId}/members', kind: 'read', label: "the project's members" },
];

/** One load connection: a user, the project it works in, the tasks it owns (with versions) and tasks it reads. */
export interface ConnectionPlan {
  token: string;
  projectId: string;
  ownTasks: { id: string; version: number }[];
  readTaskIds: string[];
}

export interface LoadPlan {
  apiUrl: string;
  warmupSeconds: number;
  seconds: number;
  connections: ConnectionPlan[];
}

export interface LoadFailure {
  step: string;
  status: number;
  body: string;
}

export interface LoadResult {
  seconds: number;
  connections: number;
  requests: number;
  requestsPerSecond: number;
  latency: { p50: number; p95: number; p99: number; mean: number; max: number };
  /** Latency percentiles per mix step label. */
  perStep: { label: string; route: string; count: number; p50: number; p95: number; p99: number }[];
  /** Responses other than 2xx, transport errors and timeouts (must all be zero). */
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  failures: LoadFailure[];
  reads: number;
  writes: number;
}
