// Conformance of the local EventBridge matcher, case by case from the EventBridge user guide. Each group
// names the section its cases come from: "Event pattern syntax" (Creating event patterns), "Matching
// null values and empty strings", "Arrays in Amazon EventBridge event patterns", "Comparison operators
// for use in event patterns" (Content filtering: prefix, suffix, equals-ignore-case, anything-but,
// numeric, IP address, exists, wildcard, $or, complex example), and the aws/event-ruler README (the
// engine EventBridge runs) where the guide refers to it or is silent.
import { describe, expect, it } from 'vitest';
import { InvalidPatternError, matches, matchesJson, parseEventJson, validatePattern, type EventPattern } from '#shared/events/pattern-matcher';

// The guide's running examples: an EC2 state-change event (with the detail fields its filtering
// examples use) and the Auto Scaling event of "Matching null values and empty strings".
const ec2 = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-10-02T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: {
    'instance-id': 'i-1234567890abcdef0',
    state: 'running',
    'c-count': 5,
    'd-count': 7,
    'x-limit': 301.8,
    'source-ip': '10.0.0.123',
    FileName: 'photo.PNG',
    FilePath: '/usr/lib/libssl.so',
    service: 'EventBridge',
  },
};
const autoscaling = {
  ...ec2,
  'detail-type': 'EC2 Instance Launch Successful',
  source: 'aws.autoscaling',
  resources: [],
  detail: { eventVersion: '', responseElements: null },
};
const withDetail = (detail: Record<string, unknown>) => ({ ...ec2, detail });

type Case = { name: string; pattern: EventPattern; expected: boolean; event?: Record<string, unknown> };
const c = (name: string, pattern: EventPattern, expected: boolean, event?: Record<string, unknown>): Case => ({ name, pattern, expected, event });

