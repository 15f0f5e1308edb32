// The profiles as an admin reads and changes them (docs/data-model.md: U1, U3, P2, T3, T5). Reads are Queries and
// GetItems only; counts are Queries with Select COUNT (no items leave the table). The one write is the same
// versioned UpdateItem as PATCH /v1/me (shared/store/user-store.ts): `version + 1`, stamped with the admin as
// `modifiedBy` and the request as `requestId`, so the stream (and the audit log) records who disabled whom.
import { GetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AdminProfile, AdminUserStorePort, ProfileChange, TaskCounts, UserProjectEntry, UserSearch, UserSummary } from '#shared/domain/admin';
import { summaryOf } from '#shared/domain/admin';
import type { Change, Page } from '#shared/domain/model';
import { documentClient, tableName } from '#shared/store/client';
import { decodeCursor, encodeCursor } from '#shared/store/cursor';
import { INDEX, keys } from '#shared/store/keys';
import { projectStore } from '#shared/store/project-store';
import { toUserProfile, updateProfileItem, USER_ENTITY } from '#shared/store/user-store';

type Item = Record<string, unknown>;

const isProfile = (item: Item | undefined): item is Item => !!item && item.entity === USER_ENTITY;

const toAdminProfile = (item: Item): AdminProfile => ({
  ...toUserProfile(item),
  ...(typeof item.isAdmin === 'boolean' ? { isAdmin: item.isAdmin } : {}),
});

const get = async (userId: string): Promise<AdminProfile | undefined> => {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: keys.user(userId), ConsistentRead: true }));
  return isProfile(Item) ? toAdminProfile(Item) : undefined;
};

/** U3: users by email prefix, in email order, one Query per page (the USERS list holds profiles only). */
const search = async ({ emailPrefix, limit, cursor }: UserSearch): Promise<Page<UserSummary>> => {
  const list = keys.usersByEmail(emailPrefix);
  const startKey = decodeCursor(cursor, {
    partition: ['gsi1pk', list.gsi1pk],
    sortKey: ['gsi1sk', list.gsi1skPrefix],
    attributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
  });
  const output = await documentClient.send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: INDEX.byContainer,
      KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
      ExpressionAttributeValues: { ':pk': list.gsi1pk, ':prefix': list.gsi1skPrefix },
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
  );
  const items = ((output.Items ?? []) as Item[]).filter(isProfile).map((item) => summaryOf(toUserProfile(item)));
  const nextCursor = encodeCursor(output.LastEvaluatedKey);
  return nextCursor ? { items, nextCursor } : { items };
};

/** P2, as `GET /v1/projects` reads it (deleted projects skipped): one page of up to `max`. */
const projectsOf = async (userId: string, max: number): Promise<UserProjectEntry[]> => {
  const page = await projectStore.projectsOf(userId, { limit: max });
  return page.items.map((p) => ({ id: p.id, name: p.name, role: p.role }));
};

/** Query with Select COUNT, following LastEvaluatedKey (each page counts up to 1 MB of index entries). */
const count = async (input: Omit<QueryCommandInput, 'TableName' | 'Select' | 'ExclusiveStartKey'>): Promise<number> => {
  let total = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await documentClient.send(new QueryCommand({ ...input, TableName: tableName(), Select: 'COUNT', ExclusiveStartKey: startKey }));
    total += output.Count ?? 0;
    startKey = output.LastEvaluatedKey;
  } while (startKey);
  return total;
};

/** T5 split by status (a FilterExpression: COUNT counts what passes it), and T3. Trashed tasks are in neither list. */
const taskCounts = async (userId: string): Promise<TaskCounts> => {
  const assigned = keys.tasksOfAssignee(userId);
  const assignedWhere = (operator: '=' | '<>') => ({
    IndexName: INDEX.byAssignee,
    KeyConditionExpression: 'gsi2pk = :pk',
    FilterExpression: `#status ${operator} :done`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':pk': assigned.gsi2pk, ':done': 'done' },
  });
  const own = keys.privateTasksOf(userId);
  const [assignedOpen, assignedDone, privateTasks] = await Promise.all([
    count(assignedWhere('<>')),
    count(assignedWhere('=')),
    count({
      IndexName: INDEX.byContainer,
      KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
      ExpressionAttributeValues: { ':pk': own.gsi1pk, ':prefix': own.gsi1skPrefix },
    }),
  ]);
  return { assignedOpen, assignedDone, privateTasks };
};

const update = async (userId: string, patch: ProfileChange, expectedVersion: number, change: Change): Promise<AdminProfile> =>
  toAdminProfile(
    await updateProfileItem(userId, { status: patch.status, isAdmin: patch.isAdmin }, expectedVersion, change, { notFound: 'User not found.', conflictHint: '' }),
  );

export const adminUserStore: AdminUserStorePort = { get, search, projectsOf, taskCounts, update };
