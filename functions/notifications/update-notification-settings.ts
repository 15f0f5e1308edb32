import { http } from '#shared/http/handler';
import { etag, expectedVersion } from '#shared/http/versions';
import { UpdateNotificationSettingsInput } from '#shared/schemas/notification';
import { updateNotificationSettings } from '#shared/domain/notifications';
import { selfChange } from '#shared/domain/users';
import { notificationStore } from '#shared/store/notification-store';

export const handler = http({ body: UpdateNotificationSettingsInput }, async ({ body, caller, requestId, ifMatch }) => {
  const settings = await updateNotificationSettings(
    notificationStore,
    caller.userId,
    { email: body.email, defaultReminders: body.defaultReminders },
    expectedVersion(ifMatch, body.version),
    selfChange(caller.userId, requestId),
  );
  return { status: 200, body: settings, headers: { etag: etag(settings.version) } };
});
