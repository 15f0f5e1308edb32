// What-if entry (bench only): a task-update schema in zod's classic API, to measure what the library alone weighs
// in a bundle next to the same schema in zod/mini (zod-mini.ts).
import * as z from 'zod';

export const UpdateTask = z
  .object({
    title: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(5000).nullable().optional(),
    status: z.enum(['todo', 'in_progress', 'done']).optional(),
    dueAt: z.iso.datetime({ offset: true }).nullable().optional(),
    tags: z.array(z.string().trim().toLowerCase().min(1).max(40)).max(20).optional(),
    version: z.number().int().min(1).optional(),
  })
  .strict();

export const handler = async (event: { body?: string }) => ({ statusCode: UpdateTask.safeParse(JSON.parse(event.body ?? '{}')).success ? 200 : 400 });
