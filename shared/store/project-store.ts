// Projects and memberships on the single table. Keys come from keys.ts; items are mapped to the
// public domain shapes here, so no key or bookkeeping attribute ever leaves this module.
// docs/data-model.md describes every item, access pattern and write below.
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Conflict, NotFound, ValidationFailed } from '#shared/domain/errors';
import type { Change, Membership, Page, PageRequest, Project, Role } from '#shared/domain/model';
import type { OwnerChange, ProjectAccess, ProjectPatch, ProjectStorePort, ProjectView } from '#shared/domain/projects';
import { documentClient, tableName } from '#shared/store/client';
import { batchGetItems } from '#shared/store/batch-get';
import { INDEX, keys } from '#shared/store/keys';
import { decodeCursor, encodeCursor } from '#shared/store/cursor';

export type { ProjectAccess } from '#shared/domain/projects';

type Item = Record<string, unknown>;
type Key = Record<string, string>;

export const PROJECT_ENTITY = 'Project';
export const MEMBERSHIP_ENTITY = 'Membership';

/** A deleted project stays restorable (and a 404) for 30 days, then TTL removes it. */
export const PROJECT_TOMBSTONE_SECONDS = 30 * 24 * 60 * 60;
/** A removed membership is a tombstone just long enough for the stream to carry who removed it. */
export const MEMBERSHIP_TOMBSTONE_SECONDS = 24 * 60 * 60;

/** How many Query round trips one list page may take to fill itself past hidden (deleted) entries. */
const MAX_QUERIES_PER_PAGE = 4;

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const strOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const epochSeconds = (iso: string, plusSeconds: number): number => Math.floor(Date.parse(iso) / 1000) + plusSeconds;

export const toProject = (item: Item): Project => ({
  id: str(item.id),
  name: str(item.name),
  description: strOrNull(item.description),
  ownerId: str(item.ownerId),
  createdBy: str(item.createdBy),
  createdAt: str(item.createdAt),
  updatedAt: str(item.updatedAt),
  version: Number(item.version),
});

export const toMembership = (item: Item): Membership => ({
  projectId: str(item.projectId),
  userId: str(item.userId),
  role: item.role as Role,
  email: str(item.email),
  name: str(item.name),
  addedBy: str(item.addedBy),
  createdAt: str(item.createdAt),
  updatedAt: str(item.updatedAt),
  version: Number(item.version),
});

/** A project item that is live (not tombstoned). */
const isLiveProject = (item: Item | undefined): item is Item => !!item && item.entity === PROJECT_ENTITY && item.deletedAt === undefined;
/** A membership item that is live (a removed membership is a short-lived tombstone until its TTL deletes it). */
const isLiveMembership = (item: Item | undefined): item is Item => !!item && item.entity === MEMBERSHIP_ENTITY && item.deletedAt === undefined;

const stamp = (change: Change) => ({ modifiedBy: change.actorId, requestId: change.requestId });

/** Strongly consistent: access checks and lists must see a membership the moment it is written. */
const batchGet = (requestKeys: Key[]) => batchGetItems(requestKeys, { consistent: true });

/**
 * The caller's access to a project, in ONE request (BatchGetItem of the project and the membership):
 * undefined when the project does not exist, is deleted, or the user is not a member.
 */
export const access = async (projectId: string, userId: string): Promise<ProjectAccess | undefined> => {
  const projectKey = keys.project(projectId);
  const memberKey = keys.member(projectId, userId);
  const items = await batchGet([projectKey, memberKey]);
  const project = items.find((i) => i.sk === projectKey.sk);
  const membership = items.find((i) => i.sk === memberKey.sk);
  if (!isLiveProject(project) || !isLiveMembership(membership)) return undefined;
  return { project: toProject(project), membership: toMembership(membership) };
};

/**
 * The live project and which of `userIds` are its live members, in ONE request (BatchGetItem of the project and the
 * memberships, at most 99 users): undefined when the project does not exist or is deleted. For senders that must
 * check, at send time, who may still read a project's tasks.
 */
export const readers = async (projectId: string, userIds: readonly string[]): Promise<{ name: string; members: Set<string> } | undefined> => {
  const unique = [...new Set(userIds)].slice(0, 99);
  const projectKey = keys.project(projectId);
  const items = await batchGet([projectKey, ...unique.map((userId) => keys.member(projectId, userId))]);
  const project = items.find((i) => i.sk === projectKey.sk);
  if (!isLiveProject(project)) return undefined;
  const members = new Set(items.filter(isLiveMembership).map((m) => str(m.userId)));
  return { name: str(project.name), members };
};

