// An in-memory NotificationStorePort with the same conditional semantics as shared/store/notification-store.ts.
import { Conflict, NotFound } from '#shared/domain/errors';
import { DEFAULT_SETTINGS, type Notification, type NotificationSettings, type NotificationStorePort } from '#shared/domain/notifications';

interface Stored {
  notification: Notification;
  email: 'pending' | 'sending' | 'sent' | 'off';
  leaseUntil?: string;
  expiresAt: number;
}

export const fakeNotificationStore = () => {
  const items = new Map<string, Stored>();
  const settings = new Map<string, NotificationSettings>();
  const key = (userId: string, id: string) => `${userId}/${id}`;
  const store: NotificationStorePort = {
    async save(recipientId, notification, email, expiresAt) {
      if (items.has(key(recipientId, notification.id))) return false;
      items.set(key(recipientId, notification.id), { notification: structuredClone(notification), email, expiresAt });
      return true;
    },
    async claimEmail(recipientId, id, now, leaseUntil) {
      const item = items.get(key(recipientId, id));
      if (!item || !(item.email === 'pending' || (item.email === 'sending' && item.leaseUntil! < now))) return false;
      item.email = 'sending';
      item.leaseUntil = leaseUntil;
      return true;
    },
    async emailSent(recipientId, id) {
      items.get(key(recipientId, id))!.email = 'sent';
    },
    async releaseEmail(recipientId, id) {
      const item = items.get(key(recipientId, id));
      if (item?.email === 'sending') item.email = 'pending';
    },
    async list(recipientId, q) {
      const mine = [...items.entries()]
        .filter(([k, v]) => k.startsWith(`${recipientId}/`) && (!q.unread || v.notification.readAt === null))
        .map(([, v]) => v.notification)
        .sort((a, b) => b.id.localeCompare(a.id));
      return { items: mine.slice(0, q.limit) };
    },
    async markRead(recipientId, id, at) {
      const item = items.get(key(recipientId, id));
      if (!item) throw new NotFound('Notification');
      item.notification.readAt ??= at;
      return item.notification;
    },
    async markAllRead(recipientId, at) {
      let marked = 0;
      for (const [k, v] of items) if (k.startsWith(`${recipientId}/`) && v.notification.readAt === null) (v.notification.readAt = at), marked++;
      return { marked, more: false };
    },
    async settings(userId) {
      return structuredClone(settings.get(userId) ?? DEFAULT_SETTINGS);
    },
    async saveSettings(userId, saved, expectedVersion, change) {
      const current = settings.get(userId) ?? DEFAULT_SETTINGS;
      if (current.version !== expectedVersion) throw new Conflict('stale');
      const next = { ...saved, version: expectedVersion + 1, updatedAt: change.at };
      settings.set(userId, next);
      return next;
    },
  };
  return { store, items, settings };
};
