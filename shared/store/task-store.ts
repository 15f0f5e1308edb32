// Tasks on the single table. Keys come from keys.ts; items are mapped to the public domain shape
// here, so no key or bookkeeping attribute (pk/sk/gsi*/entity/expiresAt/modifiedBy/requestId)
// ever leaves this module. Every write is a full Put of the next state, conditioned on the version
// it replaces, so the index attributes (gsi1*/gsi2*) are always recomputed in step with the task.
import { GetCommand, PutCommand, QueryCommand, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Conflict, NotFound } from '#shared/domain/errors';
import type { Change, Page, Task, TaskPriority, TaskStatus } from '#shared/domain/model';
import { ulid } from 'ulid';
import { staleVersion, type StoredTask, type TaskListQuery, type TaskPorts, type TaskStorePort, type TrashedTask, type WalkKey } from '#shared/domain/tasks';
import { documentClient, tableName } from '#shared/store/client';
import { decodeCursor, encodeCursor, type ListKeyShape } from '#shared/store/cursor';
import { INDEX, keys } from '#shared/store/keys';
// The two functions alone, not the stores' objects, so a task bundle carries nothing else of those stores.
import { access } from '#shared/store/project-store';
import { settings } from '#shared/store/notification-store';

type Item = Record<string, unknown>;

export const TASK_ENTITY = 'Task';

/** Round trips one page may take to fill itself when filters drop items. */
export const MAX_QUERIES_PER_PAGE = 4;

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const strOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export const toTask = (item: Item): Task => ({
  id: str(item.id),
  projectId: strOrNull(item.projectId),
  title: str(item.title),
  description: strOrNull(item.description),
  status: item.status as TaskStatus,
  priority: item.priority as TaskPriority,
  dueAt: strOrNull(item.dueAt),
  tags: Array.isArray(item.tags) ? item.tags.map(String) : [],
  assigneeId: strOrNull(item.assigneeId),
  createdBy: str(item.createdBy),
  createdAt: str(item.createdAt),
  updatedAt: str(item.updatedAt),
  completedAt: strOrNull(item.completedAt),
  version: Number(item.version),
  reminders: Array.isArray(item.reminders) ? (item.reminders as Task['reminders']) : [],
  remindersVersion: Number(item.remindersVersion ?? 0),
  overdueAt: strOrNull(item.overdueAt),
});

const toStored = (item: Item): StoredTask => {
  const task = toTask(item);
  if (typeof item.deletedAt !== 'string') return { ...task, deletedAt: undefined };
  return { ...task, deletedAt: item.deletedAt, deletedBy: str(item.deletedBy), expiresAt: Number(item.expiresAt) };
};

/** The full item of a task (live or trashed), with its index attributes and the change that wrote it. */
export const taskItem = (task: Task | TrashedTask, change: Change): Item => {
  const deleted = 'deletedAt' in task && typeof task.deletedAt === 'string';
  return {
    ...keys.task(task.id),
    ...keys.taskIndex({ id: task.id, projectId: task.projectId, createdBy: task.createdBy, deleted }),
    ...keys.assigneeIndex({ id: task.id, assigneeId: task.assigneeId, dueAt: task.dueAt, deleted }),
    entity: TASK_ENTITY,
    id: task.id,
    projectId: task.projectId,
    title: task.title,
    description: task.description,
    status: task.status,
    priority: task.priority,
    dueAt: task.dueAt,
    tags: task.tags,
    assigneeId: task.assigneeId,
    createdBy: task.createdBy,
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
    completedAt: task.completedAt,
    version: task.version,
    reminders: task.reminders,
    remindersVersion: task.remindersVersion,
    overdueAt: task.overdueAt,
    ...(deleted && {
      deletedAt: (task as TrashedTask).deletedAt,
      deletedBy: (task as TrashedTask).deletedBy,
      expiresAt: (task as TrashedTask).expiresAt,
    }),
    modifiedBy: change.actorId,
    requestId: change.requestId,
  };
};

