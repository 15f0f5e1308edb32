// Notifications and notification settings on the single table (docs/data-model.md, "Notifications"):
//   USER#<id> / NOTIFICATION#<notificationId>   the inbox, newest first (ids sort by time), TTL expiresAt
//   GSI1 USER#<id>#UNREAD                        the same item while unread (sparse: removed when read)
//   USER#<id> / NOTIFICATION_SETTINGS            email on/off per type, versioned
// Each notification also carries its email's state: pending → sending (a lease) → sent, or off.
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { deliveryCounterUpdate } from '#shared/store/stats-store';
import { Conflict, NotFound } from '#shared/domain/errors';
import type { Change, Page } from '#shared/domain/model';
import { DEFAULT_SETTINGS, NOTIFICATION_TYPES, type Notification, type NotificationSettings, type NotificationStorePort } from '#shared/domain/notifications';
import { documentClient, tableName } from '#shared/store/client';
import { decodeCursor, encodeCursor, type Key } from '#shared/store/cursor';
import { INDEX, keys } from '#shared/store/keys';

export const NOTIFICATION_ENTITY = 'Notification';
export const NOTIFICATION_SETTINGS_ENTITY = 'NotificationSettings';
/** Queries one page may take (expired items waiting for TTL are filtered after Limit). */
const MAX_QUERIES_PER_PAGE = 4;

type Item = Record<string, unknown>;

export const toNotification = (item: Item): Notification => ({
  id: String(item.id),
  type: item.type as Notification['type'],
  title: String(item.title),
  details: Array.isArray(item.details) ? (item.details as string[]) : [],
  entity: item.subject as Notification['entity'],
  projectId: (item.projectId as string | null) ?? null,
  actor: item.actor as Notification['actor'],
  eventId: String(item.eventId),
  createdAt: String(item.createdAt),
  readAt: (item.readAt as string | null) ?? null,
});

const conditional = async (run: () => Promise<unknown>): Promise<boolean> => {
  try {
    await run();
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    // A transaction whose first item (the conditional write) failed its condition.
    if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
    throw error;
  }
};

// readAt is absent (not null) until read: `if_not_exists(readAt, …)` then sets it exactly once.
// readAt is absent (not null) until read: `if_not_exists(readAt, …)` then sets it exactly once.
// The admin dashboard's delivery totals move in the same transaction as the write that makes them true, so a
// redelivery (whose condition fails) counts nothing.
const save = (recipientId: string, { readAt: _unread, ...n }: Notification, email: 'pending' | 'off', expiresAt: number) =>
  conditional(() =>
    documentClient.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: {
                ...n,
                subject: n.entity,
                entity: NOTIFICATION_ENTITY,
                ...keys.notification(recipientId, n.id),
                ...keys.unreadIndex(recipientId, n.id),
                recipientId,
                email,
                expiresAt,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          deliveryCounterUpdate({ notificationsSent: 1 }) as never,
        ],
      }),
    ),
  );

const claimEmail = (recipientId: string, id: string, now: string, leaseUntil: string) =>
  conditional(() =>
    documentClient.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.notification(recipientId, id),
        UpdateExpression: 'SET #email = :sending, emailLeaseUntil = :lease',
        ConditionExpression: '#email = :pending OR (#email = :sending AND emailLeaseUntil < :now)',
        ExpressionAttributeNames: { '#email': 'email' },
        ExpressionAttributeValues: { ':pending': 'pending', ':sending': 'sending', ':lease': leaseUntil, ':now': now },
      }),
    ),
  );

const emailSent = async (recipientId: string, id: string, at: string) => {
  await conditional(() =>
    documentClient.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName(),
              Key: keys.notification(recipientId, id),
              UpdateExpression: 'SET #email = :sent, emailSentAt = :at REMOVE emailLeaseUntil',
              ConditionExpression: '#email = :sending',
              ExpressionAttributeNames: { '#email': 'email' },
              ExpressionAttributeValues: { ':sent': 'sent', ':at': at, ':sending': 'sending' },
            },
          },
          deliveryCounterUpdate({ emailsSent: 1 }) as never,
        ],
      }),
    ),
  );
};

const releaseEmail = async (recipientId: string, id: string) => {
  await conditional(() =>
    documentClient.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.notification(recipientId, id),
        UpdateExpression: 'SET #email = :pending REMOVE emailLeaseUntil',
        ConditionExpression: '#email = :sending',
        ExpressionAttributeNames: { '#email': 'email' },
        ExpressionAttributeValues: { ':pending': 'pending', ':sending': 'sending' },
      }),
    ),
  );
};

