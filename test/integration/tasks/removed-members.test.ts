// A member's removal against DynamoDB Local: the removed-members consumer unassigns their open tasks in that project
// (walking the assignee index page by page), once however often the event comes; and the membership read the
// notification consumer makes at send time.
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Membership, Role, Task } from '#shared/domain/model';
import type { DomainEvent } from '#shared/events/schemas';
import { documentClient, tableName } from '#shared/store/client';
import { keys } from '#shared/store/keys';
import { projectStore, readers } from '#shared/store/project-store';
import { create } from '#shared/store/task-store';
import { handler } from '#functions/tasks/unassign-removed-member';

const context = { functionName: 'removed-members', awsRequestId: 'x', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const consume = handler as unknown as (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
const at = () => new Date().toISOString();

const membership = (projectId: string, userId: string, role: Role, addedBy: string): Membership => ({
  projectId, userId, role, email: `${userId}@example.com`, name: userId, addedBy, createdAt: at(), updatedAt: at(), version: 1,
});

const seedProject = async (owner: string, members: string[]): Promise<string> => {
  const projectId = ulid();
  const change = { actorId: owner, requestId: `seed-${projectId}`, at: at() };
  await projectStore.create(
    { id: projectId, name: 'Seeded', description: null, ownerId: owner, createdBy: owner, createdAt: at(), updatedAt: at(), version: 1 },
    membership(projectId, owner, 'owner', owner),
    change,
  );
  for (const userId of members) await projectStore.addMember(membership(projectId, userId, 'editor', owner), change);
  return projectId;
};

const seedTask = async (projectId: string, assigneeId: string, over: Partial<Task> = {}): Promise<Task> => {
  const task: Task = {
    id: ulid(), projectId, title: 't', description: null, status: 'todo', priority: 'medium', dueAt: null, tags: [], assigneeId, createdBy: assigneeId,
    createdAt: at(), updatedAt: at(), completedAt: null, version: 1, reminders: [], remindersVersion: 0, overdueAt: null, ...over,
  };
  await create(task, { actorId: assigneeId, requestId: 'seed', at: at() });
  return task;
};

const raw = async (taskId: string) => (await documentClient.send(new GetCommand({ TableName: tableName(), Key: keys.task(taskId), ConsistentRead: true }))).Item!;

const removedEvent = (projectId: string, userId: string, by: string, requestId: string): DomainEvent => ({
  id: `${randomUUID()}:MemberRemoved`, type: 'MemberRemoved', version: 1, occurredAt: at(), actor: { userId: by }, requestId,
  entity: { type: 'Membership', id: `${projectId}:${userId}` }, projectId, before: { projectId, userId, role: 'editor' }, after: null, changes: [],
});

let seq = 0;
const deliver = async (e: DomainEvent) => {
  const record = {
    messageId: `m-${++seq}`, receiptHandle: `rh-${seq}`, body: JSON.stringify({ version: '0', id: randomUUID(), 'detail-type': e.type, source: 'taskwell', detail: e }),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1', SenderId: 'events', ApproximateFirstReceiveTimestamp: '1' },
    messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:it-removed-members', awsRegion: 'us-east-1',
  } as SQSRecord;
  expect((await consume({ Records: [record] }, context)).batchItemFailures).toEqual([]);
};

describe('the removed-members consumer', () => {
  it("unassigns the member's open tasks in that project only, past a page of other entries, once", async () => {
    const [owner, bob] = [`u-${ulid()}`, `u-${ulid()}`];
    const project = await seedProject(owner, [bob]);
    const other = await seedProject(owner, [bob]);
    // 100+ dated entries of another project sort before the undated ones of this project: the walk needs two pages.
    const elsewhere = await Promise.all(Array.from({ length: 101 }, (_, i) => seedTask(other, bob, { dueAt: new Date(Date.now() + (i + 1) * 60_000).toISOString() })));
    const open = await Promise.all([seedTask(project, bob), seedTask(project, bob, { status: 'in_progress' })]);
    const done = await seedTask(project, bob, { status: 'done', completedAt: at() });

    await projectStore.removeMember((await projectStore.member(project, bob))!, {}, { actorId: owner, requestId: 'req-remove', at: at() });
    const event = removedEvent(project, bob, owner, 'req-remove');
    await deliver(event);
    await deliver(event);

    for (const task of open) {
      expect(await raw(task.id)).toMatchObject({ assigneeId: null, version: 2, modifiedBy: owner, requestId: 'req-remove' });
      expect((await raw(task.id)).gsi2pk).toBeUndefined();
    }
    expect(await raw(done.id)).toMatchObject({ assigneeId: bob, version: 1 });
    expect(await raw(elsewhere[100]!.id)).toMatchObject({ assigneeId: bob, version: 1 });
  });

  it('leaves the tasks of someone added back before it ran', async () => {
    const [owner, bob] = [`u-${ulid()}`, `u-${ulid()}`];
    const project = await seedProject(owner, [bob]);
    const task = await seedTask(project, bob);
    await deliver(removedEvent(project, bob, owner, 'req-remove'));
    expect(await raw(task.id)).toMatchObject({ assigneeId: bob, version: 1 });
  });
});

describe('who may still read a project, at send time', () => {
  it('answers the live project and which users are its members now, in one read', async () => {
    const [owner, bob, carol, stranger] = [`u-${ulid()}`, `u-${ulid()}`, `u-${ulid()}`, `u-${ulid()}`];
    const project = await seedProject(owner, [bob, carol]);
    await projectStore.removeMember((await projectStore.member(project, bob))!, {}, { actorId: owner, requestId: 'r', at: at() });
    const found = await readers(project, [bob, carol, stranger, owner]);
    expect(found?.name).toBe('Seeded');
    expect([...(found?.members ?? [])].sort()).toEqual([carol, owner].sort());
    await projectStore.remove(project, undefined, { actorId: owner, requestId: 'r2', at: at() });
    expect(await readers(project, [carol, owner])).toBeUndefined();
  });
});
