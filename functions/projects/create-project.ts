import { ulid } from 'ulid';
import { http } from '#shared/http/handler';
import { idempotency } from '#shared/http/idempotency';
import { etag } from '#shared/http/versions';
import { CreateProjectInput } from '#shared/schemas/project';
import { changeOf, createProject } from '#shared/domain/projects';
import { projectStore } from '#shared/store/project-store';
import { userStore } from '#shared/store/user-store';

export const handler = http({ body: CreateProjectInput, use: [idempotency('create-project')] }, async ({ body, caller, requestId }) => {
  const project = await createProject({ projects: projectStore, users: userStore, newId: ulid }, caller, body, changeOf(caller, requestId));
  return { status: 201, body: project, headers: { etag: etag(project.version), location: `/v1/projects/${project.id}` } };
});
