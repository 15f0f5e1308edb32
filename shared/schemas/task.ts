// Request and response schemas of the tasks context: validation in the handlers, and the OpenAPI
// document, from the same zod definitions. Normalisation that is a rule of the domain (tags
// deduplicated, dueAt in UTC, completedAt) lives in shared/domain/tasks.ts.
// zod/mini's functional API (shared/schemas/zod.ts): checks go in `.check(...)`, wrappers are functions.
import * as z from '#shared/schemas/zod';
import { dateTime as isoDateTime, integer, lineText, meta, multilineText, queryInt, safeText } from '#shared/schemas/helpers';
import { TASK_PRIORITIES, TASK_STATUSES } from '#shared/domain/model';

/** Ids are ULIDs (tasks, projects) or Cognito subs (users): letters, digits, `-` and `_`, at most 64. */
const id = (what: string) =>
  meta(z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9_-]+$/, 'Only letters, digits, - and _')), {
    description: `The ${what}'s id`,
  });

const title = meta(lineText(1, 200), { description: 'Title (1–200 characters, one line, no control or invisible formatting characters)' });
const description = meta(z.nullable(multilineText(5000)), {
  description: 'Free text (up to 5000 characters; line breaks and tabs, no other control or invisible formatting characters); null clears it',
});
const dateTime = isoDateTime();
const dueAt = meta(z.nullable(dateTime), { description: 'ISO 8601 date-time with Z or an offset (answered in UTC); null clears it' });
const tag = meta(
  z.string().check(z.trim(), z.toLowerCase(), z.minLength(1), z.maxLength(40), z.regex(/^[^,]+$/, 'No commas'), safeText()),
  { description: 'A tag (1–40 characters, lower-cased)' },
);
const tags = meta(z.array(tag).check(z.maxLength(20)), { description: 'Up to 20 tags; duplicates are dropped' });
const version = meta(integer().check(z.minimum(1), z.maximum(Number.MAX_SAFE_INTEGER)), { description: 'The version you are updating (or send If-Match)' });

export const ReminderInputSchema = meta(
  z.strictObject({
    before: meta(z.string().check(z.minLength(3), z.maxLength(20)), {
      description: 'ISO 8601 duration before the due date: PT15M, PT1H, P1D, P1W, P1DT12H (weeks, days, hours, minutes, seconds)',
    }),
  }),
  { id: 'ReminderInput' },
);
const reminders = meta(z.array(ReminderInputSchema).check(z.maxLength(5)), {
  description: 'Up to 5 reminders before dueAt (a task with dueAt and none named gets your defaultReminders)',
});

export const TaskStatusSchema = meta(z.enum(TASK_STATUSES), { id: 'TaskStatus', description: 'todo → in_progress → done; done sets completedAt' });
export const TaskPrioritySchema = meta(z.enum(TASK_PRIORITIES), { id: 'TaskPriority' });

// ---- requests ----

export const CreateTaskInput = meta(
  z.strictObject({
    title,
    description: z.optional(description),
    projectId: meta(z.optional(z.nullable(id('project'))), { description: 'The project of the task; absent or null: a private task' }),
    status: z.optional(TaskStatusSchema),
    priority: z.optional(TaskPrioritySchema),
    dueAt: z.optional(dueAt),
    tags: z.optional(tags),
    assigneeId: meta(z.optional(z.nullable(id('assignee'))), { description: 'A member of the project; for a private task only its creator' }),
    reminders: z.optional(reminders),
  }),
  { id: 'CreateTaskInput', description: 'A new task (send an Idempotency-Key header to make retries safe)' },
);

const patchable = ['title', 'description', 'status', 'priority', 'dueAt', 'tags', 'assigneeId', 'reminders'] as const;

export const UpdateTaskInput = meta(
  z
    .strictObject({
      title: z.optional(title),
      description: z.optional(description),
      status: z.optional(TaskStatusSchema),
      priority: z.optional(TaskPrioritySchema),
      dueAt: z.optional(dueAt),
      tags: z.optional(tags),
      assigneeId: meta(z.optional(z.nullable(id('assignee'))), { description: 'A member of the project (null unassigns)' }),
      reminders: z.optional(reminders),
      version: z.optional(version),
    })
    .check(
      z.refine((input) => patchable.some((field) => input[field] !== undefined), {
        message: `Send at least one of ${patchable.join(', ')}`,
        path: ['title'],
      }),
    ),
  { id: 'UpdateTaskInput', description: 'Change a task; the project of a task cannot change' },
);

export const TaskParams = z.strictObject({ taskId: id('task') });

export const ListTasksQuery = meta(
  z
    .strictObject({
      projectId: meta(z.optional(id('project')), { description: "A project's tasks (you must be a member)" }),
      status: z.optional(TaskStatusSchema),
      priority: z.optional(TaskPrioritySchema),
      assigneeId: meta(z.optional(z.union([z.literal('me'), id('assignee')])), {
        description: 'Without projectId: only yourself (your id or `me`), listed by due date. With projectId: any member.',
      }),
      tag: z.optional(tag),
      dueBefore: meta(z.optional(dateTime), { description: 'Tasks due at or before this instant' }),
      dueAfter: meta(z.optional(dateTime), { description: 'Tasks due at or after this instant' }),
      limit: meta(queryInt(1, 100, 20), { description: 'Page size, 1–100 (default 20)' }),
      cursor: meta(z.optional(z.string().check(z.minLength(1), z.maxLength(2048))), { description: 'The nextCursor of the previous page' }),
    })
    .check(
      z.refine((q) => !q.dueBefore || !q.dueAfter || Date.parse(q.dueAfter) <= Date.parse(q.dueBefore), {
        message: 'dueAfter must not be later than dueBefore',
        path: ['dueAfter'],
      }),
    ),
  { id: 'ListTasksQuery' },
);

// ---- responses ----

export const TaskSchema = meta(
  z.object({
    id: z.string(),
    projectId: z.nullable(z.string()),
    title: z.string(),
    description: z.nullable(z.string()),
    status: TaskStatusSchema,
    priority: TaskPrioritySchema,
    dueAt: z.nullable(z.iso.datetime()),
    tags: z.array(z.string()),
    assigneeId: z.nullable(z.string()),
    createdBy: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    completedAt: z.nullable(z.iso.datetime()),
    version: integer(),
    reminders: meta(
      z.array(
        z.object({
          before: z.string(),
          at: meta(z.nullable(z.iso.datetime()), { description: 'When it fires (dueAt − before)' }),
          status: meta(z.enum(['scheduled', 'sent', 'skipped', 'cancelled']), {
            description: 'skipped: its time had passed when it was set; cancelled: the task was completed, deleted or lost its due date',
          }),
          sentAt: z.nullable(z.iso.datetime()),
        }),
      ),
      { description: 'The planned reminders, soonest first' },
    ),
    overdue: meta(z.boolean(), { description: 'Not done and past its due date' }),
  }),
  { id: 'Task', description: 'A task; the ETag of a single task is its version' },
);

export const TaskPage = meta(z.object({ items: z.array(TaskSchema), nextCursor: z.optional(z.string()) }), {
  id: 'TaskPage',
  description: 'A page of tasks; pass nextCursor to get the next one. With filters a page may hold fewer than `limit` items (even none) while nextCursor is present.',
});
