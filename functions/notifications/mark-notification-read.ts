import { http } from '#shared/http/handler';
import { NotificationParams } from '#shared/schemas/notification';
import { markNotificationRead } from '#shared/domain/notifications';
import { notificationStore } from '#shared/store/notification-store';

export const handler = http({ params: NotificationParams }, async ({ params, caller }) => {
  const notification = await markNotificationRead(notificationStore, caller.userId, params.notificationId, new Date());
  return { status: 200, body: notification };
});