// ---- cursors ----------------------------------------------------------------------------------

/**
 * Reads one page of a Query, skipping entries `keep` drops (deleted ones) and querying again while the
 * page is short, at most MAX_QUERIES_PER_PAGE times. The cursor is the last evaluated key.
 */
const queryPage = async <T>(
  input: Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>,
  page: PageRequest,
  startKey: Key | undefined,
  keep: (items: Item[]) => Promise<T[]> | T[],
): Promise<Page<T>> => {
  const items: T[] = [];
  let exclusiveStartKey: Record<string, unknown> | undefined = startKey;
  for (let round = 0; round < MAX_QUERIES_PER_PAGE && items.length < page.limit; round++) {
    const output = await documentClient.send(
      new QueryCommand({ ...input, TableName: tableName(), Limit: page.limit - items.length, ExclusiveStartKey: exclusiveStartKey }),
    );
    items.push(...(await keep((output.Items ?? []) as Item[])));
    exclusiveStartKey = output.LastEvaluatedKey;
    if (!exclusiveStartKey) break;
  }
  const nextCursor = encodeCursor(exclusiveStartKey);
  return nextCursor ? { items, nextCursor } : { items };
};

// ---- conditional-write failures -----------------------------------------------------------------

const oldImage = (item: Record<string, AttributeValue> | undefined): Item | undefined => (item ? (unmarshall(item) as Item) : undefined);

/** The items a cancelled transaction's conditions failed on, by position (undefined: that one passed). */
const cancelled = (error: unknown): Array<{ failed: boolean; item?: Item }> | undefined => {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reasons = error.CancellationReasons ?? [];
  // Another transaction was writing the same items at that instant: nothing was written; say so.
  if (reasons.some((reason) => reason.Code === 'TransactionConflict')) {
    throw new Conflict('Another change to this project was being made at the same time; nothing was changed. Retry.');
  }
  return reasons.map((reason) => ({ failed: reason.Code === 'ConditionalCheckFailed', item: oldImage(reason.Item) }));
};

const projectGone = () => new NotFound('project', 'Project not found.');
const memberGone = () => new NotFound('member', 'This user is not a member of the project.');
const staleProject = (item: Item) =>
  new Conflict(`The project has changed (current version ${String(item.version)}); reload it and apply your change again.`, { currentVersion: Number(item.version) });
const changedMember = (item: Item | undefined) =>
  !isLiveMembership(item)
    ? memberGone()
    : new Conflict(`The membership has changed (current version ${String(item.version)}); reload it and apply your change again.`, { currentVersion: Number(item.version) });

const liveProjectCondition = 'attribute_exists(pk) AND attribute_not_exists(deletedAt)';

// ---- the store ---------------------------------------------------------------------------------

const member = async (projectId: string, userId: string): Promise<Membership | undefined> => {
  const { Item: item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: keys.member(projectId, userId), ConsistentRead: true }));
  return isLiveMembership(item) ? toMembership(item) : undefined;
};

const projectItem = (project: Project, change: Change): Item => ({
  ...keys.project(project.id),
  entity: PROJECT_ENTITY,
  ...project,
  ownerCount: 1,
  ...stamp(change),
});

const membershipItem = (membership: Membership, change: Change): Item => ({
  ...keys.member(membership.projectId, membership.userId),
  ...keys.memberIndex(membership.projectId, membership.userId),
  entity: MEMBERSHIP_ENTITY,
  ...membership,
  ...stamp(change),
});

const create = async (project: Project, owner: Membership, change: Change): Promise<void> => {
  // Fresh ULID keys cannot collide in practice; a failed condition here is a bug, not a user error.
  await documentClient.send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: tableName(), Item: projectItem(project, change), ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { TableName: tableName(), Item: membershipItem(owner, change), ConditionExpression: 'attribute_not_exists(pk)' } },
      ],
    }),
  );
};

const update = async (projectId: string, expectedVersion: number, patch: ProjectPatch, change: Change): Promise<Project> => {
  const sets = ['updatedAt = :at', 'version = version + :one', 'modifiedBy = :by', 'requestId = :rid'];
  const values: Item = { ':at': change.at, ':one': 1, ':by': change.actorId, ':rid': change.requestId, ':expected': expectedVersion };
  const names: Record<string, string> = {};
  if (patch.name !== undefined) {
    sets.push('#name = :name');
    names['#name'] = 'name';
    values[':name'] = patch.name;
  }
  if (patch.description !== undefined) {
    sets.push('description = :description');
    values[':description'] = patch.description;
  }
  try {
    const { Attributes } = await documentClient.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.project(projectId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: `${liveProjectCondition} AND version = :expected`,
        ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return toProject(Attributes as Item);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      const item = oldImage(error.Item);
      throw isLiveProject(item) ? staleProject(item) : projectGone();
    }
    throw error;
  }
};

