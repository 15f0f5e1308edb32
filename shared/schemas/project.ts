// Request and response schemas of the projects context: validation in the handlers, and the
// OpenAPI document, from the same zod definitions.
// zod/mini's functional API (shared/schemas/zod.ts): checks go in `.check(...)`, wrappers are functions.
import * as z from '#shared/schemas/zod';
import { integer, lineText, meta, multilineText, queryInt } from '#shared/schemas/helpers';
import { ROLES } from '#shared/domain/model';

const id = (what: string) => meta(z.string().check(z.minLength(1), z.maxLength(64)), { description: `The ${what}'s id` });
const name = meta(lineText(1, 100), { description: 'Project name (1–100 characters, one line, no control or invisible formatting characters)' });
const description = meta(z.nullable(multilineText(2000)), {
  description: 'Free text (up to 2000 characters; line breaks and tabs, no other control or invisible formatting characters); null clears it',
});
const version = meta(integer().check(z.minimum(1), z.maximum(Number.MAX_SAFE_INTEGER)), { description: 'The version you are updating (or send If-Match)' });
export const RoleSchema = meta(z.enum(ROLES), { id: 'Role', description: 'owner: manages the project and its members; editor: changes tasks; viewer: reads' });

// ---- requests ----

export const CreateProjectInput = meta(z.strictObject({ name, description: z.optional(description) }), {
  id: 'CreateProjectInput',
  description: 'A new project; the caller becomes its owner',
});

export const UpdateProjectInput = meta(
  z.strictObject({ name: z.optional(name), description: z.optional(description), version: z.optional(version) }).check(
    z.refine((input) => input.name !== undefined || input.description !== undefined, {
      message: 'Send a name or a description to change',
      path: ['name'],
    }),
  ),
  { id: 'UpdateProjectInput', description: 'Rename or describe a project (owners)' },
);

export const AddMemberInput = meta(
  z.strictObject({ email: meta(z.email().check(z.maxLength(254)), { description: "The new member's account email" }), role: RoleSchema }),
  { id: 'AddMemberInput', description: 'Add an existing account to the project (owners)' },
);

export const UpdateMemberInput = meta(z.strictObject({ role: RoleSchema, version: z.optional(version) }), {
  id: 'UpdateMemberInput',
  description: "Change a member's role (owners)",
});

export const ProjectParams = z.strictObject({ projectId: id('project') });
export const MemberParams = z.strictObject({ projectId: id('project'), userId: id('member') });

export const PageQuery = meta(
  z.strictObject({
    limit: meta(queryInt(1, 100, 20), { description: 'Page size, 1–100 (default 20)' }),
    cursor: meta(z.optional(z.string().check(z.minLength(1), z.maxLength(2048))), { description: 'The nextCursor of the previous page' }),
  }),
  { id: 'PageQuery' },
);

// ---- responses ----

export const ProjectSchema = meta(
  z.object({
    id: z.string(),
    name: z.string(),
    description: z.nullable(z.string()),
    ownerId: z.string(),
    createdBy: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: integer(),
    role: meta(RoleSchema, { description: "The caller's role in the project" }),
  }),
  { id: 'Project', description: 'A project, as one of its members sees it' },
);

export const ProjectPage = meta(z.object({ items: z.array(ProjectSchema), nextCursor: z.optional(z.string()) }), {
  id: 'ProjectPage',
  description: 'Projects I belong to; pass nextCursor to get the next page',
});

export const MembershipSchema = meta(
  z.object({
    projectId: z.string(),
    userId: z.string(),
    role: RoleSchema,
    email: z.string(),
    name: z.string(),
    addedBy: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: integer(),
  }),
  { id: 'Membership', description: 'A member of a project and their role' },
);

export const MemberPage = meta(z.object({ items: z.array(MembershipSchema), nextCursor: z.optional(z.string()) }), {
  id: 'MemberPage',
  description: 'Members of a project; pass nextCursor to get the next page',
});
