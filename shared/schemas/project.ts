// Request and response schemas of the projects context: validation in the handlers, and the
// OpenAPI document, from the same zod definitions.
// A namespace import lets esbuild drop what we don't use (zod's locales alone are ~260 KB).
import * as z from 'zod';
import { ROLES } from '#shared/domain/model';

const id = (what: string) => z.string().min(1).max(64).meta({ description: `The ${what}'s id` });
const name = z.string().trim().min(1).max(100).meta({ description: 'Project name (1–100 characters)' });
const description = z.string().max(2000).nullable().meta({ description: 'Free text (up to 2000 characters); null clears it' });
const version = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).meta({ description: 'The version you are updating (or send If-Match)' });
export const RoleSchema = z.enum(ROLES).meta({ id: 'Role', description: 'owner: manages the project and its members; editor: changes tasks; viewer: reads' });

// ---- requests ----

export const CreateProjectInput = z
  .object({ name, description: description.optional() })
  .strict()
  .meta({ id: 'CreateProjectInput', description: 'A new project; the caller becomes its owner' });

export const UpdateProjectInput = z
  .object({ name: name.optional(), description: description.optional(), version: version.optional() })
  .strict()
  .refine((input) => input.name !== undefined || input.description !== undefined, {
    message: 'Send a name or a description to change',
    path: ['name'],
  })
  .meta({ id: 'UpdateProjectInput', description: 'Rename or describe a project (owners)' });

export const AddMemberInput = z
  .object({ email: z.email().max(254).meta({ description: "The new member's account email" }), role: RoleSchema })
  .strict()
  .meta({ id: 'AddMemberInput', description: 'Add an existing account to the project (owners)' });

export const UpdateMemberInput = z
  .object({ role: RoleSchema, version: version.optional() })
  .strict()
  .meta({ id: 'UpdateMemberInput', description: "Change a member's role (owners)" });

export const ProjectParams = z.object({ projectId: id('project') }).strict();
export const MemberParams = z.object({ projectId: id('project'), userId: id('member') }).strict();

export const PageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20).meta({ description: 'Page size, 1–100 (default 20)' }),
    cursor: z.string().min(1).max(2048).optional().meta({ description: 'The nextCursor of the previous page' }),
  })
  .strict()
  .meta({ id: 'PageQuery' });

// ---- responses ----

export const ProjectSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    ownerId: z.string(),
    createdBy: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: z.number().int(),
    role: RoleSchema.meta({ description: "The caller's role in the project" }),
  })
  .meta({ id: 'Project', description: 'A project, as one of its members sees it' });

export const ProjectPage = z
  .object({ items: z.array(ProjectSchema), nextCursor: z.string().optional() })
  .meta({ id: 'ProjectPage', description: 'Projects I belong to; pass nextCursor to get the next page' });

export const MembershipSchema = z
  .object({
    projectId: z.string(),
    userId: z.string(),
    role: RoleSchema,
    email: z.string(),
    name: z.string(),
    addedBy: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: z.number().int(),
  })
  .meta({ id: 'Membership', description: "A member of a project and their role" });

export const MemberPage = z
  .object({ items: z.array(MembershipSchema), nextCursor: z.string().optional() })
  .meta({ id: 'MemberPage', description: 'Members of a project; pass nextCursor to get the next page' });
