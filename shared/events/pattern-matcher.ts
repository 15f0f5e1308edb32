// EventBridge event-pattern matching (content filtering), for the local runtime. Pure: no AWS imports.
// No faithful matcher exists on npm, so this follows the EventBridge user guide: "Creating
// event patterns" / "Event pattern syntax", "Comparison operators for use in event patterns" (content
// filtering), "Arrays in event patterns", "Matching null values and empty strings", and the README of
// aws/event-ruler (the engine EventBridge runs) where the guide is terse. docs/eventbridge-matcher.md
// lists what is covered and the known gaps.

export type EventPattern = { [key: string]: unknown };

export class InvalidPatternError extends Error {
  override name = 'InvalidPatternError';
}

/**
 * A JSON number as it was written. The guide: "For numbers, EventBridge uses string representation.
 * For example, 300, 300.0, and 3.0e2 are not considered equal" (exact matching); numeric operators
 * compare values. `parseEventJson` keeps number lexemes in these; plain JS numbers compare by their
 * JSON.stringify form.
 */
export class JsonNumber {
  constructor(readonly text: string) {}
  get value(): number {
    return Number(this.text);
  }
  toJSON(): number {
    return this.value;
  }
}

const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber);

const isNumber = (value: unknown): value is number | JsonNumber => typeof value === 'number' || value instanceof JsonNumber;
const numberValue = (value: number | JsonNumber): number => (typeof value === 'number' ? value : value.value);
const numberText = (value: number | JsonNumber): string => (typeof value === 'number' ? JSON.stringify(value) : value.text);

// ---- JSON with number lexemes ---------------------------------------------------------------

