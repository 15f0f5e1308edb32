// The admin API's shapes, as the admin API's contract fixes them (docs/api.md; the OpenAPI document at /v1/openapi.json).

export interface Session {
  accessToken: string;
  idToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: 'Bearer';
}

export interface RefreshedSession {
  accessToken: string;
  idToken: string;
  expiresIn: number;
}

export type Priority = 'low' | 'medium' | 'high' | 'urgent';
export const PRIORITIES: readonly Priority[] = ['low', 'medium', 'high', 'urgent'];

export interface Stats {
  generatedAt: string;
  days: { date: string; created: number; completed: number }[];
  openByPriority: Record<Priority, number>;
  overdue: number;
  notificationsSent: number;
  emailsSent: number;
  dlqs: { name: string; messages: number }[];
}

export interface UserSummary {
  id: string;
  email: string;
  name: string;
  status: 'active' | 'disabled';
  createdAt: string;
}

export interface UserDetail {
  user: UserSummary & { timezone: string; isAdmin: boolean };
  projects: { id: string; name: string; role: string }[];
  taskCounts: { assignedOpen: number; assignedDone: number; privateTasks: number };
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface Dlq {
  name: string;
  kind: 'queue' | 'rule-targets' | 'publisher';
  messages: number;
  redrivesTo: string;
}

export interface DlqMessage {
  messageId: string;
  receiveCount: number;
  sentAt: string;
  summary: string;
  eventType?: string;
  eventId?: string;
  body: string;
}

export interface RedriveResult {
  moved: number;
  kept: number;
}

export const ENTITY_TYPES = ['Task', 'Project', 'Membership', 'User'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export interface AuditRecord {
  id: string;
  type: string;
  occurredAt: string;
  actor: { userId: string };
  requestId: string;
  entity: { type: EntityType; id: string };
  projectId: string | null;
  changes: { field: string; before: unknown; after: unknown }[];
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  recordedAt: string;
}
