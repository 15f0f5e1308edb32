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

/** The instants an API date-time may name: UTC years 0000–9999, the range an ISO 8601 string with a 4-digit year can hold. */
const EARLIEST = Date.parse('0000-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * Every date-time the API accepts (dueAt, list and audit ranges): ISO 8601 with `Z` or an offset, whose UTC
 * instant has a 4-digit year. `9999-12-31T23:59:59-23:59` is year 10000 in UTC: refused, as it would be stored
 * as `+010000-…` (which sorts before every other date) and could not be scheduled.
 */
export const dateTime = () =>
  z.iso.datetime({ offset: true }).check(
    z.refine(
      (value: string) => {
        const at = Date.parse(value);
        return at >= EARLIEST && at <= LATEST;
      },
      { message: 'Must fall within the years 0000–9999 in UTC' },
    ),
  );

/**
 * Characters no user text may hold: C0 controls and DEL/C1 (`\p{Cc}`), lone surrogates (`\p{Cs}`), line and
 * paragraph separators, and invisible format characters (`\p{Cf}`: bidi overrides, embeddings and isolates,
 * LRM/RLM, zero-width space, soft hyphen, BOM, tag characters) that let a title or name read differently from
 * what it is, in the console or in an email. Zero-width (non-)joiners stay: emoji sequences and several scripts
 * need them. Multi-line text (descriptions) may also hold line feeds and tabs.
 */
const UNSAFE_LINE = /(?![\u200C\u200D])[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u;
const UNSAFE_MULTILINE = /(?![\n\t\u200C\u200D])[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u;

const codePoint = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** The check every user-supplied text field takes (titles, names, descriptions, tags, search strings). */
export const safeText = ({ multiline = false }: { multiline?: boolean } = {}) =>
  z.superRefine((value: string, ctx) => {
    const found = (multiline ? UNSAFE_MULTILINE : UNSAFE_LINE).exec(value);
    if (!found) return;
    const allowed = multiline ? 'line breaks and tabs are fine' : 'no line breaks or tabs';
    ctx.addIssue({ code: 'custom', input: value, message: `Contains ${codePoint(found[0])}: no control or invisible formatting characters (${allowed})` });
  });

/**
 * A single-line text field: trimmed, `min`–`max` characters, {@link safeText}.
 */
export const lineText = (min: number, max: number) => z.string().check(z.trim(), z.minLength(min), z.maxLength(max), safeText());

/** A multi-line text field (descriptions): CRLF and CR become LF, at most `max` characters, {@link safeText} with line breaks. */
export const multilineText = (max: number) =>
  z.string().check(
    z.overwrite((value: string) => value.replace(/\r\n?/g, '\n')),
    z.maxLength(max),
    safeText({ multiline: true }),
  );
