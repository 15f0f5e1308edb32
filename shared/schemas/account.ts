// Request and response schemas of "your data": GET /v1/me/export and DELETE /v1/me.
// zod/mini's functional API (shared/schemas/zod.ts): checks go in `.check(...)`, wrappers are functions.
import * as z from '#shared/schemas/zod';
import { meta } from '#shared/schemas/helpers';
import { UserProfileSchema } from '#shared/schemas/user';
import { NotificationSchema, NotificationSettingsSchema } from '#shared/schemas/notification';
import { ProjectSchema } from '#shared/schemas/project';
import { TaskSchema } from '#shared/schemas/task';
import { AuditRecordSchema } from '#shared/schemas/audit';

export const DeleteAccountInput = meta(z.strictObject({ password: meta(z.string().check(z.minLength(1), z.maxLength(256)), { description: 'Your account password' }) }), {
  id: 'DeleteAccountInput',
  description: 'Your password confirms the deletion',
});

const exportedTask = z.extend(TaskSchema, { deletedAt: meta(z.optional(z.string()), { description: 'Set on a private task in the trash' }) });

export const AccountExportSchema = meta(
  z.object({
    exportedAt: z.iso.datetime(),
    profile: UserProfileSchema,
    notificationSettings: NotificationSettingsSchema,
    projects: z.array(z.object({ project: ProjectSchema, role: z.enum(['owner', 'editor', 'viewer']), joinedAt: z.string() })),
    tasks: z.object({
      created: meta(z.array(exportedTask), { description: 'Tasks you created: your private ones (trash included) and those in your projects' }),
      assigned: meta(z.array(exportedTask), { description: 'Tasks of your projects assigned to you that others created' }),
    }),
    notifications: z.array(NotificationSchema),
    auditRecords: meta(z.array(AuditRecordSchema), { description: 'The audit records of the changes you made, newest first' }),
  }),
  { id: 'AccountExport', description: 'Everything you own or wrote, within what you can read' },
);
