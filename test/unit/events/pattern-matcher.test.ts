// Conformance of the local EventBridge matcher, case by case from the EventBridge user guide:
// "Amazon EventBridge event patterns", "Content filtering in Amazon EventBridge event patterns",
// "Arrays in Amazon EventBridge event patterns" and "Null values and empty strings".
import { describe, expect, it } from 'vitest';
import { InvalidPatternError, matches, validatePattern, type EventPattern } from '#shared/events/pattern-matcher';

// The guide's running example: an EC2 state-change event.
const ec2 = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
  detail: {
    'instance-id': 'i-02ebd4584a2ebd341',
    state: 'running',
    'c-count': 5,
    'd-count': 7,
    'x-limit': 301.8,
    'source-ip': '10.0.0.123',
    'file-name': 'photo.PNG',
    tags: ['blue', 'green'],
    location: null,
    note: '',
    items: [{ name: 'a', qty: 1 }, { name: 'b', qty: 3 }],
  },
};

type Case = [name: string, pattern: EventPattern, expected: boolean, event?: Record<string, unknown>];

const cases: Case[] = [
  // Event patterns: matching on envelope fields and nesting
  ['exact source', { source: ['aws.ec2'] }, true],
  ['exact source, other value', { source: ['aws.s3'] }, false],
  ['a leaf array is an OR', { source: ['aws.s3', 'aws.ec2'] }, true],
  ['fields are ANDed', { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] }, true],
  ['one field of the AND fails', { source: ['aws.ec2'], 'detail-type': ['Something else'] }, false],
  ['nested detail field', { detail: { state: ['running'] } }, true],
  ['nested detail field, other value', { detail: { state: ['stopped'] } }, false],
  ['a field absent from the event does not match', { detail: { colour: ['red'] } }, false],
  ['matching is case-sensitive by default', { detail: { state: ['RUNNING'] } }, false],
  ['an empty pattern matches everything', {}, true],
  // Types: matching is type-sensitive
  ['number matches number', { detail: { 'c-count': [5] } }, true],
  ['string "5" does not match number 5', { detail: { 'c-count': ['5'] } }, false],
  ['numbers compare by value (5.0)', { detail: { 'c-count': [5.0] } }, true],
  ['boolean true matches true', { detail: { flag: [true] } }, true, { ...ec2, detail: { flag: true } }],
  ['boolean true does not match "true"', { detail: { flag: ['true'] } }, false, { ...ec2, detail: { flag: true } }],
  // Null values and empty strings
  ['null matches a null field', { detail: { location: [null] } }, true],
  ['null does not match a missing field', { detail: { missing: [null] } }, false],
  ['empty string matches an empty string', { detail: { note: [''] } }, true],
  ['empty string does not match null', { detail: { location: [''] } }, false],
  // Arrays: an event array matches if any element matches
  ['event array: one element matches', { detail: { tags: ['green'] } }, true],
  ['event array: no element matches', { detail: { tags: ['red'] } }, false],
  ['resources array against a list', { resources: ['arn:x', 'arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'] }, true],
  ['array of objects is flattened', { detail: { items: { name: ['b'] } } }, true],
  ['array of objects: no element has it', { detail: { items: { name: ['z'] } } }, false],
  // Prefix matching
  ['prefix', { time: [{ prefix: '2017-10-02' }] }, true],
  ['prefix, no match', { time: [{ prefix: '2018' }] }, false],
  ['prefix ignores non-strings', { detail: { 'c-count': [{ prefix: '5' }] } }, false],
  ['prefix with equals-ignore-case', { source: [{ prefix: { 'equals-ignore-case': 'AWS.' } }] }, true],
  // Suffix matching
  ['suffix', { detail: { 'file-name': [{ suffix: '.PNG' }] } }, true],
  ['suffix is case-sensitive', { detail: { 'file-name': [{ suffix: '.png' }] } }, false],
  ['suffix with equals-ignore-case', { detail: { 'file-name': [{ suffix: { 'equals-ignore-case': '.png' } }] } }, true],
  // Equals-ignore-case
  ['equals-ignore-case', { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] }, true],
  ['equals-ignore-case, other text', { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance' }] }, false],
  // Anything-but
  ['anything-but a string', { detail: { state: [{ 'anything-but': 'initializing' }] } }, true],
  ['anything-but the actual value', { detail: { state: [{ 'anything-but': 'running' }] } }, false],
  ['anything-but a list of numbers', { detail: { 'c-count': [{ 'anything-but': [100, 200, 300] }] } }, true],
  ['anything-but a list containing the value', { detail: { 'c-count': [{ 'anything-but': [4, 5] }] } }, false],
  ['anything-but prefix', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, true],
  ['anything-but prefix that matches', { detail: { state: [{ 'anything-but': { prefix: 'run' } }] } }, false],
  ['anything-but suffix', { detail: { 'file-name': [{ 'anything-but': { suffix: '.txt' } }] } }, true],
  ['anything-but equals-ignore-case list', { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['RUNNING', 'Stopped'] } }] } }, false],
  ['anything-but wildcard', { detail: { 'file-name': [{ 'anything-but': { wildcard: '*.txt' } }] } }, true],
  ['anything-but does not match a missing field', { detail: { missing: [{ 'anything-but': 'x' }] } }, false],
  // Numeric matching
  ['numeric range', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, true],
  ['numeric range, outside', { detail: { 'd-count': [{ numeric: ['>', 0, '<=', 5] }] } }, false],
  ['numeric less-than', { detail: { 'd-count': [{ numeric: ['<', 10] }] } }, true],
  ['numeric equals with exponent', { detail: { 'x-limit': [{ numeric: ['=', 3.018e2] }] } }, true],
  ['numeric ignores strings', { detail: { state: [{ numeric: ['>', 0] }] } }, false],
  // IP address matching
  ['cidr contains the address', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, true],
  ['cidr excludes the address', { detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, false],
  // Exists matching
  ['exists true on a present field', { detail: { state: [{ exists: true }] } }, true],
  ['exists true on a missing field', { detail: { missing: [{ exists: true }] } }, false],
  ['exists false on a missing field', { detail: { missing: [{ exists: false }] } }, true],
  ['exists false on a present field', { detail: { state: [{ exists: false }] } }, false],
  ['exists false when the whole parent is missing', { detail: { nested: { deep: [{ exists: false }] } } }, true],
  ['exists true on a null field (present)', { detail: { location: [{ exists: true }] } }, true],
  // Wildcard matching
  ['wildcard', { resources: [{ wildcard: 'arn:aws:ec2:us-east-1:*:instance/*' }] }, true],
  ['wildcard, no match', { resources: [{ wildcard: 'arn:aws:s3:*' }] }, false],
  ['escaped wildcard is a literal star', { detail: { name: [{ wildcard: 'a\\*b' }] } }, true, { ...ec2, detail: { name: 'a*b' } }],
  ['escaped wildcard does not glob', { detail: { name: [{ wildcard: 'a\\*b' }] } }, false, { ...ec2, detail: { name: 'axxb' } }],
  // $or
  ['$or: second branch matches', { detail: { $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { 'd-count': [{ numeric: ['<', 10] }] }] } }, true],
  ['$or: no branch matches', { detail: { $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { state: ['stopped'] }] } }, false],
  ['$or at the top level', { $or: [{ source: ['aws.s3'] }, { 'detail-type': [{ prefix: 'EC2' }] }] }, true],
  ['$or ANDed with a sibling field', { source: ['aws.s3'], $or: [{ detail: { state: ['running'] } }, { region: ['us-east-1'] }] }, false],
  ['nested $or', { $or: [{ source: ['x'] }, { $or: [{ region: ['eu-west-1'] }, { detail: { state: ['running'] } }] }] }, true],
];

