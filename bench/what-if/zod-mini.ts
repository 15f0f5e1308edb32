// What-if entry (bench only): the schema of zod-classic.ts in zod/mini's functional, tree-shakable API.
import * as z from 'zod/mini';

export const UpdateTask = z.strictObject({
  title: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))),
  description: z.optional(z.nullable(z.string().check(z.maxLength(5000)))),
  status: z.optional(z.enum(['todo', 'in_progress', 'done'])),
  dueAt: z.optional(z.nullable(z.iso.datetime({ offset: true }))),
  tags: z.optional(z.array(z.string().check(z.trim(), z.toLowerCase(), z.minLength(1), z.maxLength(40))).check(z.maxLength(20))),
  version: z.optional(z.int().check(z.minimum(1))),
});

export const handler = async (event: { body?: string }) => ({ statusCode: UpdateTask.safeParse(JSON.parse(event.body ?? '{}')).success ? 200 : 400 });
