// Request and response schemas of the admin API (/v1/admin/*, except the audit log: shared/schemas/audit.ts).
// A namespace import lets esbuild drop what we don't use (zod's locales alone are ~260 KB).
import * as z from 'zod';
import { ROLES, TASK_PRIORITIES } from '#shared/domain/model';

const count = z.number().int().min(0);

// ---- requests ----

export const UsersQuery = z
  .object({
    emailPrefix: z.string().trim().max(254).default('').meta({ description: 'The start of the email address, case-insensitive (default: every user)' }),
    limit: z.coerce.number().int().min(1).max(100).default(20).meta({ description: 'Page size, 1–100 (default 20)' }),
    cursor: z.string().min(1).max(2048).optional().meta({ description: 'The nextCursor of the previous page (of the same search)' }),
  })
  .strict()
  .meta({ id: 'AdminUsersQuery' });

export const UserParams = z.object({ userId: z.string().min(1).max(64) }).strict();

/** Action routes take no body; an empty JSON object is accepted too. */
export const NoBody = z.object({}).strict().optional().meta({ id: 'EmptyBody', description: 'No body, or {}' });

export const DlqParams = z.object({ name: z.string().min(1).max(80).meta({ description: 'The DLQ name from GET /v1/admin/dlqs (or its short name)' }) }).strict();

export const DlqMessagesQuery = z
  .object({ max: z.coerce.number().int().min(1).max(50).default(10).meta({ description: 'At most this many messages, 1–50 (default 10)' }) })
  .strict()
  .meta({ id: 'DlqMessagesQuery' });

// ---- responses ----

export const UserSummarySchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    status: z.enum(['active', 'disabled']),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'UserSummary' });

export const UserPage = z
  .object({ items: z.array(UserSummarySchema), nextCursor: z.string().optional() })
  .meta({ id: 'UserPage', description: 'Users in email order; follow nextCursor until it is absent' });

export const AdminUserSchema = UserSummarySchema.extend({
  timezone: z.string(),
  isAdmin: z.boolean().meta({ description: 'In the admins group (a change takes effect with the user’s next token)' }),
}).meta({ id: 'AdminUser' });

export const UserDetailSchema = z
  .object({
    user: AdminUserSchema,
    projects: z.array(z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES) })).max(100).meta({ description: 'Up to 100 projects the user belongs to' }),
    taskCounts: z.object({
      assignedOpen: count.meta({ description: 'Assigned to the user and not done' }),
      assignedDone: count.meta({ description: 'Assigned to the user and done' }),
      privateTasks: count.meta({ description: 'The user’s private (project-less) tasks' }),
    }),
  })
  .meta({ id: 'UserDetail' });

export const AdminFlag = z.object({ isAdmin: z.boolean() }).meta({ id: 'AdminFlag' });

export const AdminStatsSchema = z
  .object({
    generatedAt: z.iso.datetime(),
    days: z
      .array(z.object({ date: z.iso.date(), created: count, completed: count }))
      .length(30)
      .meta({ description: 'Exactly the last 30 days (UTC), oldest first, zero-filled' }),
    openByPriority: z.object(Object.fromEntries(TASK_PRIORITIES.map((p) => [p, count])) as Record<(typeof TASK_PRIORITIES)[number], typeof count>),
    overdue: count.meta({ description: 'Open tasks past their due date (0 until overdue tracking lands)' }),
    notificationsSent: count,
    emailsSent: count,
    dlqs: z.array(z.object({ name: z.string(), messages: count })),
  })
  .meta({ id: 'AdminStats', description: 'Read from precomputed counters' });

export const DlqList = z
  .object({
    items: z.array(
      z.object({
        name: z.string(),
        kind: z.enum(['queue', 'rule-targets', 'publisher']),
        messages: count,
        redrivesTo: z.string(),
      }),
    ),
  })
  .meta({ id: 'DlqList' });

export const DlqMessages = z
  .object({
    items: z.array(
      z.object({
        messageId: z.string(),
        receiveCount: count,
        sentAt: z.iso.datetime(),
        summary: z.string(),
        eventType: z.string().optional(),
        eventId: z.string().optional(),
        body: z.string().meta({ description: 'The message body as stored' }),
      }),
    ),
  })
  .meta({ id: 'DlqMessages', description: 'Read without consuming them: they stay in the DLQ' });

export const RedriveResultSchema = z
  .object({
    moved: count.meta({ description: 'Messages moved back to their source queue' }),
    kept: count.meta({ description: 'Messages that could not be placed and stay in the DLQ' }),
  })
  .meta({ id: 'RedriveResult', description: 'At most 100 messages per request; redrive again for the rest' });
