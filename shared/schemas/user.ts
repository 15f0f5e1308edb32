// Request and response schemas of /v1/me.
// zod/mini's functional API (shared/schemas/zod.ts): checks go in `.check(...)`, wrappers are functions.
import * as z from '#shared/schemas/zod';
import { integer, lineText, meta } from '#shared/schemas/helpers';
import { isTimeZone } from '#shared/domain/users';

const name = meta(lineText(1, 100), { description: 'Display name (1–100 characters, one line, no control or invisible formatting characters)' });
const timezone = meta(
  z.string().check(z.minLength(1), z.maxLength(64), z.refine(isTimeZone, { message: 'Unknown IANA time zone, e.g. Europe/Berlin' })),
  { description: 'IANA time zone, e.g. Europe/Berlin' },
);
const version = meta(integer().check(z.minimum(1), z.maximum(Number.MAX_SAFE_INTEGER)), { description: 'The version you are updating (or send If-Match)' });

export const UpdateMeInput = meta(
  z
    .strictObject({ name: z.optional(name), timezone: z.optional(timezone), version: z.optional(version) })
    .check(z.refine((input) => input.name !== undefined || input.timezone !== undefined, { message: 'Send a name or a timezone to change', path: ['name'] })),
  { id: 'UpdateMeInput', description: 'Change my name or time zone' },
);

export const UserProfileSchema = meta(
  z.object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    timezone: z.string(),
    status: z.enum(['active', 'disabled']),
    mfaEnabled: meta(z.boolean(), { description: 'Whether sign-in asks for a code from an authenticator app' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: integer(),
  }),
  { id: 'UserProfile', description: 'A user profile; its ETag is its version' },
);