/** The item a failed condition saw (ReturnValuesOnConditionCheckFailure: ALL_OLD), unmarshalled. */
const oldItemOf = (error: ConditionalCheckFailedException): Item | undefined => {
  const raw = error.Item as Record<string, AttributeValue> | undefined;
  return raw ? unmarshall(raw) : undefined;
};

/**
 * A Put of the next state, conditioned on the version it replaces and on the trash state
 * (`inTrash`). A failed condition is told apart: no such item (or the wrong trash state) is a
 * NotFound, another version is a Conflict.
 */
const conditionalPut = async (item: Item, expectedVersion: number, inTrash: boolean): Promise<void> => {
  const input: PutCommandInput = {
    TableName: tableName(),
    Item: item,
    ConditionExpression: `#entity = :entity AND #version = :expected AND ${inTrash ? 'attribute_exists' : 'attribute_not_exists'}(#deletedAt)`,
    ExpressionAttributeNames: { '#entity': 'entity', '#version': 'version', '#deletedAt': 'deletedAt' },
    ExpressionAttributeValues: { ':entity': TASK_ENTITY, ':expected': expectedVersion },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
  try {
    await documentClient.send(new PutCommand(input));
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const old = oldItemOf(error);
    if (!old || old.entity !== TASK_ENTITY || (typeof old.deletedAt === 'string') !== inTrash) {
      throw new NotFound('task', inTrash ? 'Task not found in the trash.' : 'Task not found.');
    }
    throw staleVersion(Number(old.version));
  }
};

export const get = async (taskId: string): Promise<StoredTask | undefined> => {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: keys.task(taskId), ConsistentRead: true }));
  return Item && Item.entity === TASK_ENTITY ? toStored(Item) : undefined;
};