const remove = async (projectId: string, expectedVersion: number | undefined, change: Change): Promise<void> => {
  const values: Item = {
    ':at': change.at,
    ':one': 1,
    ':by': change.actorId,
    ':rid': change.requestId,
    ':expires': epochSeconds(change.at, PROJECT_TOMBSTONE_SECONDS),
  };
  if (expectedVersion !== undefined) values[':expected'] = expectedVersion;
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.project(projectId),
        UpdateExpression:
          'SET deletedAt = :at, deletedBy = :by, expiresAt = :expires, updatedAt = :at, version = version + :one, modifiedBy = :by, requestId = :rid',
        ConditionExpression: expectedVersion === undefined ? liveProjectCondition : `${liveProjectCondition} AND version = :expected`,
        ExpressionAttributeValues: values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      const item = oldImage(error.Item);
      throw isLiveProject(item) ? staleProject(item) : projectGone();
    }
    throw error;
  }
};

const projectsOf = async (userId: string, page: PageRequest): Promise<Page<ProjectView>> => {
  const list = keys.projectsOfUser(userId);
  const startKey = decodeCursor(page.cursor, {
    partition: ['gsi1pk', list.gsi1pk],
    sortKey: ['gsi1sk', list.gsi1skPrefix],
    attributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
  });
  return queryPage(
    {
      IndexName: INDEX.byContainer,
      KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
      ExpressionAttributeValues: { ':pk': list.gsi1pk, ':prefix': list.gsi1skPrefix },
    },
    page,
    startKey,
    async (memberships) => {
      const live = memberships.filter(isLiveMembership);
      if (live.length === 0) return [];
      const projects = await batchGet(live.map((m) => keys.project(str(m.projectId))));
      const byId = new Map(projects.filter(isLiveProject).map((p) => [str(p.id), p]));
      // Keep the index order (project ids are ULIDs: oldest first); skip deleted projects.
      return live.flatMap((m) => {
        const project = byId.get(str(m.projectId));
        return project ? [{ ...toProject(project), role: m.role as Role }] : [];
      });
    },
  );
};

const membersOf = async (projectId: string, page: PageRequest): Promise<Page<Membership>> => {
  const list = keys.membersOfProject(projectId);
  const startKey = decodeCursor(page.cursor, { partition: ['pk', list.pk], sortKey: ['sk', list.skPrefix], attributes: ['pk', 'sk'] });
  return queryPage(
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: 'attribute_not_exists(deletedAt)',
      ExpressionAttributeValues: { ':pk': list.pk, ':prefix': list.skPrefix },
      ConsistentRead: true,
    },
    page,
    startKey,
    (items) => items.filter(isLiveMembership).map(toMembership),
  );
};

/** The project half of an owner-count transaction: +1, or −1 kept ≥ 1 (optionally handing over ownerId). */
const ownerCountUpdate = (projectId: string, delta: 1 | -1, change: Change, newOwnerId?: string) => {
  const sets = ['ownerCount = ownerCount + :delta', 'modifiedBy = :by', 'requestId = :rid'];
  const values: Item = { ':delta': delta, ':by': change.actorId, ':rid': change.requestId };
  if (newOwnerId !== undefined) {
    // ownerId is part of the public representation: bump its version so ETags change.
    sets.push('ownerId = :owner', 'updatedAt = :at', 'version = version + :one');
    Object.assign(values, { ':owner': newOwnerId, ':at': change.at, ':one': 1 });
  }
  let condition = liveProjectCondition;
  if (delta < 0) {
    condition += ' AND ownerCount > :one';
    values[':one'] = 1;
  }
  return {
    Update: {
      TableName: tableName(),
      Key: keys.project(projectId),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: condition,
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    },
  };
};

const addMember = async (membership: Membership, change: Change): Promise<Membership> => {
  const put = {
    TableName: tableName(),
    Item: membershipItem(membership, change),
    // A removed member's tombstone may still be there: re-adding replaces it.
    ConditionExpression: 'attribute_not_exists(pk) OR attribute_exists(deletedAt)',
  };
  const alreadyMember = () => new Conflict('This user is already a member of the project.');
  try {
    if (membership.role === 'owner') {
      await documentClient.send(
        new TransactWriteCommand({ TransactItems: [{ Put: put }, ownerCountUpdate(membership.projectId, 1, change)] }),
      );
    } else {
      await documentClient.send(new PutCommand(put));
    }
    return membership;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw alreadyMember();
    const reasons = cancelled(error);
    if (reasons?.[0]?.failed) throw alreadyMember();
    if (reasons?.[1]?.failed) throw projectGone();
    throw error;
  }
};

