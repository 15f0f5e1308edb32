// One user's data across the table, for the export and the erasure of an account (docs/data-model.md, "Your data").
// Queries only, each followed to its last page: the user's memberships (P2), private tasks and their trash (T3, T4),
// a project's tasks filtered to the user (T2), notifications (N1), settings (N3), the audit records they made (A3).
import { BatchWriteCommand, QueryCommand, TransactWriteCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { Conflict } from '#shared/domain/errors';
import type { AccountDataPort } from '#shared/domain/account';
import type { Task } from '#shared/domain/model';
import { batchGetItems } from '#shared/store/batch-get';
import { documentClient, tableName } from '#shared/store/client';
import { INDEX, keys } from '#shared/store/keys';
import { redactPersonalData, toRecord } from '#shared/store/audit-store';
import { settings, toNotification } from '#shared/store/notification-store';
import { projectStore, toMembership, toProject, PROJECT_ENTITY } from '#shared/store/project-store';
import { toTask } from '#shared/store/task-store';
import { userStore } from '#shared/store/user-store';

type Item = Record<string, unknown>;
type Query = Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>;

/** Every item of a Query, page after page. */
const queryAll = async (query: Query): Promise<Item[]> => {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await documentClient.send(new QueryCommand({ TableName: tableName(), ...query, ExclusiveStartKey: startKey }));
    items.push(...((output.Items ?? []) as Item[]));
    startKey = output.LastEvaluatedKey;
  } while (startKey);
  return items;
};

const onGsi1 = (gsi1pk: string, prefix: string): Query => ({
  IndexName: INDEX.byContainer,
  KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
  ExpressionAttributeValues: { ':pk': gsi1pk, ':prefix': prefix },
});

const privateTaskItems = async (userId: string): Promise<Item[]> => {
  const live = keys.privateTasksOf(userId);
  const trashed = keys.taskIndex({ id: '', projectId: null, createdBy: userId, deleted: true }).gsi1pk;
  const lists = await Promise.all([queryAll(onGsi1(live.gsi1pk, live.gsi1skPrefix)), queryAll(onGsi1(trashed, live.gsi1skPrefix))]);
  return lists.flat();
};

const notificationItems = (userId: string): Promise<Item[]> => {
  const list = keys.notificationsOf(userId);
  return queryAll({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': list.pk, ':prefix': list.skPrefix } });
};

const MAX_BATCH_ATTEMPTS = 8;

/** DeleteItem of every key, 25 per BatchWriteItem, retrying what DynamoDB leaves unprocessed. Deleting nothing is fine. */
const deleteAll = async (itemKeys: { pk: string; sk: string }[]): Promise<void> => {
  for (let i = 0; i < itemKeys.length; i += 25) {
    let requests: unknown[] = itemKeys.slice(i, i + 25).map((key) => ({ DeleteRequest: { Key: { pk: key.pk, sk: key.sk } } }));
    for (let attempt = 1; requests.length > 0; attempt++) {
      if (attempt > MAX_BATCH_ATTEMPTS) throw new Error(`BatchWriteItem left ${requests.length} deletes unprocessed`);
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 10));
      const output = await documentClient.send(new BatchWriteCommand({ RequestItems: { [tableName()]: requests as never } }));
      requests = output.UnprocessedItems?.[tableName()] ?? [];
    }
  }
};

const keyOf = (item: Item) => ({ pk: String(item.pk), sk: String(item.sk) });

export const accountStore: AccountDataPort = {
  profile: (userId) => userStore.get(userId, { consistent: true }),

  notificationSettings: (userId) => settings(userId),

  memberships: async (userId) => {
    const list = keys.projectsOfUser(userId);
    const memberships = (await queryAll(onGsi1(list.gsi1pk, list.gsi1skPrefix))).filter((item) => item.deletedAt === undefined).map(toMembership);
    const projects = new Map<string, Item>();
    for (let i = 0; i < memberships.length; i += 100) {
      const batch = await batchGetItems(memberships.slice(i, i + 100).map((m) => keys.project(m.projectId)), { consistent: true });
      for (const item of batch) if (item.entity === PROJECT_ENTITY && item.deletedAt === undefined) projects.set(String(item.id), item);
    }
    return memberships.flatMap((membership) => {
      const item = projects.get(membership.projectId);
      return item ? [{ project: { ...toProject(item), ownerCount: Number(item.ownerCount ?? 1) }, membership }] : [];
    });
  },

  privateTasks: async (userId) =>
    (await privateTaskItems(userId)).map((item) => ({ ...toTask(item), deletedAt: typeof item.deletedAt === 'string' ? item.deletedAt : undefined })),

  projectTasksOf: async (projectId, userId) => {
    const list = keys.tasksOfProject(projectId);
    const items = await queryAll({
      ...onGsi1(list.gsi1pk, list.gsi1skPrefix),
      FilterExpression: 'createdBy = :me OR assigneeId = :me',
      ExpressionAttributeValues: { ':pk': list.gsi1pk, ':prefix': list.gsi1skPrefix, ':me': userId },
    });
    return items.map(toTask) as Task[];
  },

  notifications: async (userId) => (await notificationItems(userId)).map(toNotification),

  auditByActor: async (userId) => {
    const { gsi2pk } = keys.auditIndex({ occurredAt: '', id: '', entity: { type: '', id: '' }, actor: { userId } });
    const items = await queryAll({
      IndexName: INDEX.byAssignee,
      KeyConditionExpression: 'gsi2pk = :pk AND begins_with(gsi2sk, :prefix)',
      ExpressionAttributeValues: { ':pk': gsi2pk, ':prefix': 'AUDIT#' },
      ScanIndexForward: false,
    });
    return items.map(toRecord);
  },

  leave: async (target, newOwnerId, change) => {
    const result = await projectStore.removeMember(target, { newOwnerId }, change);
    if (!result.ok) throw new Conflict('You became the only owner of a project meanwhile; nothing more was deleted. Retry.');
  },

  anotherOwner: (projectId, excludingUserId) => projectStore.anotherOwner(projectId, excludingUserId),

  erasePrivateData: async (userId) => {
    const [tasks, notifications] = await Promise.all([privateTaskItems(userId), notificationItems(userId)]);
    await deleteAll([...tasks.map(keyOf), ...notifications.map(keyOf), keys.notificationSettings(userId)]);
  },

  redactAudit: async (userId, membershipIds) => {
    await redactPersonalData({ entityType: 'User', entityId: userId });
    await redactPersonalData({ actorId: userId });
    for (const entityId of membershipIds) await redactPersonalData({ entityType: 'Membership', entityId });
  },

  eraseProfile: async (userId, email) => {
    await documentClient.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: tableName(), Key: keys.user(userId) } },
          // The email's claim, only while it is still this user's (it is released for a new registration).
          { Delete: { TableName: tableName(), Key: keys.email(email), ConditionExpression: 'attribute_not_exists(pk) OR userId = :me', ExpressionAttributeValues: { ':me': userId } } },
        ],
      }),
    );
  },
};
