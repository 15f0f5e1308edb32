// Request and response schemas of notifications and notification settings.
// zod/mini's functional API (shared/schemas/zod.ts): checks go in `.check(...)`, wrappers are functions.
import * as z from '#shared/schemas/zod';
import { integer, meta, queryInt } from '#shared/schemas/helpers';
import { NOTIFICATION_TYPES } from '#shared/domain/notifications';
import { ENTITY_TYPES } from '#shared/events/schemas';
import { ReminderInputSchema } from '#shared/schemas/task';

/** A query-string boolean: exactly `true` or `false`. */
const flag = z.pipe(
  z.enum(['true', 'false']),
  z.transform((v: 'true' | 'false') => v === 'true'),
);

export const ListNotificationsQuery = meta(
  z.strictObject({
    unread: meta(z._default(flag, false), { description: 'true: only unread notifications' }),
    limit: meta(queryInt(1, 100, 20), { description: 'Page size, 1–100 (default 20)' }),
    cursor: meta(z.optional(z.string().check(z.minLength(1), z.maxLength(2048))), { description: 'The nextCursor of the previous page' }),
  }),
  { id: 'ListNotificationsQuery' },
);

export const NotificationParams = z.strictObject({ notificationId: z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'A notification id (26 characters)')) });

export const NotificationTypeSchema = meta(z.enum(NOTIFICATION_TYPES), { id: 'NotificationType' });

export const NotificationSchema = meta(
  z.object({
    id: z.string(),
    type: NotificationTypeSchema,
    title: meta(z.string(), { description: 'What happened, in one line' }),
    details: meta(z.array(z.string()), { description: 'For changes: each changed field, before → after' }),
    entity: z.object({ type: z.enum(ENTITY_TYPES), id: z.string() }),
    projectId: z.nullable(z.string()),
    actor: z.object({ userId: z.string(), name: z.string() }),
    eventId: z.string(),
    createdAt: z.iso.datetime(),
    readAt: z.nullable(z.iso.datetime()),
  }),
  { id: 'Notification' },
);

export const NotificationPage = meta(z.object({ items: z.array(NotificationSchema), nextCursor: z.optional(z.string()) }), {
  id: 'NotificationPage',
  description: 'Newest first',
});

export const ReadAllResult = meta(z.object({ marked: integer(), more: meta(z.boolean(), { description: 'true: call again to mark the rest' }) }), {
  id: 'ReadAllResult',
});

const emailSwitches = z.object(Object.fromEntries(NOTIFICATION_TYPES.map((t) => [t, z.boolean()])) as Record<(typeof NOTIFICATION_TYPES)[number], z.ZodMiniBoolean>);

export const NotificationSettingsSchema = meta(
  z.object({ email: emailSwitches, defaultReminders: z.array(ReminderInputSchema), version: integer(), updatedAt: z.nullable(z.iso.datetime()) }),
  {
    id: 'NotificationSettings',
    description: 'Email on or off per notification type; in-app notifications are always kept. Its ETag is its version (0 until first saved).',
  },
);

export const UpdateNotificationSettingsInput = meta(
  z
    .strictObject({
      // Some of the switches, no unknown type (a `never` catchall is classic zod's `.strict()`).
      email: z.optional(
        z.catchall(z.partial(emailSwitches), z.never()).check(z.refine((e) => Object.keys(e).length > 0, { message: 'Name at least one notification type' })),
      ),
      defaultReminders: meta(z.optional(z.array(ReminderInputSchema).check(z.maxLength(5))), { description: 'Reminders for new tasks with a due date that name none' }),
      version: meta(z.optional(integer().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER))), {
        description: 'The version you read (or send If-Match; 0 before the first save)',
      }),
    })
    .check(z.refine((input) => input.email !== undefined || input.defaultReminders !== undefined, { message: 'Send email or defaultReminders', path: ['email'] })),
  { id: 'UpdateNotificationSettingsInput' },
);