export const create = async (task: Task, change: Change): Promise<void> => {
  try {
    await documentClient.send(
      new PutCommand({ TableName: tableName(), Item: taskItem(task, change), ConditionExpression: 'attribute_not_exists(pk)' }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new Conflict('A task with this id already exists.');
    throw error;
  }
};

export const replace = (next: Task, expectedVersion: number, change: Change) => conditionalPut(taskItem(next, change), expectedVersion, false);
export const trash = (next: TrashedTask, expectedVersion: number, change: Change) => conditionalPut(taskItem(next, change), expectedVersion, false);
export const restore = (next: Task, expectedVersion: number, change: Change) => conditionalPut(taskItem(next, change), expectedVersion, true);

interface ListQuerySpec {
  IndexName: string;
  KeyConditionExpression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
  /** What this list's cursors look like. */
  cursor: ListKeyShape;
  ScanIndexForward: boolean;
}

/** The index and key condition of one list (docs/data-model.md, "Tasks"). */
const listSpec = ({ scope, filters }: TaskListQuery): ListQuerySpec => {
  if (scope.kind === 'assignee') {
    // Assigned to a user, soonest due first (undated last); the due range narrows the key range.
    const k = keys.tasksOfAssignee(scope.userId, { dueAfter: filters.dueAfter, dueBefore: filters.dueBefore });
    return {
      IndexName: INDEX.byAssignee,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      names: { '#pk': 'gsi2pk', '#sk': 'gsi2sk' },
      values: { ':pk': k.gsi2pk, ':from': k.gsi2skFrom, ':to': k.gsi2skTo },
      cursor: { partition: ['gsi2pk', k.gsi2pk], sortKey: ['gsi2sk', { from: k.gsi2skFrom, to: k.gsi2skTo }], attributes: ['pk', 'sk', 'gsi2pk', 'gsi2sk'] },
      ScanIndexForward: true,
    };
  }
  const k = scope.kind === 'project' ? keys.tasksOfProject(scope.projectId) : keys.privateTasksOf(scope.userId);
  return {
    IndexName: INDEX.byContainer,
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :skPrefix)',
    names: { '#pk': 'gsi1pk', '#sk': 'gsi1sk' },
    values: { ':pk': k.gsi1pk, ':skPrefix': k.gsi1skPrefix },
    cursor: { partition: ['gsi1pk', k.gsi1pk], sortKey: ['gsi1sk', k.gsi1skPrefix], attributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'] },
    // Newest first (task ids are ULIDs).
    ScanIndexForward: false,
  };
};

export const list = async (query: TaskListQuery): Promise<Page<Task>> => {
  const { filters } = query;
  const { IndexName, KeyConditionExpression, cursor, ScanIndexForward, ...spec } = listSpec(query);
  const names = { ...spec.names };
  const values = { ...spec.values };

  // Every other filter is a FilterExpression: it is applied after `Limit`, so a page can be short.
  const conditions: string[] = [];
  const equal = (attribute: string, value: string | undefined) => {
    if (value === undefined) return;
    names[`#${attribute}`] = attribute;
    values[`:${attribute}`] = value;
    conditions.push(`#${attribute} = :${attribute}`);
  };
  equal('status', filters.status);
  equal('priority', filters.priority);
  equal('assigneeId', filters.assigneeId);
  if (filters.tag !== undefined) {
    names['#tags'] = 'tags';
    values[':tag'] = filters.tag;
    conditions.push('contains(#tags, :tag)');
  }
  // Also applied on the assignee index, where they make the key range exact (undated tasks never match a due filter).
  if (filters.dueAfter !== undefined || filters.dueBefore !== undefined) names['#dueAt'] = 'dueAt';
  if (filters.dueAfter !== undefined) {
    values[':dueAfter'] = filters.dueAfter;
    conditions.push('#dueAt >= :dueAfter');
  }
  if (filters.dueBefore !== undefined) {
    values[':dueBefore'] = filters.dueBefore;
    conditions.push('#dueAt <= :dueBefore');
  }

  // A short page (filters drop items after `Limit` is applied) queries on from where it stopped, at
  // most MAX_QUERIES_PER_PAGE times, asking only for what is missing; the cursor is the last key read.
  const items: Task[] = [];
  let startKey = decodeCursor(query.cursor, cursor);
  for (let round = 0; round < MAX_QUERIES_PER_PAGE; round++) {
    const output = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName,
        KeyConditionExpression,
        ...(conditions.length > 0 && { FilterExpression: conditions.join(' AND ') }),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward,
        Limit: query.limit - items.length,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(output.Items ?? []).filter((item) => item.entity === TASK_ENTITY && item.deletedAt === undefined).map(toTask));
    startKey = output.LastEvaluatedKey as Record<string, string> | undefined;
    if (!startKey || items.length >= query.limit) break;
  }
  const nextCursor = encodeCursor(startKey);
  return nextCursor ? { items, nextCursor } : { items };
};

/** Items one walk of an assignee's tasks reads per Query (the walk runs in a queue consumer, not a request). */
const WALK_PAGE = 100;

/**
 * One page of the open tasks of a project assigned to a user: a Query on the assignee index (GSI2), filtered to the
 * project and to tasks not done. Trashed tasks are not in that index.
 */
export const openAssignedIn = async (userId: string, projectId: string, from?: WalkKey): Promise<{ items: Task[]; next?: WalkKey }> => {
  const k = keys.tasksOfAssignee(userId);
  const output = await documentClient.send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: INDEX.byAssignee,
      KeyConditionExpression: '#pk = :pk',
      FilterExpression: '#projectId = :projectId AND #status <> :done',
      ExpressionAttributeNames: { '#pk': 'gsi2pk', '#projectId': 'projectId', '#status': 'status' },
      ExpressionAttributeValues: { ':pk': k.gsi2pk, ':projectId': projectId, ':done': 'done' },
      Limit: WALK_PAGE,
      ExclusiveStartKey: from,
    }),
  );
  const items = (output.Items ?? []).filter((item) => item.entity === TASK_ENTITY && item.deletedAt === undefined).map(toTask);
  return output.LastEvaluatedKey ? { items, next: output.LastEvaluatedKey } : { items };
};

export const taskStore: TaskStorePort = { get, create, replace, trash, restore, list };

/** The ports the task use cases run on in the functions. */
export const taskPorts: TaskPorts = {
  tasks: taskStore,
  projects: { access },
  newId: ulid,
  defaultReminders: async (userId) => (await settings(userId)).defaultReminders,
};