const changeRole = async (
  target: Membership,
  to: Role,
  options: { expectedVersion: number; newOwnerId?: string },
  change: Change,
): Promise<OwnerChange<Membership>> => {
  const updateMembership = {
    TableName: tableName(),
    Key: keys.member(target.projectId, target.userId),
    UpdateExpression: 'SET #role = :to, updatedAt = :at, version = version + :one, modifiedBy = :by, requestId = :rid',
    ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deletedAt) AND version = :expected AND #role = :from',
    ExpressionAttributeNames: { '#role': 'role' },
    ExpressionAttributeValues: {
      ':to': to,
      ':from': target.role,
      ':at': change.at,
      ':one': 1,
      ':by': change.actorId,
      ':rid': change.requestId,
      ':expected': options.expectedVersion,
    },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
  const delta = target.role === to ? 0 : to === 'owner' ? 1 : target.role === 'owner' ? -1 : 0;
  const updated: Membership = { ...target, role: to, updatedAt: change.at, version: options.expectedVersion + 1 };
  try {
    if (delta === 0) {
      await documentClient.send(new UpdateCommand(updateMembership));
    } else {
      await documentClient.send(
        new TransactWriteCommand({
          TransactItems: [{ Update: updateMembership }, ownerCountUpdate(target.projectId, delta, change, delta < 0 ? options.newOwnerId : undefined)],
        }),
      );
    }
    return { ok: true, value: updated };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw changedMember(oldImage(error.Item));
    return ownerFailure(error);
  }
};

/** Maps a cancelled [membership, project] transaction to the domain's answer. */
const ownerFailure = (error: unknown): { ok: false; reason: 'last-owner' } => {
  const reasons = cancelled(error);
  if (!reasons) throw error;
  if (reasons[0]?.failed) throw changedMember(reasons[0].item);
  if (reasons[1]?.failed) {
    if (!isLiveProject(reasons[1].item)) throw projectGone();
    return { ok: false, reason: 'last-owner' };
  }
  throw error;
};

const removeMember = async (target: Membership, options: { newOwnerId?: string }, change: Change): Promise<OwnerChange<void>> => {
  // Not a DeleteItem: the stream's OLD image of a delete would not say who removed the member. The
  // membership becomes a tombstone (out of GSI1, filtered from reads) that TTL deletes a day later.
  const tombstone = {
    TableName: tableName(),
    Key: keys.member(target.projectId, target.userId),
    UpdateExpression:
      'SET deletedAt = :at, deletedBy = :by, expiresAt = :expires, updatedAt = :at, version = version + :one, modifiedBy = :by, requestId = :rid REMOVE gsi1pk, gsi1sk',
    ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deletedAt) AND #role = :role',
    ExpressionAttributeNames: { '#role': 'role' },
    ExpressionAttributeValues: {
      ':at': change.at,
      ':by': change.actorId,
      ':rid': change.requestId,
      ':one': 1,
      ':role': target.role,
      ':expires': epochSeconds(change.at, MEMBERSHIP_TOMBSTONE_SECONDS),
    },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
  try {
    if (target.role === 'owner') {
      await documentClient.send(
        new TransactWriteCommand({ TransactItems: [{ Update: tombstone }, ownerCountUpdate(target.projectId, -1, change, options.newOwnerId)] }),
      );
    } else {
      await documentClient.send(new UpdateCommand(tombstone));
    }
    return { ok: true, value: undefined };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw changedMember(oldImage(error.Item));
    return ownerFailure(error);
  }
};

const anotherOwner = async (projectId: string, excludingUserId: string): Promise<string | undefined> => {
  const list = keys.membersOfProject(projectId);
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        FilterExpression: 'attribute_not_exists(deletedAt) AND #role = :owner AND userId <> :me',
        ExpressionAttributeNames: { '#role': 'role' },
        ExpressionAttributeValues: { ':pk': list.pk, ':prefix': list.skPrefix, ':owner': 'owner', ':me': excludingUserId },
        ProjectionExpression: 'userId',
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    const found = output.Items?.[0];
    if (found) return str(found.userId);
    startKey = output.LastEvaluatedKey;
  } while (startKey);
  return undefined;
};

export const projectStore: ProjectStorePort = {
  access,
  member,
  create,
  update,
  remove,
  projectsOf,
  membersOf,
  addMember,
  changeRole,
  removeMember,
  anotherOwner,
};
