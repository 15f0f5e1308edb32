// EventBridge event-pattern matching (content filtering), for the local runtime. Pure: no AWS imports.
// No faithful matcher exists on npm (DESIGN.md), so this follows the documented semantics:
// "Amazon EventBridge event patterns" and "Content filtering in Amazon EventBridge event patterns".
// docs/eventbridge-matcher.md lists what is covered.

export type EventPattern = { [key: string]: unknown };

const OPERATORS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric', 'exists', 'wildcard', 'cidr']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export class InvalidPatternError extends Error {}

// ---- leaf matchers --------------------------------------------------------------------------

const wildcardRegex = (glob: string): RegExp => {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '\\' && i + 1 < glob.length) source += (glob[++i] as string).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else if (char === '*') source += '.*';
    else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
};

const ipv4 = (value: string): number | undefined => {
  const parts = value.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
};

const inCidr = (cidr: string, value: unknown): boolean => {
  if (typeof value !== 'string') return false;
  const [network, bitsText] = cidr.split('/');
  const base = ipv4(network ?? '');
  const address = ipv4(value);
  const bits = Number(bitsText ?? 32);
  if (base === undefined || address === undefined) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(address / size) === Math.floor(base / size);
};

const prefixMatch = (spec: unknown, value: unknown): boolean => {
  if (typeof value !== 'string') return false;
  if (typeof spec === 'string') return value.startsWith(spec);
  if (isObject(spec) && typeof spec['equals-ignore-case'] === 'string') return value.toLowerCase().startsWith(spec['equals-ignore-case'].toLowerCase());
  return false;
};

const suffixMatch = (spec: unknown, value: unknown): boolean => {
  if (typeof value !== 'string') return false;
  if (typeof spec === 'string') return value.endsWith(spec);
  if (isObject(spec) && typeof spec['equals-ignore-case'] === 'string') return value.toLowerCase().endsWith(spec['equals-ignore-case'].toLowerCase());
  return false;
};

const numericMatch = (spec: unknown[], value: unknown): boolean => {
  if (typeof value !== 'number') return false;
  for (let i = 0; i < spec.length; i += 2) {
    const op = spec[i];
    const bound = spec[i + 1] as number;
    const ok =
      op === '=' ? value === bound : op === '<' ? value < bound : op === '<=' ? value <= bound : op === '>' ? value > bound : op === '>=' ? value >= bound : false;
    if (!ok) return false;
  }
  return true;
};

const exactMatch = (expected: unknown, value: unknown): boolean => {
  // Type-sensitive: "5" does not match 5; numbers compare by value (5 matches 5.0).
  if (expected === null) return value === null;
  return typeof expected === typeof value && expected === value;
};

const anythingBut = (spec: unknown, value: unknown): boolean => {
  if (value === undefined) return false;
  if (Array.isArray(spec)) return !spec.some((s) => exactMatch(s, value));
  if (isObject(spec)) {
    if ('prefix' in spec) return typeof value === 'string' && !prefixMatch(spec.prefix, value);
    if ('suffix' in spec) return typeof value === 'string' && !suffixMatch(spec.suffix, value);
    if ('equals-ignore-case' in spec) {
      if (typeof value !== 'string') return false;
      const list = ([] as unknown[]).concat(spec['equals-ignore-case']);
      return !list.some((s) => typeof s === 'string' && s.toLowerCase() === value.toLowerCase());
    }
    if ('wildcard' in spec) {
      if (typeof value !== 'string') return false;
      return !([] as unknown[]).concat(spec.wildcard).some((g) => typeof g === 'string' && wildcardRegex(g).test(value));
    }
    return false;
  }
  return !exactMatch(spec, value);
};

/** One element of a leaf array against one (non-array) event value. */
const leafMatch = (matcher: unknown, value: unknown): boolean => {
  if (!isObject(matcher)) return value !== undefined && exactMatch(matcher, value);
  const [operator, spec] = Object.entries(matcher)[0] ?? [];
  switch (operator) {
    case 'prefix':
      return prefixMatch(spec, value);
    case 'suffix':
      return suffixMatch(spec, value);
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof spec === 'string' && value.toLowerCase() === spec.toLowerCase();
    case 'anything-but':
      return anythingBut(spec, value);
    case 'numeric':
      return numericMatch(spec as unknown[], value);
    case 'wildcard':
      return typeof value === 'string' && typeof spec === 'string' && wildcardRegex(spec).test(value);
    case 'cidr':
      return inCidr(String(spec), value);
    default:
      return false;
  }
};

/** A leaf array: OR over its matchers; an array in the event matches if any element does. */
const leafArrayMatch = (matchers: unknown[], value: unknown): boolean => {
  const values = Array.isArray(value) ? value : [value];
  return matchers.some((matcher) => {
    if (isObject(matcher) && 'exists' in matcher) {
      const present = value !== undefined && !(Array.isArray(value) && value.length === 0);
      return matcher.exists === present;
    }
    if (isObject(matcher) && 'anything-but' in matcher && Array.isArray(value)) {
      // anything-but on an array field: some element must be outside the excluded set.
      return value.some((v) => leafMatch(matcher, v));
    }
    return values.some((v) => leafMatch(matcher, v));
  });
};