describe('EventBridge pattern matching (documented semantics)', () => {
  it('has at least 40 documented cases', () => expect(cases.length).toBeGreaterThanOrEqual(40));

  it.each(cases)('%s', (_name, pattern, expected, event = ec2) => {
    validatePattern(pattern);
    expect(matches(pattern, event)).toBe(expected);
  });
});

describe('pattern validation (what PutRule refuses)', () => {
  it.each<[string, unknown]>([
    ['a non-object pattern', ['aws.ec2']],
    ['a leaf that is not in an array', { source: 'aws.ec2' }],
    ['an empty leaf array', { source: [] }],
    ['an unknown operator', { source: [{ 'starts-with': 'aws' }] }],
    ['two operators in one object', { source: [{ prefix: 'a', suffix: 'b' }] }],
    ['exists with a string', { detail: { a: [{ exists: 'yes' }] } }],
    ['numeric with an unknown operator', { detail: { a: [{ numeric: ['!=', 1] }] } }],
    ['numeric with a string bound', { detail: { a: [{ numeric: ['>', '1'] }] } }],
    ['a numeric range upside down', { detail: { a: [{ numeric: ['>', 5, '<', 1] }] } }],
    ['$or with one branch', { $or: [{ source: ['a'] }] }],
    ['consecutive wildcards', { source: [{ wildcard: 'a**b' }] }],
    ['anything-but with an unknown operator', { source: [{ 'anything-but': { numeric: ['>', 1] } }] }],
  ])('rejects %s', (_name, pattern) => {
    expect(() => validatePattern(pattern)).toThrow(InvalidPatternError);
  });
});