const list = async (recipientId: string, q: { limit: number; cursor?: string; unread: boolean; now: string }): Promise<Page<Notification>> => {
  const inbox = keys.notificationsOf(recipientId);
  const unread = keys.unreadOf(recipientId);
  const spec = q.unread
    ? {
        IndexName: INDEX.byContainer,
        names: { '#pk': 'gsi1pk', '#sk': 'gsi1sk' },
        values: { ':pk': unread.gsi1pk, ':prefix': unread.gsi1skPrefix },
        cursor: { partition: ['gsi1pk', unread.gsi1pk] as [string, string], sortKey: ['gsi1sk', unread.gsi1skPrefix] as [string, string], attributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'] },
      }
    : {
        IndexName: undefined,
        names: { '#pk': 'pk', '#sk': 'sk' },
        values: { ':pk': inbox.pk, ':prefix': inbox.skPrefix },
        cursor: { partition: ['pk', inbox.pk] as [string, string], sortKey: ['sk', inbox.skPrefix] as [string, string], attributes: ['pk', 'sk'] },
      };
  const nowSeconds = Math.floor(Date.parse(q.now) / 1000);
  const items: Notification[] = [];
  let startKey = decodeCursor(q.cursor, spec.cursor);
  for (let round = 0; round < MAX_QUERIES_PER_PAGE; round++) {
    const output = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: spec.IndexName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        // TTL deletes lag behind expiry: an expired notification is gone for the reader already.
        FilterExpression: 'expiresAt > :now',
        ExpressionAttributeNames: spec.names,
        ExpressionAttributeValues: { ...spec.values, ':now': nowSeconds },
        ScanIndexForward: false,
        Limit: q.limit - items.length,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(output.Items ?? []).filter((item) => item.entity === NOTIFICATION_ENTITY).map(toNotification));
    startKey = output.LastEvaluatedKey as Key | undefined;
    if (!startKey || items.length >= q.limit) break;
  }
  const nextCursor = encodeCursor(startKey);
  return nextCursor ? { items, nextCursor } : { items };
};

const markRead = async (recipientId: string, id: string, at: string): Promise<Notification> => {
  try {
    const output = await documentClient.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.notification(recipientId, id),
        // if_not_exists keeps the first readAt: reading twice is harmless.
        UpdateExpression: 'SET readAt = if_not_exists(readAt, :at) REMOVE gsi1pk, gsi1sk',
        ConditionExpression: '#entity = :entity',
        ExpressionAttributeNames: { '#entity': 'entity' },
        ExpressionAttributeValues: { ':at': at, ':entity': NOTIFICATION_ENTITY },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toNotification(output.Attributes as Item);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new NotFound('Notification');
    throw error;
  }
};

const markAllRead = async (recipientId: string, at: string, max: number) => {
  const unread = keys.unreadOf(recipientId);
  let marked = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: INDEX.byContainer,
        KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
        ExpressionAttributeValues: { ':pk': unread.gsi1pk, ':prefix': unread.gsi1skPrefix },
        ProjectionExpression: 'id',
        Limit: Math.min(100, max - marked),
        ExclusiveStartKey: startKey,
      }),
    );
    const ids = (output.Items ?? []).map((item) => String(item.id));
    // Ten at a time: quick for a person's inbox, gentle on the table's write capacity.
    for (let i = 0; i < ids.length; i += 10) {
      const results = await Promise.all(
        ids.slice(i, i + 10).map((id) =>
          conditional(() =>
            documentClient.send(
              new UpdateCommand({
                TableName: tableName(),
                Key: keys.notification(recipientId, id),
                UpdateExpression: 'SET readAt = if_not_exists(readAt, :at) REMOVE gsi1pk, gsi1sk',
                ConditionExpression: 'attribute_exists(gsi1pk)',
                ExpressionAttributeValues: { ':at': at },
              }),
            ),
          ),
        ),
      );
      marked += results.filter(Boolean).length;
    }
    startKey = output.LastEvaluatedKey;
  } while (startKey && marked < max);
  return { marked, more: startKey !== undefined };
};

/** Exported on its own too, so a bundle that only reads settings (the task routes' default reminders) takes just this. */
export const settings = async (userId: string): Promise<NotificationSettings> => {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: keys.notificationSettings(userId) }));
  if (!Item) return structuredClone(DEFAULT_SETTINGS);
  const stored = (Item.email ?? {}) as Record<string, unknown>;
  const email = Object.fromEntries(
    NOTIFICATION_TYPES.map((type) => [type, typeof stored[type] === 'boolean' ? stored[type] : DEFAULT_SETTINGS.email[type]]),
  ) as NotificationSettings['email'];
  const defaultReminders = Array.isArray(Item.defaultReminders) ? (Item.defaultReminders as NotificationSettings['defaultReminders']) : DEFAULT_SETTINGS.defaultReminders;
  return { email, defaultReminders, version: Number(Item.version), updatedAt: String(Item.updatedAt) };
};

const saveSettings = async (
  userId: string,
  settings: Pick<NotificationSettings, 'email' | 'defaultReminders'>,
  expectedVersion: number,
  change: Change,
): Promise<NotificationSettings> => {
  const next: NotificationSettings = { ...settings, version: expectedVersion + 1, updatedAt: change.at };
  const written = await conditional(() =>
    documentClient.send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.notificationSettings(userId), entity: NOTIFICATION_SETTINGS_ENTITY, userId, ...next, modifiedBy: change.actorId, requestId: change.requestId },
        ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : '#version = :expected',
        ExpressionAttributeNames: expectedVersion === 0 ? undefined : { '#version': 'version' },
        ExpressionAttributeValues: expectedVersion === 0 ? undefined : { ':expected': expectedVersion },
      }),
    ),
  );
  if (!written) throw new Conflict('The settings changed since you read them.');
  return next;
};

export const notificationStore: NotificationStorePort = { save, claimEmail, emailSent, releaseEmail, list, markRead, markAllRead, settings, saveSettings };