// ---- structure ------------------------------------------------------------------------------

const matchObject = (pattern: EventPattern, event: unknown): boolean => {
  for (const [key, expected] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!(expected as EventPattern[]).some((branch) => matchObject(branch, event))) return false;
      continue;
    }
    const value = isObject(event) ? event[key] : undefined;
    if (Array.isArray(expected)) {
      if (!leafArrayMatch(expected, value)) return false;
    } else if (isObject(expected)) {
      // Arrays of objects in the event are flattened: any element may satisfy the nested pattern.
      const candidates = Array.isArray(value) ? value : [value];
      if (!candidates.some((candidate) => matchObject(expected, candidate ?? {}))) {
        // A nested pattern of only `exists: false` leaves matches a missing object too.
        if (!(value === undefined && matchObject(expected, {}))) return false;
      }
    } else {
      return false;
    }
  }
  return true;
};

/** Does `event` (the full EventBridge envelope: source, detail-type, detail, …) match `pattern`? */
export const matches = (pattern: EventPattern, event: Record<string, unknown>): boolean => matchObject(pattern, event);

// ---- validation (what PutRule refuses) ------------------------------------------------------

const fail = (path: string, message: string): never => {
  throw new InvalidPatternError(`Event pattern is not valid at ${path || '<root>'}: ${message}`);
};

const validateNumeric = (spec: unknown, path: string) => {
  if (!Array.isArray(spec) || spec.length === 0 || spec.length > 4 || spec.length % 2 !== 0) fail(path, 'numeric takes one or two [operator, number] pairs');
  const pairs = spec as unknown[];
  for (let i = 0; i < pairs.length; i += 2) {
    if (!['=', '<', '<=', '>', '>='].includes(pairs[i] as string)) fail(path, `unknown numeric operator ${JSON.stringify(pairs[i])}`);
    if (typeof pairs[i + 1] !== 'number' || !Number.isFinite(pairs[i + 1] as number)) fail(path, 'numeric bounds must be numbers');
  }
  if (pairs.length === 4) {
    const [op1, lo, op2, hi] = pairs as [string, number, string, number];
    if (!['>', '>='].includes(op1) || !['<', '<='].includes(op2) || lo >= hi) fail(path, 'a numeric range is [">"|">=", low, "<"|"<=", high] with low < high');
  }
};

const validateLeaf = (matcher: unknown, path: string) => {
  if (!isObject(matcher)) {
    if (['string', 'number', 'boolean'].includes(typeof matcher) || matcher === null) return;
    fail(path, 'leaf values must be strings, numbers, booleans, null or operator objects');
  }
  const entries = Object.entries(matcher as Record<string, unknown>);
  if (entries.length !== 1) fail(path, 'an operator object has exactly one operator');
  const [operator, spec] = entries[0]!;
  if (!OPERATORS.has(operator)) fail(path, `unknown operator "${operator}"`);
  if (operator === 'exists' && typeof spec !== 'boolean') fail(path, 'exists takes true or false');
  if (operator === 'numeric') validateNumeric(spec, path);
  if ((operator === 'prefix' || operator === 'suffix') && typeof spec !== 'string' && !(isObject(spec) && typeof spec['equals-ignore-case'] === 'string')) {
    fail(path, `${operator} takes a string or {"equals-ignore-case": string}`);
  }
  if ((operator === 'equals-ignore-case' || operator === 'wildcard' || operator === 'cidr') && typeof spec !== 'string') fail(path, `${operator} takes a string`);
  if (operator === 'wildcard' && /\*\*/.test(String(spec).replace(/\\./g, ''))) fail(path, 'consecutive wildcard characters are not allowed');
  if (operator === 'anything-but' && isObject(spec)) {
    const [inner] = Object.keys(spec);
    if (Object.keys(spec).length !== 1 || !['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(inner ?? '')) fail(path, 'anything-but takes a value, a list, or one of prefix/suffix/equals-ignore-case/wildcard');
  }
};

/** Throws InvalidPatternError for a pattern PutRule would reject. */
export const validatePattern = (pattern: unknown, path = ''): void => {
  if (!isObject(pattern)) fail(path, 'a pattern is a JSON object');
  for (const [key, value] of Object.entries(pattern as Record<string, unknown>)) {
    const here = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2) fail(here, '$or takes an array of at least two patterns');
      (value as unknown[]).forEach((branch, i) => validatePattern(branch, `${here}[${i}]`));
    } else if (Array.isArray(value)) {
      if (value.length === 0) fail(here, 'a leaf array must not be empty');
      value.forEach((matcher) => validateLeaf(matcher, here));
    } else if (isObject(value)) {
      validatePattern(value, here);
    } else {
      fail(here, 'match values must be in an array');
    }
  }
};