/** JSON.parse, except that numbers become JsonNumber (their text kept), so exact matching is faithful. */
export const parseEventJson = (text: string): unknown => {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${i}`);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const out: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') return i++, out;
      for (;;) {
        ws();
        if (text[i] !== '"') fail('Expected a property name');
        const key = string();
        ws();
        if (text[i++] !== ':') fail('Expected ":"');
        Object.defineProperty(out, key, { value: value(), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return i++, out;
        else fail('Expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const out: unknown[] = [];
      ws();
      if (text[i] === ']') return i++, out;
      for (;;) {
        out.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return i++, out;
        else fail('Expected "," or "]"');
      }
    }
    if (c === '"') return string();
    for (const [word, literal] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) return (i += word.length), literal;
    }
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!match) fail('Unexpected token');
    i += match![0].length;
    return new JsonNumber(match![0]);
  };
  const string = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('Unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const result = value();
  ws();
  if (i !== text.length) fail('Unexpected data after JSON');
  return result;
};

// ---- leaf matchers --------------------------------------------------------------------------

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** `*` matches any run of characters; `\*` is a literal star and `\\` a literal backslash. */
const wildcardRegex = (glob: string): RegExp => {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '\\') source += escapeRegex(glob[++i] ?? '');
    else if (char === '*') source += '.*';
    else source += escapeRegex(char);
  }
  return new RegExp(`^${source}$`, 's');
};

const parseIpv4 = (text: string): bigint | undefined => {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256n + BigInt(p), 0n);
};

const parseIpv6 = (text: string): bigint | undefined => {
  if (!/^[0-9a-fA-F:]+$/.test(text) || text.split('::').length > 2) return undefined;
  const [head = '', tail] = text.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const all = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return all.reduce((n, g) => n * 65536n + BigInt(parseInt(g, 16)), 0n);
};

const parseAddress = (text: string): { bits: number; value: bigint } | undefined => {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { bits: 32, value: v4 };
  const v6 = parseIpv6(text);
  return v6 === undefined ? undefined : { bits: 128, value: v6 };
};

const parseCidr = (cidr: string): { bits: number; value: bigint; prefix: number } | undefined => {
  const [network = '', prefixText, extra] = cidr.split('/');
  const address = parseAddress(network);
  if (!address || extra !== undefined) return undefined;
  const prefix = prefixText === undefined ? address.bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= address.bits)) return undefined;
  return { ...address, prefix };
};

const inCidr = (cidr: string, value: unknown): boolean => {
  const network = parseCidr(cidr);
  const address = typeof value === 'string' ? parseAddress(value) : undefined;
  if (!network || !address || address.bits !== network.bits) return false;
  const shift = BigInt(network.bits - network.prefix);
  return address.value >> shift === network.value >> shift;
};

const lower = (s: string) => s.toLowerCase();

const prefixMatch = (spec: unknown, value: unknown): boolean => {
  if (typeof value !== 'string') return false;
  if (typeof spec === 'string') return value.startsWith(spec);
  return isJsonObject(spec) && typeof spec['equals-ignore-case'] === 'string' && lower(value).startsWith(lower(spec['equals-ignore-case']));
};

const suffixMatch = (spec: unknown, value: unknown): boolean => {
  if (typeof value !== 'string') return false;
  if (typeof spec === 'string') return value.endsWith(spec);
  return isJsonObject(spec) && typeof spec['equals-ignore-case'] === 'string' && lower(value).endsWith(lower(spec['equals-ignore-case']));
};

const numericMatch = (spec: unknown[], value: unknown): boolean => {
  if (!isNumber(value)) return false;
  const n = numberValue(value);
  for (let i = 0; i < spec.length; i += 2) {
    const op = spec[i];
    const bound = spec[i + 1];
    if (!isNumber(bound)) return false;
    const b = numberValue(bound);
    const ok = op === '=' ? n === b : op === '<' ? n < b : op === '<=' ? n <= b : op === '>' ? n > b : op === '>=' ? n >= b : false;
    if (!ok) return false;
  }
  return true;
};

/** Exact match: type-sensitive ("5" ≠ 5), strings character by character, numbers by their JSON text. */
const exactMatch = (expected: unknown, value: unknown): boolean => {
  if (expected === null) return value === null;
  if (isNumber(expected)) return isNumber(value) && numberText(value) === numberText(expected);
  return typeof expected === typeof value && expected === value;
};

const asList = (spec: unknown): unknown[] => (Array.isArray(spec) ? spec : [spec]);

/**
 * anything-but matches every leaf value except the ones described (a value, a list, or a nested
 * prefix/suffix/equals-ignore-case/wildcard); a value of another type is "anything but" those, so it
 * matches. A missing field has no value, so anything-but never matches it.
 */
const anythingBut = (spec: unknown, value: unknown): boolean => {
  if (!isJsonObject(spec)) return !asList(spec).some((s) => exactMatch(s, value));
  if (typeof value !== 'string') return true;
  if ('prefix' in spec) return !prefixMatch(spec.prefix, value);
  if ('suffix' in spec) return !suffixMatch(spec.suffix, value);
  if ('equals-ignore-case' in spec) return !asList(spec['equals-ignore-case']).some((s) => typeof s === 'string' && lower(s) === lower(value));
  if ('wildcard' in spec) return !asList(spec.wildcard).some((g) => typeof g === 'string' && wildcardRegex(g).test(value));
  return false;
};

/** One matcher of a leaf array against one leaf value of the event. */
const leafMatch = (matcher: unknown, value: unknown): boolean => {
  if (!isJsonObject(matcher)) return exactMatch(matcher, value);
  const [operator, spec] = Object.entries(matcher)[0] ?? [];
  switch (operator) {
    case 'prefix':
      return prefixMatch(spec, value);
    case 'suffix':
      return suffixMatch(spec, value);
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof spec === 'string' && lower(value) === lower(spec);
    case 'anything-but':
      return anythingBut(spec, value);
    case 'numeric':
      return Array.isArray(spec) && numericMatch(spec, value);
    case 'wildcard':
      return typeof value === 'string' && typeof spec === 'string' && wildcardRegex(spec).test(value);
    case 'cidr':
      return typeof spec === 'string' && inCidr(spec, value);
    default:
      return false;
  }
};

/**
 * The leaf values of an event field: a scalar (string, number, boolean, null) is one; an array
 * contributes each of its (nested) scalar elements; an object is an intermediate node, not a leaf.
 */
const leafValues = (value: unknown): unknown[] => {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap(leafValues);
  return isJsonObject(value) ? [] : [value];
};

/** The objects under an event field, for a nested pattern: arrays of objects are flattened. */
const objectValues = (value: unknown): Record<string, unknown>[] => {
  if (Array.isArray(value)) return value.flatMap(objectValues);
  return isJsonObject(value) ? [value] : [];
};

/** A leaf array: OR over its matchers; the field matches if any of its leaf values does. */
const leafArrayMatch = (matchers: unknown[], value: unknown): boolean => {
  const values = leafValues(value);
  return matchers.some((matcher) =>
    isJsonObject(matcher) && 'exists' in matcher ? matcher.exists === values.length > 0 : values.some((v) => leafMatch(matcher, v)),
  );
};

const isOr = (key: string, value: unknown): value is EventPattern[] => key === '$or' && Array.isArray(value);

// ---- structure ------------------------------------------------------------------------------

const matchObject = (pattern: EventPattern, event: Record<string, unknown>): boolean => {
  for (const [key, expected] of Object.entries(pattern)) {
    if (isOr(key, expected)) {
      if (!expected.some((branch) => matchObject(branch, event))) return false;
      continue;
    }
    const value = Object.hasOwn(event, key) ? event[key] : undefined;
    if (Array.isArray(expected)) {
      if (!leafArrayMatch(expected, value)) return false;
    } else if (isJsonObject(expected)) {
      // Nested pattern: one object of the event must satisfy it as a whole (array elements are not
      // mixed: event-ruler's "array-consistent" matching). With no object there, only a pattern that
      // absence satisfies (exists: false) matches.
      const candidates = objectValues(value);
      const ok = candidates.length > 0 ? candidates.some((c) => matchObject(expected, c)) : matchObject(expected, {});
      if (!ok) return false;
    } else {
      return false;
    }
  }
  return true;
};

/**
 * Does `event` (the full EventBridge envelope: version, id, detail-type, source, account, time,
 * region, resources, detail) match `pattern`? Numbers in the event may be plain numbers or JsonNumber
 * (see parseEventJson). An empty pattern matches every event (PutRule refuses it: validatePattern).
 */
export const matches = (pattern: EventPattern, event: Record<string, unknown>): boolean => matchObject(pattern, event);

/** `matches` for an event given as JSON text, keeping its number lexemes. */
export const matchesJson = (pattern: EventPattern, eventJson: string): boolean => {
  const event = parseEventJson(eventJson);
  return isJsonObject(event) && matches(pattern, event);
};

// ---- validation (what PutRule refuses) ------------------------------------------------------

/** The numeric range EventBridge accepts (event-ruler: ±5.0e9, six decimal digits). */
export const NUMERIC_LIMIT = 5e9;
const NUMERIC_OPERATORS = ['=', '<', '<=', '>', '>='];

const fail = (path: string, message: string): never => {
  throw new InvalidPatternError(`Event pattern is not valid at ${path || '<root>'}: ${message}`);
};

const isScalar = (value: unknown) => value === null || ['string', 'number', 'boolean'].includes(typeof value);

const validateNumeric = (spec: unknown, path: string) => {
  if (!Array.isArray(spec) || (spec.length !== 2 && spec.length !== 4)) fail(path, 'numeric takes [operator, number] or [">"|">=", low, "<"|"<=", high]');
  const pairs = spec as unknown[];
  for (let i = 0; i < pairs.length; i += 2) {
    if (!NUMERIC_OPERATORS.includes(pairs[i] as string)) fail(path, `unknown numeric operator ${JSON.stringify(pairs[i])}`);
    const bound = pairs[i + 1];
    if (typeof bound !== 'number' || !Number.isFinite(bound)) fail(path, 'numeric bounds must be numbers');
    if (Math.abs(bound as number) > NUMERIC_LIMIT) fail(path, `numeric bounds must lie between -${NUMERIC_LIMIT} and ${NUMERIC_LIMIT}`);
  }
  if (pairs.length === 4) {
    const [op1, low, op2, high] = pairs as [string, number, string, number];
    if (!['>', '>='].includes(op1) || !['<', '<='].includes(op2)) fail(path, 'a numeric range is [">"|">=", low, "<"|"<=", high]');
    if (low >= high) fail(path, `a numeric range needs low < high (got ${low} and ${high})`);
  }
};

const validateWildcard = (glob: unknown, path: string) => {
  if (typeof glob !== 'string') fail(path, 'wildcard takes a string');
  const text = glob as string;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') {
      if (text[i + 1] !== '*' && text[i + 1] !== '\\') fail(path, 'in a wildcard, a backslash may only escape "*" or "\\"');
      i++;
    } else if (text[i] === '*' && text[i + 1] === '*') {
      fail(path, 'consecutive wildcard characters are not allowed');
    }
  }
};

const validateStringOrIgnoreCase = (operator: string, spec: unknown, path: string) => {
  if (typeof spec === 'string') return;
  if (isJsonObject(spec) && Object.keys(spec).length === 1 && typeof spec['equals-ignore-case'] === 'string') return;
  fail(path, `${operator} takes a string or {"equals-ignore-case": string}`);
};

const validateAnythingBut = (spec: unknown, path: string) => {
  if (typeof spec === 'string' || typeof spec === 'number') return;
  if (Array.isArray(spec)) {
    if (spec.length === 0) fail(path, 'anything-but takes a non-empty list');
    if (!spec.every((s) => typeof s === 'string') && !spec.every((s) => typeof s === 'number')) {
      fail(path, 'an anything-but list holds only strings or only numbers');
    }
    return;
  }
  if (!isJsonObject(spec)) fail(path, 'anything-but takes a string, a number, a list, or one of prefix/suffix/equals-ignore-case/wildcard');
  const entries = Object.entries(spec as Record<string, unknown>);
  if (entries.length !== 1) fail(path, 'anything-but takes exactly one nested operator');
  const [operator, inner] = entries[0]!;
  if (operator === 'prefix' || operator === 'suffix') {
    if (typeof inner !== 'string') fail(path, `anything-but ${operator} takes a single string`);
  } else if (operator === 'equals-ignore-case') {
    if (!asList(inner).every((s) => typeof s === 'string') || asList(inner).length === 0) fail(path, 'anything-but equals-ignore-case takes a string or a list of strings');
  } else if (operator === 'wildcard') {
    if (asList(inner).length === 0) fail(path, 'anything-but wildcard takes a string or a list of strings');
    asList(inner).forEach((g) => validateWildcard(g, path));
  } else {
    fail(path, `anything-but does not take "${operator}" (only prefix, suffix, equals-ignore-case, wildcard)`);
  }
};

const validateLeaf = (matcher: unknown, path: string) => {
  if (isScalar(matcher)) return;
  if (!isJsonObject(matcher)) fail(path, 'match values are strings, numbers, booleans, null or operator objects');
  const entries = Object.entries(matcher as Record<string, unknown>);
  if (entries.length !== 1) fail(path, 'an operator object holds exactly one operator');
  const [operator, spec] = entries[0]!;
  switch (operator) {
    case 'exists':
      if (typeof spec !== 'boolean') fail(path, 'exists takes true or false');
      return;
    case 'numeric':
      return validateNumeric(spec, path);
    case 'prefix':
    case 'suffix':
      return validateStringOrIgnoreCase(operator, spec, path);
    case 'equals-ignore-case':
      if (typeof spec !== 'string') fail(path, 'equals-ignore-case takes a string');
      return;
    case 'wildcard':
      return validateWildcard(spec, path);
    case 'cidr':
      if (typeof spec !== 'string' || !parseCidr(spec)) fail(path, `cidr takes an IPv4 or IPv6 network such as "10.0.0.0/24" (got ${JSON.stringify(spec)})`);
      return;
    case 'anything-but':
      return validateAnythingBut(spec, path);
    default:
      fail(path, `unknown operator "${operator}"`);
  }
};

const validateObject = (pattern: unknown, path: string): void => {
  if (!isJsonObject(pattern)) fail(path, 'a pattern is a JSON object');
  const entries = Object.entries(pattern as Record<string, unknown>);
  if (entries.length === 0) fail(path, 'empty objects are not allowed');
  for (const [key, value] of entries) {
    const here = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2) fail(here, '$or takes an array of at least two patterns');
      (value as unknown[]).forEach((branch, i) => validateObject(branch, `${here}[${i}]`));
    } else if (Array.isArray(value)) {
      if (value.length === 0) fail(here, 'empty arrays are not allowed');
      value.forEach((matcher) => validateLeaf(matcher, here));
    } else if (isJsonObject(value)) {
      validateObject(value, here);
    } else {
      fail(here, `"${key}" must be an object or an array`);
    }
  }
};

/** Throws InvalidPatternError, with the path and reason, for a pattern PutRule would reject. */
export const validatePattern = (pattern: unknown): void => validateObject(pattern, '');