const cases: Case[] = [
  // "Event pattern syntax": fields are ANDed, values in an array are ORed, other event fields are ignored.
  c('the guide\'s first pattern (source, detail-type, detail.state)', { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['running'] } }, true),
  c('same pattern, other state (negative)', { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } }, false),
  c('a value array is an OR ("aws.ec2" or "aws.fargate")', { source: ['aws.ec2', 'aws.fargate'] }, true),
  c('an OR none of whose values occur', { source: ['aws.s3', 'aws.fargate'] }, false),
  c('one ANDed field failing fails the pattern', { source: ['aws.ec2'], region: ['eu-west-1'] }, false),
  c('envelope fields: account and region', { account: ['111122223333'], region: ['us-west-1'] }, true),
  c('a field named in the pattern must be in the event', { detail: { colour: ['red'] } }, false),
  c('the field must appear with the same nesting', { state: ['running'] }, false),
  c('strings match character by character, without case folding', { detail: { state: ['RUNNING'] } }, false),
  c('matching is type-sensitive: "5" is not 5', { detail: { 'c-count': ['5'] } }, false),
  c('a number matches the same number', { detail: { 'c-count': [5] } }, true),
  c('true matches the JSON literal true', { detail: { enabled: [true] } }, true, withDetail({ enabled: true })),
  c('"true" does not match the literal true', { detail: { enabled: ['true'] } }, false, withDetail({ enabled: true })),
  c('value matching on a deeper nested field (Macie example)', { source: ['aws.macie'], detail: { 'risk-score': [80], trigger: { risk: [8] } } }, true, { ...ec2, source: 'aws.macie', detail: { 'risk-score': 80, trigger: { risk: 8 } } }),
  c('Macie example with another trigger risk', { detail: { trigger: { risk: [9] } } }, false, { ...ec2, detail: { trigger: { risk: 8 } } }),

  // "Matching null values and empty strings".
  c('[""] matches an empty string', { detail: { eventVersion: [''] } }, true, autoscaling),
  c('[null] matches a null value', { source: ['aws.autoscaling'], 'detail-type': ['EC2 Instance Launch Successful'], detail: { responseElements: [null] } }, true, autoscaling),
  c('null and empty string are not interchangeable ([""] vs null)', { detail: { responseElements: [''] } }, false, autoscaling),
  c('null and empty string are not interchangeable ([null] vs "")', { detail: { eventVersion: [null] } }, false, autoscaling),
  c('[null] does not match a missing field', { detail: { missing: [null] } }, false, autoscaling),

  // "Arrays in Amazon EventBridge event patterns": an event array matches if the intersection is non-empty.
  c(
    'the guide\'s resources example (first pattern value = second event value)',
    { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f', 'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f', 'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f'] },
    true,
    { ...ec2, resources: ['arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate', 'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] },
  ),
  c('no element of the event array is in the pattern', { resources: ['arn:aws:ec2:us-east-1:999999999999:instance/i-x'] }, false),
  c('an empty event array matches no value', { resources: ['arn:x'] }, false, autoscaling),
  c('operators apply to each element (prefix on an array)', { detail: { tags: [{ prefix: 'gre' }] } }, true, withDetail({ tags: ['blue', 'green'] })),
  // event-ruler README, "JSON Array Matching": objects in arrays are matched one element at a time.
  c('array of objects: one element satisfies the nested pattern', { detail: { employees: { firstName: ['Anna'], lastName: ['Smith'] } } }, true, withDetail({ employees: [{ firstName: 'John', lastName: 'Doe' }, { firstName: 'Anna', lastName: 'Smith' }] })),
  c('array of objects: fields from different elements do not combine', { detail: { employees: { firstName: ['Anna'], lastName: ['Doe'] } } }, false, withDetail({ employees: [{ firstName: 'John', lastName: 'Doe' }, { firstName: 'Anna', lastName: 'Smith' }] })),

  // "Comparison operators" → Prefix matching (and "Prefix matching while ignoring case").
  c('prefix on time ("2017-10-02")', { time: [{ prefix: '2017-10-02' }] }, true),
  c('prefix that the value does not start with', { time: [{ prefix: '2018' }] }, false),
  c('prefix only works on strings (a number field)', { detail: { 'c-count': [{ prefix: '5' }] } }, false),
  c('prefix with equals-ignore-case ("EventB")', { detail: { service: [{ prefix: { 'equals-ignore-case': 'EVENTB' } }] } }, true),
  c('prefix is case-sensitive without equals-ignore-case', { detail: { service: [{ prefix: 'eventb' }] } }, false),

  // Suffix matching (and "Suffix matching while ignoring case").
  c('suffix ".PNG"', { detail: { FileName: [{ suffix: '.PNG' }] } }, true),
  c('suffix is case-sensitive (".png" vs "photo.PNG")', { detail: { FileName: [{ suffix: '.png' }] } }, false),
  c('suffix with equals-ignore-case', { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, true),

  // Equals-ignore-case matching.
  c('equals-ignore-case', { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] }, true),
  c('equals-ignore-case is not a prefix match', { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance' }] }, false),

  // Anything-but matching (single value, list, prefix, suffix, equals-ignore-case, wildcard).
  c('anything-but "initializing"', { detail: { state: [{ 'anything-but': 'initializing' }] } }, true),
  c('anything-but the actual value', { detail: { state: [{ 'anything-but': 'running' }] } }, false),
  c('anything-but 123 (a number)', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, true),
  c('anything-but a list of strings that holds the value', { detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } }, false),
  c('anything-but a list of numbers (100, 200, 300)', { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, true),
  c('anything-but prefix "init"', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, true),
  c('anything-but prefix the value has', { detail: { state: [{ 'anything-but': { prefix: 'run' } }] } }, false),
  c('anything-but prefix "aws." (own events only): an AWS source', { source: [{ 'anything-but': { prefix: 'aws.' } }] }, false),
  c('anything-but suffix ".png" on a .txt file', { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } }, true, withDetail({ FileName: 'notes.txt' })),
  c('anything-but suffix the value has', { detail: { FileName: [{ 'anything-but': { suffix: '.PNG' } }] } }, false),
  c('anything-but equals-ignore-case ("INITIALIZING")', { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } }, false, withDetail({ state: 'INITIALIZING' })),
  c('anything-but equals-ignore-case list not holding the value', { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'PENDING'] } }] } }, true),
  c('anything-but wildcard "*/lib/*" on a lib path', { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, false),
  c('anything-but wildcard "*/lib/*" on another path', { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, true, withDetail({ FilePath: '/usr/bin/env' })),
  c('anything-but never matches a missing field', { detail: { missing: [{ 'anything-but': 'x' }] } }, false),

  // Numeric matching (the guide's c-count / d-count / x-limit example; values are JSON numbers).
  c('numeric range > 0, <= 5', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, true),
  c('numeric range excludes 7', { detail: { 'd-count': [{ numeric: ['>', 0, '<=', 5] }] } }, false),
  c('numeric < 10', { detail: { 'd-count': [{ numeric: ['<', 10] }] } }, true),
  c('numeric = 3.018e2 matches 301.8', { detail: { 'x-limit': [{ numeric: ['=', 3.018e2] }] } }, true),
  c('the guide\'s three numeric fields together', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ numeric: ['=', 3.018e2] }] } }, true),
  c('numeric only works on numbers (a numeric string)', { detail: { n: [{ numeric: ['>', 0] }] } }, false, withDetail({ n: '5' })),
  c('"Price is 100": numeric = 100', { detail: { Price: [{ numeric: ['=', 100] }] } }, true, withDetail({ Price: 100 })),

  // IP address matching.
  c('cidr 10.0.0.0/24 holds 10.0.0.123', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, true),
  c('cidr 10.0.1.0/24 does not', { detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, false),
  c('cidr with IPv6', { detail: { 'source-ip': [{ cidr: '2001:db8::/32' }] } }, true, withDetail({ 'source-ip': '2001:db8:0:1::7' })),

  // Exists matching (only works on leaf nodes).
  c('exists true: detail.state is there', { detail: { state: [{ exists: true }] } }, true),
  c('exists true does not match an event without detail.state', { detail: { state: [{ exists: true }] } }, false, withDetail({ 'c-count': { c1: 100 } })),
  c('exists false: no detail.c-count', { detail: { 'c-count': [{ exists: false }] } }, true, withDetail({ state: 'running' })),
  c('exists false also matches when c-count is an object (not a leaf)', { detail: { 'c-count': [{ exists: false }] } }, true, withDetail({ state: 'running', 'c-count': { c1: 100 } })),
  c('exists false on a present leaf', { detail: { state: [{ exists: false }] } }, false),
  c('exists true on a null value (the field is there)', { detail: { responseElements: [{ exists: true }] } }, true, autoscaling),
  c('exists false when the parent object is missing too', { detail: { nested: { deep: [{ exists: false }] } } }, true),
  c('exists true on an empty array (no leaf values)', { resources: [{ exists: true }] }, false, autoscaling),

  // Wildcard matching (escaping per the event-ruler README).
  c('wildcard "*.png"-style glob on an ARN', { resources: [{ wildcard: 'arn:aws:ec2:us-west-1:*:instance/*' }] }, true),
  c('wildcard that does not match', { resources: [{ wildcard: 'arn:aws:s3:*' }] }, false),
  c('wildcard "dir/*.png"', { detail: { FilePath: [{ wildcard: 'dir/*.png' }] } }, true, withDetail({ FilePath: 'dir/holiday/beach.png' })),
  c('wildcard is anchored at both ends', { detail: { FilePath: [{ wildcard: 'dir/*.png' }] } }, false, withDetail({ FilePath: 'old/dir/a.png' })),
  c('an escaped star is a literal star', { detail: { name: [{ wildcard: 'a\\*b' }] } }, true, withDetail({ name: 'a*b' })),
  c('an escaped star does not glob', { detail: { name: [{ wildcard: 'a\\*b' }] } }, false, withDetail({ name: 'axxb' })),
  c('an escaped backslash is a literal backslash', { detail: { name: [{ wildcard: 'C:\\\\*' }] } }, true, withDetail({ name: 'C:\\Users' })),

  // $or matching (the README's CloudWatch examples).
  c('"Location is New York, or Day is Monday"', { detail: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] } }, true, withDetail({ Location: 'Paris', Day: 'Monday' })),
  c('$or with no branch matching', { detail: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] } }, false, withDetail({ Location: 'Paris', Day: 'Friday' })),
  c('source AND ($or of metricName | namespace)', { source: ['aws.cloudwatch'], $or: [{ detail: { metricName: ['CPUUtilization'] } }, { detail: { namespace: ['AWS/EC2'] } }] }, true, { ...ec2, source: 'aws.cloudwatch', detail: { namespace: 'AWS/EC2' } }),
  c('$or is ANDed with its sibling fields', { source: ['aws.s3'], $or: [{ detail: { state: ['running'] } }, { region: ['us-west-1'] }] }, false),
  c(
    'nested $or inside an $or branch',
    { $or: [{ detail: { metricName: ['X'] } }, { detail: { metricType: ['MetricType'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] } }] },
    true,
    withDetail({ metricType: 'MetricType', spaceId: 1000 }),
  ),

  // "Complex example with multiple matching".
  c(
    'the guide\'s complex example',
    { time: [{ prefix: '2017-10-02' }], detail: { state: [{ 'anything-but': 'initializing' }], 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    true,
  ),
  c(
    'the complex example with one condition failing (state initializing)',
    { time: [{ prefix: '2017-10-02' }], detail: { state: [{ 'anything-but': 'initializing' }], 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } },
    false,
    withDetail({ state: 'initializing', 'c-count': 5 }),
  ),
];

describe('EventBridge pattern matching (documented semantics)', () => {
  it('has at least 40 documented cases', () => expect(cases.length).toBeGreaterThanOrEqual(40));

  it.each(cases.map((k) => [k.name, k] as const))('%s', (_name, { pattern, expected, event = ec2 }) => {
    validatePattern(pattern);
    expect(matches(pattern, event)).toBe(expected);
  });

  // "Event pattern syntax": "For numbers, EventBridge uses string representation. For example, 300,
  // 300.0, and 3.0e2 are not considered equal." Only visible when the event arrives as JSON text.
  it.each([
    ['300 matches 300', '300', true],
    ['300 does not match 300.0', '300.0', false],
    ['300 does not match 3.0e2', '3.0e2', false],
  ])('exact numbers compare by their JSON text: %s', (_name, written, expected) => {
    expect(matchesJson({ detail: { Price: [300] } }, `{"source":"shop","detail":{"Price":${written}}}`)).toBe(expected);
  });

  it('numeric comparisons use the value whatever the notation', () => {
    expect(matchesJson({ detail: { Price: [{ numeric: ['=', 300] }] } }, '{"detail":{"Price":3.0e2}}')).toBe(true);
  });

  it('reads event JSON like JSON.parse, apart from numbers', () => {
    const text = '{"a":[1,"x\\"y",true,null,{"b":-2.5e-3}],"c":"\\u00e9"}';
    expect(JSON.parse(JSON.stringify(parseEventJson(text)))).toEqual(JSON.parse(text));
    expect(() => parseEventJson('{"a":1,}')).toThrow(SyntaxError);
  });

  it('an empty pattern matches every event (and is what PutRule refuses)', () => {
    expect(matches({}, ec2)).toBe(true);
    expect(() => validatePattern({})).toThrow(/empty objects are not allowed/);
  });
});

describe('pattern validation (what PutRule refuses)', () => {
  it.each<[string, unknown, RegExp]>([
    ['a pattern that is not an object', ['aws.ec2'], /a pattern is a JSON object/],
    ['a leaf value outside an array', { source: 'aws.ec2' }, /"source" must be an object or an array/],
    ['an empty array', { source: [] }, /empty arrays are not allowed/],
    ['an empty nested object', { source: ['aws.health'], detail: {} }, /detail: empty objects are not allowed/],
    ['an unknown operator', { source: [{ 'starts-with': 'aws' }] }, /unknown operator "starts-with"/],
    ['two operators in one object', { source: [{ prefix: 'a', suffix: 'b' }] }, /exactly one operator/],
    ['an array inside a value array', { source: [['a']] }, /match values are/],
    ['exists with a string', { detail: { a: [{ exists: 'yes' }] } }, /exists takes true or false/],
    ['numeric with an unknown operator', { detail: { a: [{ numeric: ['!=', 1] }] } }, /unknown numeric operator "!="/],
    ['numeric with a string bound', { detail: { a: [{ numeric: ['>', '1'] }] } }, /must be numbers/],
    ['a numeric range upside down', { detail: { a: [{ numeric: ['>', 5, '<', 1] }] } }, /low < high/],
    ['a numeric range with its bounds swapped', { detail: { a: [{ numeric: ['<', 5, '>', 1] }] } }, /a numeric range is/],
    ['a numeric bound beyond 5.0e9', { detail: { a: [{ numeric: ['<', 6e9] }] } }, /between/],
    ['$or with one branch', { $or: [{ source: ['a'] }] }, /at least two patterns/],
    ['consecutive wildcards', { source: [{ wildcard: 'a**b' }] }, /consecutive wildcard/],
    ['a backslash escaping another character', { source: [{ wildcard: 'a\\b*' }] }, /may only escape/],
    ['anything-but with a nested numeric', { source: [{ 'anything-but': { numeric: ['>', 1] } }] }, /anything-but does not take "numeric"/],
    ['anything-but with a mixed list', { source: [{ 'anything-but': ['a', 1] }] }, /only strings or only numbers/],
    ['anything-but null', { source: [{ 'anything-but': null }] }, /anything-but takes/],
    ['anything-but with a list of prefixes', { source: [{ 'anything-but': { prefix: ['a', 'b'] } }] }, /single string/],
    ['prefix with a number', { source: [{ prefix: 5 }] }, /prefix takes a string/],
    ['cidr that is not a network', { detail: { ip: [{ cidr: '10.0.0.0/33' }] } }, /cidr takes/],
  ])('rejects %s', (_name, pattern, message) => {
    expect(() => validatePattern(pattern)).toThrow(InvalidPatternError);
    expect(() => validatePattern(pattern)).toThrow(message);
  });

  it('accepts every pattern the conformance table uses', () => {
    for (const k of cases) expect(() => validatePattern(k.pattern), k.name).not.toThrow();
  });
});
