// Request and response schemas of notifications and notification settings.
// A namespace import lets esbuild drop what we don't use (zod's locales alone are ~260 KB).
import * as z from 'zod';
import { NOTIFICATION_TYPES } from '#shared/domain/notifications';
import { ENTITY_TYPES } from '#shared/events/schemas';
import { ReminderInputSchema } from '#shared/schemas/task';

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

export const ListNotificationsQuery = z
  .object({
    unread: flag.default(false).meta({ description: 'true: only unread notifications' }),
    limit: z.coerce.number().int().min(1).max(100).default(20).meta({ description: 'Page size, 1–100 (default 20)' }),
    cursor: z.string().min(1).max(2048).optional().meta({ description: 'The nextCursor of the previous page' }),
  })
  .strict()
  .meta({ id: 'ListNotificationsQuery' });

export const NotificationParams = z
  .object({ notificationId: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'A notification id (26 characters)') })
  .strict();

export const NotificationTypeSchema = z.enum(NOTIFICATION_TYPES).meta({ id: 'NotificationType' });

export const NotificationSchema = z
  .object({
    id: z.string(),
    type: NotificationTypeSchema,
    title: z.string().meta({ description: 'What happened, in one line' }),
    details: z.array(z.string()).meta({ description: 'For changes: each changed field, before → after' }),
    entity: z.object({ type: z.enum(ENTITY_TYPES), id: z.string() }),
    projectId: z.string().nullable(),
    actor: z.object({ userId: z.string(), name: z.string() }),
    eventId: z.string(),
    createdAt: z.iso.datetime(),
    readAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Notification' });

export const NotificationPage = z
  .object({ items: z.array(NotificationSchema), nextCursor: z.string().optional() })
  .meta({ id: 'NotificationPage', description: 'Newest first' });

export const ReadAllResult = z
  .object({ marked: z.number().int(), more: z.boolean().meta({ description: 'true: call again to mark the rest' }) })
  .meta({ id: 'ReadAllResult' });

const emailSwitches = z.object(Object.fromEntries(NOTIFICATION_TYPES.map((t) => [t, z.boolean()])) as Record<(typeof NOTIFICATION_TYPES)[number], z.ZodBoolean>);

export const NotificationSettingsSchema = z
  .object({ email: emailSwitches, defaultReminders: z.array(ReminderInputSchema), version: z.number().int(), updatedAt: z.iso.datetime().nullable() })
  .meta({ id: 'NotificationSettings', description: 'Email on or off per notification type; in-app notifications are always kept. Its ETag is its version (0 until first saved).' });

export const UpdateNotificationSettingsInput = z
  .object({
    email: emailSwitches.partial().strict().refine((e) => Object.keys(e).length > 0, { message: 'Name at least one notification type' }).optional(),
    defaultReminders: z.array(ReminderInputSchema).max(5).optional().meta({ description: 'Reminders for new tasks with a due date that name none' }),
    version: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional().meta({ description: 'The version you read (or send If-Match; 0 before the first save)' }),
  })
  .strict()
  .refine((input) => input.email !== undefined || input.defaultReminders !== undefined, { message: 'Send email or defaultReminders', path: ['email'] })
  .meta({ id: 'UpdateNotificationSettingsInput' });
