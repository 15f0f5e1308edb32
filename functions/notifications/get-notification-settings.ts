import { http } from '#shared/http/handler';
import { etag } from '#shared/http/versions';
import { getNotificationSettings } from '#shared/domain/notifications';
import { notificationStore } from '#shared/store/notification-store';

export const handler = http({}, async ({ caller }) => {
  const settings = await getNotificationSettings(notificationStore, caller.userId);
  return { status: 200, body: settings, headers: { etag: etag(settings.version) } };
});
