import { http } from '#shared/http/handler';
import { markAllNotificationsRead } from '#shared/domain/notifications';
import { notificationStore } from '#shared/store/notification-store';

export const handler = http({}, async ({ caller }) => {
  const result = await markAllNotificationsRead(notificationStore, caller.userId, new Date());
  return { status: 200, body: result };
});
