// Request and response schemas of the admin API (/v1/admin/*, except the audit log: shared/schemas/audit.ts).
// zod/mini's functional API (shared/schemas/zod.ts): checks go in `.check(...)`, wrappers are functions.
import * as z from '#shared/schemas/zod';
import { integer, meta, queryInt, safeText } from '#shared/schemas/helpers';
import { ROLES, TASK_PRIORITIES } from '#shared/domain/model';

const count = integer().check(z.minimum(0));

// ---- requests ----

export const UsersQuery = meta(
  z.strictObject({
    emailPrefix: meta(z._default(z.string().check(z.trim(), z.maxLength(254), safeText()), ''), {
      description: 'The start of the email address, case-insensitive (default: every user)',
    }),
    limit: meta(queryInt(1, 100, 20), { description: 'Page size, 1–100 (default 20)' }),
    cursor: meta(z.optional(z.string().check(z.minLength(1), z.maxLength(2048))), { description: 'The nextCursor of the previous page (of the same search)' }),
  }),
  { id: 'AdminUsersQuery' },
);

export const UserParams = z.strictObject({ userId: z.string().check(z.minLength(1), z.maxLength(64)) });

/** Action routes take no body; an empty JSON object is accepted too. */
export const NoBody = meta(z.optional(z.strictObject({})), { id: 'EmptyBody', description: 'No body, or {}' });

export const DlqParams = z.strictObject({
  name: meta(z.string().check(z.minLength(1), z.maxLength(80)), { description: 'The DLQ name from GET /v1/admin/dlqs (or its short name)' }),
});

export const DlqMessagesQuery = meta(z.strictObject({ max: meta(queryInt(1, 50, 10), { description: 'At most this many messages, 1–50 (default 10)' }) }), {
  id: 'DlqMessagesQuery',
});

// ---- responses ----

export const UserSummarySchema = meta(
  z.object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    status: z.enum(['active', 'disabled']),
    createdAt: z.iso.datetime(),
  }),
  { id: 'UserSummary' },
);

export const UserPage = meta(z.object({ items: z.array(UserSummarySchema), nextCursor: z.optional(z.string()) }), {
  id: 'UserPage',
  description: 'Users in email order; follow nextCursor until it is absent',
});

export const AdminUserSchema = meta(
  z.extend(UserSummarySchema, {
    timezone: z.string(),
    isAdmin: meta(z.boolean(), { description: 'In the admins group (a change takes effect with the user’s next token)' }),
  }),
  { id: 'AdminUser' },
);

export const UserDetailSchema = meta(
  z.object({
    user: AdminUserSchema,
    projects: meta(z.array(z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES) })).check(z.maxLength(100)), {
      description: 'Up to 100 projects the user belongs to',
    }),
    taskCounts: z.object({
      assignedOpen: meta(count, { description: 'Assigned to the user and not done' }),
      assignedDone: meta(count, { description: 'Assigned to the user and done' }),
      privateTasks: meta(count, { description: 'The user’s private (project-less) tasks' }),
    }),
  }),
  { id: 'UserDetail' },
);

export const AdminFlag = meta(z.object({ isAdmin: z.boolean() }), { id: 'AdminFlag' });

export const AdminStatsSchema = meta(
  z.object({
    generatedAt: z.iso.datetime(),
    days: meta(z.array(z.object({ date: z.iso.date(), created: count, completed: count })).check(z.length(30)), {
      description: 'Exactly the last 30 days (UTC), oldest first, zero-filled',
    }),
    openByPriority: z.object(Object.fromEntries(TASK_PRIORITIES.map((p) => [p, count])) as Record<(typeof TASK_PRIORITIES)[number], typeof count>),
    overdue: meta(count, { description: 'Tasks announced overdue (TaskOverdue) that are still open (not done, not deleted)' }),
    notificationsSent: count,
    emailsSent: count,
    dlqs: z.array(z.object({ name: z.string(), messages: count })),
  }),
  { id: 'AdminStats', description: 'Read from precomputed counters' },
);

export const DlqList = meta(
  z.object({
    items: z.array(
      z.object({
        name: z.string(),
        kind: z.enum(['queue', 'rule-targets', 'publisher']),
        messages: count,
        redrivesTo: z.string(),
      }),
    ),
  }),
  { id: 'DlqList' },
);

export const DlqMessages = meta(
  z.object({
    items: z.array(
      z.object({
        messageId: z.string(),
        receiveCount: count,
        sentAt: z.iso.datetime(),
        summary: z.string(),
        eventType: z.optional(z.string()),
        eventId: z.optional(z.string()),
        body: meta(z.string(), { description: 'The message body as stored' }),
      }),
    ),
  }),
  { id: 'DlqMessages', description: 'Read without consuming them: they stay in the DLQ' },
);

export const RedriveResultSchema = meta(
  z.object({
    moved: meta(count, { description: 'Messages moved back to their source queue' }),
    kept: meta(count, { description: 'Messages that could not be placed and stay in the DLQ' }),
  }),
  { id: 'RedriveResult', description: 'At most 100 messages per request; redrive again for the rest' },
);
