// Patterns the schema modules share, in zod/mini's functional style.
import * as z from '#shared/schemas/zod';

/**
 * Classic zod's `.meta(data)`: a copy of `schema` registered with `data` in zod's global registry,
 * which zod-openapi reads. A copy, so that a shared schema (`RoleSchema`, `count`) described once
 * more keeps its own id and description; the copy inherits its other metadata. (mini's `z.meta()`
 * check would stay in the schema's checks and register its id again on every later copy.)
 */
export const meta = <T extends z.ZodMiniType>(schema: T, data: z.core.GlobalMeta): T => {
  const described = schema.clone();
  z.globalRegistry.add(described, data);
  return described;
};

/** Classic `z.number().int()`: a number (a string is "expected number") that must be a safe integer. */
export const integer = () => z.number().check(z.int());

/** A query-string integer in [min, max], `fallback` when absent: query values arrive as strings, hence the coercion. */
export const queryInt = (min: number, max: number, fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max)), fallback);
