// Request and response schemas of the tasks context: validation in the handlers, and the OpenAPI
// document, from the same zod definitions. Normalisation that is a rule of the domain (tags
// deduplicated, dueAt in UTC, completedAt) lives in shared/domain/tasks.ts.
// A namespace import lets esbuild drop what we don't use (zod's locales alone are ~260 KB).
import * as z from 'zod';
import { TASK_PRIORITIES, TASK_STATUSES } from '#shared/domain/model';

/** Ids are ULIDs (tasks, projects) or Cognito subs (users): letters, digits, `-` and `_`, at most 64. */
const id = (what: string) =>
  z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/, 'Only letters, digits, - and _')
    .meta({ description: `The ${what}'s id` });

const title = z.string().trim().min(1).max(200).meta({ description: 'Title (1–200 characters)' });
const description = z.string().max(5000).nullable().meta({ description: 'Free text (up to 5000 characters); null clears it' });
const dateTime = z.iso.datetime({ offset: true });
const dueAt = dateTime.nullable().meta({ description: 'ISO 8601 date-time with Z or an offset (answered in UTC); null clears it' });
const tag = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(40)
  .regex(/^[^\p{Cc},]+$/u, 'No commas or control characters')
  .meta({ description: 'A tag (1–40 characters, lower-cased)' });
const tags = z.array(tag).max(20).meta({ description: 'Up to 20 tags; duplicates are dropped' });
const version = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).meta({ description: 'The version you are updating (or send If-Match)' });

export const ReminderInputSchema = z
  .object({
    before: z
      .string()
      .min(3)
      .max(20)
      .meta({ description: 'ISO 8601 duration before the due date: PT15M, PT1H, P1D, P1W, P1DT12H (weeks, days, hours, minutes, seconds)' }),
  })
  .strict()
  .meta({ id: 'ReminderInput' });
const reminders = z.array(ReminderInputSchema).max(5).meta({ description: 'Up to 5 reminders before dueAt (a task with dueAt and none named gets your defaultReminders)' });

export const TaskStatusSchema = z.enum(TASK_STATUSES).meta({ id: 'TaskStatus', description: 'todo → in_progress → done; done sets completedAt' });
export const TaskPrioritySchema = z.enum(TASK_PRIORITIES).meta({ id: 'TaskPriority' });

// ---- requests ----

export const CreateTaskInput = z
  .object({
    title,
    description: description.optional(),
    projectId: id('project').nullable().optional().meta({ description: 'The project of the task; absent or null: a private task' }),
    status: TaskStatusSchema.optional(),
    priority: TaskPrioritySchema.optional(),
    dueAt: dueAt.optional(),
    tags: tags.optional(),
    assigneeId: id('assignee')
      .nullable()
      .optional()
      .meta({ description: 'A member of the project; for a private task only its creator' }),
    reminders: reminders.optional(),
  })
  .strict()
  .meta({ id: 'CreateTaskInput', description: 'A new task (send an Idempotency-Key header to make retries safe)' });

const patchable = ['title', 'description', 'status', 'priority', 'dueAt', 'tags', 'assigneeId', 'reminders'] as const;

export const UpdateTaskInput = z
  .object({
    title: title.optional(),
    description: description.optional(),
    status: TaskStatusSchema.optional(),
    priority: TaskPrioritySchema.optional(),
    dueAt: dueAt.optional(),
    tags: tags.optional(),
    assigneeId: id('assignee').nullable().optional().meta({ description: 'A member of the project (null unassigns)' }),
    reminders: reminders.optional(),
    version: version.optional(),
  })
  .strict()
  .refine((input) => patchable.some((field) => input[field] !== undefined), {
    message: `Send at least one of ${patchable.join(', ')}`,
    path: ['title'],
  })
  .meta({ id: 'UpdateTaskInput', description: 'Change a task; the project of a task cannot change' });

export const TaskParams = z.object({ taskId: id('task') }).strict();

export const ListTasksQuery = z
  .object({
    projectId: id('project').optional().meta({ description: "A project's tasks (you must be a member)" }),
    status: TaskStatusSchema.optional(),
    priority: TaskPrioritySchema.optional(),
    assigneeId: z
      .union([z.literal('me'), id('assignee')])
      .optional()
      .meta({ description: 'Without projectId: only yourself (your id or `me`), listed by due date. With projectId: any member.' }),
    tag: tag.optional(),
    dueBefore: dateTime.optional().meta({ description: 'Tasks due at or before this instant' }),
    dueAfter: dateTime.optional().meta({ description: 'Tasks due at or after this instant' }),
    limit: z.coerce.number().int().min(1).max(100).default(20).meta({ description: 'Page size, 1–100 (default 20)' }),
    cursor: z.string().min(1).max(2048).optional().meta({ description: 'The nextCursor of the previous page' }),
  })
  .strict()
  .refine((q) => !q.dueBefore || !q.dueAfter || Date.parse(q.dueAfter) <= Date.parse(q.dueBefore), {
    message: 'dueAfter must not be later than dueBefore',
    path: ['dueAfter'],
  })
  .meta({ id: 'ListTasksQuery' });

// ---- responses ----

export const TaskSchema = z
  .object({
    id: z.string(),
    projectId: z.string().nullable(),
    title: z.string(),
    description: z.string().nullable(),
    status: TaskStatusSchema,
    priority: TaskPrioritySchema,
    dueAt: z.iso.datetime().nullable(),
    tags: z.array(z.string()),
    assigneeId: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    completedAt: z.iso.datetime().nullable(),
    version: z.number().int(),
    reminders: z
      .array(
        z.object({
          before: z.string(),
          at: z.iso.datetime().nullable().meta({ description: 'When it fires (dueAt − before)' }),
          status: z.enum(['scheduled', 'sent', 'skipped', 'cancelled']).meta({ description: 'skipped: its time had passed when it was set; cancelled: the task was completed, deleted or lost its due date' }),
          sentAt: z.iso.datetime().nullable(),
        }),
      )
      .meta({ description: 'The planned reminders, soonest first' }),
    overdue: z.boolean().meta({ description: 'Not done and past its due date' }),
  })
  .meta({ id: 'Task', description: 'A task; the ETag of a single task is its version' });

export const TaskPage = z
  .object({ items: z.array(TaskSchema), nextCursor: z.string().optional() })
  .meta({
    id: 'TaskPage',
    description: 'A page of tasks; pass nextCursor to get the next one. With filters a page may hold fewer than `limit` items (even none) while nextCursor is present.',
  });
