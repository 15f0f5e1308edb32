// Notifications: which domain events tell whom, what the in-app notification and the email say, and the
// delivery use case that keeps both exactly-once per event and recipient. Pure: no AWS imports.
import { createHash } from 'node:crypto';
import { Conflict } from '#shared/domain/errors';
import type { Change, Page, PageRequest, ReminderInput, UserProfile } from '#shared/domain/model';
import { DEFAULT_REMINDERS, validateReminders } from '#shared/domain/reminders';
import type { DomainEvent } from '#shared/events/schemas';

/** The events that notify someone; each can be emailed or not, per user. */
export const NOTIFICATION_TYPES = ['TaskAssigned', 'TaskUpdated', 'TaskCompleted', 'MemberAdded', 'ReminderDue', 'TaskOverdue'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** In-app notifications expire (TTL) this long after the event. */
export const NOTIFICATION_TTL_DAYS = 90;
/** How long one delivery may hold an email before another delivery of the same event may send it. */
export const EMAIL_LEASE_MS = 60_000;

export interface Notification {
  /** Sorts by time: newest first is descending id order. Derived from the event and the recipient. */
  id: string;
  type: NotificationType;
  /** One line: what happened. */
  title: string;
  /** The changed fields (TaskUpdated), each `field: before → after`. */
  details: string[];
  entity: DomainEvent['entity'];
  projectId: string | null;
  actor: { userId: string; name: string };
  eventId: string;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationSettings {
  /** Email on or off per notification type (in-app notifications are always kept). */
  email: Record<NotificationType, boolean>;
  /** The reminders a new task with a due date gets when it names none. */
  defaultReminders: ReminderInput[];
  /** 0 until first saved. */
  version: number;
  updatedAt: string | null;
}

export const DEFAULT_SETTINGS: NotificationSettings = {
  email: { TaskAssigned: true, TaskUpdated: true, TaskCompleted: true, MemberAdded: true, ReminderDue: true, TaskOverdue: true },
  defaultReminders: [...DEFAULT_REMINDERS],
  version: 0,
  updatedAt: null,
};

export type EmailState = 'pending' | 'off';

export interface NotificationStorePort {
  /** Stores the notification for its recipient unless it exists; `false` when it did (a redelivered event). */
  save(recipientId: string, notification: Notification, email: EmailState, expiresAt: number): Promise<boolean>;
  /** Takes the right to send this notification's email until `leaseUntil`; false if sent, off, or held by another delivery. */
  claimEmail(recipientId: string, notificationId: string, now: string, leaseUntil: string): Promise<boolean>;
  emailSent(recipientId: string, notificationId: string, at: string): Promise<void>;
  /** Gives a claimed email back after a failed send, so the retried delivery sends it. */
  releaseEmail(recipientId: string, notificationId: string): Promise<void>;
  list(recipientId: string, query: PageRequest & { unread: boolean; now: string }): Promise<Page<Notification>>;
  /** NotFound when the recipient has no such notification. Reading twice keeps the first readAt. */
  markRead(recipientId: string, notificationId: string, at: string): Promise<Notification>;
  /** Marks up to `max` unread notifications read; `more` when some remain. */
  markAllRead(recipientId: string, at: string, max: number): Promise<{ marked: number; more: boolean }>;
  settings(userId: string): Promise<NotificationSettings>;
  /** Conflict when `expectedVersion` is stale (0: never saved). */
  saveSettings(userId: string, settings: Pick<NotificationSettings, 'email' | 'defaultReminders'>, expectedVersion: number, change: Change): Promise<NotificationSettings>;
}

export interface Email {
  to: string;
  subject: string;
  html: string;
  text: string;
}

/** A project as the notification consumer reads it when it sends: its name, and which of some users are its members now. */
export interface ProjectReaders {
  name: string;
  /** The users asked about who have a live membership of the project. */
  members: ReadonlySet<string>;
}

export interface DeliveryPorts {
  notifications: NotificationStorePort;
  users: { get(userId: string): Promise<UserProfile | undefined> };
  /**
   * The live project and which of `userIds` are its members at this moment (one strongly consistent read);
   * undefined when the project is gone.
   */
  projectReaders(projectId: string, userIds: readonly string[]): Promise<ProjectReaders | undefined>;
  sendEmail(email: Email): Promise<void>;
  /** Where links in emails point (the web app or the API); empty: no links. */
  appUrl: string;
}

const str = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * Whom an event notifies, and as what: never the actor, and only people who may read what it is about when it is
 * sent (`mayRead`, see `readersOf`). The schedule's reminders go to the person doing the task, or to its creator
 * while nobody who may read it is.
 */
export const recipientsOf = (event: DomainEvent, mayRead: (userId: string) => boolean = () => true): { recipientId: string; type: NotificationType }[] => {
  const after = event.after ?? {};
  const actor = event.actor.userId;
  const changed = (field: string) => event.changes.some((c) => c.field === field);
  const notify = (recipientId: string | undefined, type: NotificationType) =>
    recipientId && recipientId !== actor && mayRead(recipientId) ? [{ recipientId, type }] : [];
  const firstReader = (...userIds: (string | undefined)[]) => userIds.find((id) => id !== undefined && mayRead(id));
  switch (event.type) {
    case 'TaskAssigned':
      return notify(str(after.assigneeId), 'TaskAssigned');
    case 'TaskUpdated': {
      const assignee = str(after.assigneeId);
      // A new assignee hears of it through TaskAssigned; a creator who is also the assignee through TaskCompleted.
      if (changed('assigneeId')) return [];
      if (after.status === 'done' && changed('status') && assignee === str(after.createdBy)) return [];
      return notify(assignee, 'TaskUpdated');
    }
    case 'TaskCompleted':
      return notify(str(after.createdBy), 'TaskCompleted');
    case 'MemberAdded':
      return notify(str(after.userId), 'MemberAdded');
    // The schedule's own events (actor: system).
    case 'ReminderDue':
      return notify(firstReader(str(after.assigneeId), str(after.createdBy)), 'ReminderDue');
    case 'TaskOverdue':
      return notify(firstReader(str(after.assigneeId), str(after.createdBy)), 'TaskOverdue');
    default:
      return [];
  }
};

/** The people an event could notify, before anyone's right to read is checked: whose memberships to look up. */
export const candidatesOf = (event: DomainEvent): string[] => {
  const after = event.after ?? {};
  const ids =
    event.type === 'ReminderDue' || event.type === 'TaskOverdue'
      ? [str(after.assigneeId), str(after.createdBy)]
      : recipientsOf(event).map((r) => r.recipientId);
  return [...new Set(ids.filter((id): id is string => id !== undefined && id !== event.actor.userId))];
};

/**
 * Who may read what an event is about, decided when it is sent (not when it happened): a project's tasks and
 * memberships, its current members — nobody once the project is gone; a private task, its creator alone.
 * Answers the project's name too (for MemberAdded). One read per event, for all its candidates together.
 */
export const readersOf = async (
  ports: Pick<DeliveryPorts, 'projectReaders'>,
  event: DomainEvent,
  candidates: readonly string[],
): Promise<{ mayRead: (userId: string) => boolean; projectName?: string }> => {
  if (candidates.length === 0) return { mayRead: () => false };
  if (event.projectId) {
    const project = await ports.projectReaders(event.projectId, candidates);
    return project ? { mayRead: (userId) => project.members.has(userId), projectName: project.name } : { mayRead: () => false };
  }
  if (event.entity.type === 'Task') {
    const creator = str((event.after ?? event.before ?? {}).createdBy);
    return { mayRead: (userId) => userId === creator };
  }
  return { mayRead: () => false };
};

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID-shaped id: the event's time (so ids sort by time) and a hash of event and recipient (so a redelivery gets the same id). */
export const notificationId = (occurredAt: string, eventId: string, recipientId: string): string => {
  let time = Date.parse(occurredAt);
  let head = '';
  for (let i = 0; i < 10; i++) {
    head = CROCKFORD[time % 32]! + head;
    time = Math.floor(time / 32);
  }
  const digest = createHash('sha256').update(`${eventId}\n${recipientId}`).digest();
  let tail = '';
  for (let i = 0; i < 16; i++) tail += CROCKFORD[digest[i]! % 32];
  return head + tail;
};

const FIELD_LABELS: Record<string, string> = {
  title: 'title',
  description: 'description',
  status: 'status',
  priority: 'priority',
  dueAt: 'due',
  tags: 'tags',
  assigneeId: 'assignee',
  projectId: 'project',
};

const shown = (value: unknown): string => {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.length ? value.join(', ') : '—';
  const text = String(value).replace(/\s+/g, ' ');
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
};

const quoted = (title: unknown) => `“${shown(title)}”`;

/** The in-app notification an event means for one recipient. */
export const composeNotification = (
  event: DomainEvent,
  recipient: { recipientId: string; type: NotificationType },
  names: { actor: string; project?: string },
): Notification => {
  const after = event.after ?? {};
  const title = {
    TaskAssigned: () => `${names.actor} assigned you ${quoted(after.title)}`,
    TaskUpdated: () => `${names.actor} changed ${quoted(after.title)}`,
    TaskCompleted: () => `${names.actor} completed ${quoted(after.title)}`,
    MemberAdded: () => `${names.actor} added you to ${names.project ? quoted(names.project) : 'a project'} as ${shown(after.role)}`,
    ReminderDue: () => `Reminder: ${quoted(after.title)} is due ${shown(after.dueAt)}`,
    TaskOverdue: () => `${quoted(after.title)} is overdue (it was due ${shown(after.dueAt)})`,
  }[recipient.type]();
  const details =
    recipient.type === 'TaskUpdated'
      ? event.changes.filter((c) => c.field in FIELD_LABELS).map((c) => `${FIELD_LABELS[c.field]}: ${shown(c.before)} → ${shown(c.after)}`)
      : [];
  return {
    id: notificationId(event.occurredAt, event.id, recipient.recipientId),
    type: recipient.type,
    title,
    details,
    entity: event.entity,
    projectId: event.projectId,
    actor: { userId: event.actor.userId, name: names.actor },
    eventId: event.id,
    createdAt: event.occurredAt,
    readAt: null,
  };
};

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** A subject is one line: user content must not fold headers. */
const oneLine = (text: string) => text.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').trim().slice(0, 200);

const linkFor = (n: Notification, appUrl: string): string | undefined => {
  if (!appUrl) return undefined;
  const base = appUrl.replace(/\/+$/, '');
  return n.entity.type === 'Task' ? `${base}/v1/tasks/${encodeURIComponent(n.entity.id)}` : n.projectId ? `${base}/v1/projects/${encodeURIComponent(n.projectId)}` : undefined;
};

/** The email of a notification: readable HTML and a plain-text part, every piece of user content escaped. */
export const renderEmail = (n: Notification, recipient: Pick<UserProfile, 'email' | 'name'>, appUrl: string): Email => {
  const link = linkFor(n, appUrl);
  const greeting = `Hi ${recipient.name || 'there'},`;
  const footer = 'You get this email because of your Taskwell notification settings. Turn it off with PUT /v1/me/notification-settings.';
  const text = [greeting, '', n.title + '.', ...(n.details.length ? ['', ...n.details.map((d) => `  • ${d}`)] : []), ...(link ? ['', `Open: ${link}`] : []), '', '—', footer].join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(oneLine(n.title))}</title></head>
<body style="font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1f2328;background:#f6f8fa;margin:0;padding:24px">
<table role="presentation" width="100%" style="max-width:560px;margin:0 auto;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:24px">
<tr><td>
<p style="margin:0 0 12px">${escapeHtml(greeting)}</p>
<p style="margin:0 0 12px;font-size:16px"><strong>${escapeHtml(n.title)}</strong></p>
${n.details.length ? `<ul style="margin:0 0 12px;padding-left:20px">${n.details.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>` : ''}
${link ? `<p style="margin:0 0 12px"><a href="${escapeHtml(link)}" style="color:#0969da">Open in Taskwell</a></p>` : ''}
<p style="margin:24px 0 0;color:#656d76;font-size:12px">${escapeHtml(footer)}</p>
</td></tr></table>
</body></html>`;
  return { to: recipient.email, subject: oneLine(`Taskwell: ${n.title}`), html, text };
};

export interface DeliveryResult {
  notified: number;
  emailed: number;
}

/**
 * Delivers what one event means: an in-app notification per recipient and, where their settings want it, one
 * email. Safe to run again for the same event: the notification is written once (its id derives from the event),
 * and the email is claimed before it is sent and marked sent after, so a redelivery sends nothing twice. A failed
 * send gives the claim back and throws, so the queue retries the event. Who may read the task is read again on every
 * delivery (`readersOf`), so a retry never reaches someone removed from the project in between.
 */
export const deliverNotifications = async (ports: DeliveryPorts, event: DomainEvent, now: Date): Promise<DeliveryResult> => {
  const result: DeliveryResult = { notified: 0, emailed: 0 };
  const candidates = candidatesOf(event);
  if (candidates.length === 0) return result;
  const readers = await readersOf(ports, event, candidates);
  const recipients = recipientsOf(event, readers.mayRead);
  if (recipients.length === 0) return result;
  const actor = await ports.users.get(event.actor.userId);
  const expiresAt = Math.floor(Date.parse(event.occurredAt) / 1000) + NOTIFICATION_TTL_DAYS * 86_400;
  for (const recipient of recipients) {
    const profile = await ports.users.get(recipient.recipientId);
    if (!profile || profile.status === 'disabled') continue;
    const project = recipient.type === 'MemberAdded' ? readers.projectName : undefined;
    const notification = composeNotification(event, recipient, { actor: actor?.name || 'Someone', project });
    const settings = await ports.notifications.settings(recipient.recipientId);
    const wantsEmail = settings.email[recipient.type];
    if (await ports.notifications.save(recipient.recipientId, notification, wantsEmail ? 'pending' : 'off', expiresAt)) result.notified++;
    if (!wantsEmail) continue;
    const claimedAt = new Date();
    const claimed = await ports.notifications.claimEmail(
      recipient.recipientId,
      notification.id,
      claimedAt.toISOString(),
      new Date(claimedAt.getTime() + EMAIL_LEASE_MS).toISOString(),
    );
    if (!claimed) continue;
    try {
      await ports.sendEmail(renderEmail(notification, profile, ports.appUrl));
    } catch (error) {
      await ports.notifications.releaseEmail(recipient.recipientId, notification.id);
      throw error;
    }
    await ports.notifications.emailSent(recipient.recipientId, notification.id, now.toISOString());
    result.emailed++;
  }
  return result;
};

// ---- the recipient's side ----

export const listNotifications = (store: NotificationStorePort, userId: string, query: PageRequest & { unread: boolean }, now: Date) =>
  store.list(userId, { ...query, now: now.toISOString() });

export const markNotificationRead = (store: NotificationStorePort, userId: string, notificationId: string, now: Date) =>
  store.markRead(userId, notificationId, now.toISOString());

/** Marks every unread notification read, in rounds of at most `max` (a later call finishes the rest). */
export const markAllNotificationsRead = (store: NotificationStorePort, userId: string, now: Date, max = 500) => store.markAllRead(userId, now.toISOString(), max);

export const getNotificationSettings = (store: NotificationStorePort, userId: string) => store.settings(userId);

export const updateNotificationSettings = async (
  store: NotificationStorePort,
  userId: string,
  patch: { email?: Partial<NotificationSettings['email']>; defaultReminders?: ReminderInput[] },
  expectedVersion: number,
  change: Change,
): Promise<NotificationSettings> => {
  if (patch.defaultReminders) validateReminders(patch.defaultReminders);
  const current = await store.settings(userId);
  if (current.version !== expectedVersion) throw new Conflict('The settings changed since you read them.', { currentVersion: current.version });
  return store.saveSettings(
    userId,
    { email: { ...current.email, ...patch.email }, defaultReminders: patch.defaultReminders ?? current.defaultReminders },
    expectedVersion,
    change,
  );
};

