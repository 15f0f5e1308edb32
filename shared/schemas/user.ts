// Request and response schemas of /v1/me.
// A namespace import lets esbuild drop what we don't use (zod's locales alone are ~260 KB).
import * as z from 'zod';
import { isTimeZone } from '#shared/domain/users';

const name = z.string().trim().min(1).max(100).meta({ description: 'Display name (1–100 characters)' });
const timezone = z
  .string()
  .min(1)
  .max(64)
  .refine(isTimeZone, { message: 'Unknown IANA time zone, e.g. Europe/Berlin' })
  .meta({ description: 'IANA time zone, e.g. Europe/Berlin' });
const version = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).meta({ description: 'The version you are updating (or send If-Match)' });

export const UpdateMeInput = z
  .object({ name: name.optional(), timezone: timezone.optional(), version: version.optional() })
  .strict()
  .refine((input) => input.name !== undefined || input.timezone !== undefined, { message: 'Send a name or a timezone to change', path: ['name'] })
  .meta({ id: 'UpdateMeInput', description: 'Change my name or time zone' });

export const UserProfileSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    timezone: z.string(),
    status: z.enum(['active', 'disabled']),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: z.number().int(),
  })
  .meta({ id: 'UserProfile', description: 'A user profile; its ETag is its version' });
