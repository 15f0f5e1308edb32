import { http } from '#shared/http/handler';
import { ListNotificationsQuery } from '#shared/schemas/notification';
import { listNotifications } from '#shared/domain/notifications';
import { notificationStore } from '#shared/store/notification-store';

export const handler = http({ query: ListNotificationsQuery }, async ({ query, caller }) => {
  const page = await listNotifications(notificationStore, caller.userId, query, new Date());
  return { status: 200, body: page };
});
