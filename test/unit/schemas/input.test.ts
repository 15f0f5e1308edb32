// The shared input rules every schema applies: date-times a 4-digit UTC year can hold, and user text without
// control or invisible formatting characters (line breaks and tabs in descriptions only).
import { describe, expect, it } from 'vitest';
import type { ZodMiniType } from 'zod/mini';
import { UsersQuery } from '#shared/schemas/admin';
import { AuditQuery } from '#shared/schemas/audit';
import { RegisterInput } from '#shared/schemas/auth';
import { CreateProjectInput, UpdateProjectInput } from '#shared/schemas/project';
import { CreateTaskInput, ListTasksQuery, UpdateTaskInput } from '#shared/schemas/task';
import { UpdateMeInput } from '#shared/schemas/user';

/** The paths of the issues parsing `value` raises (empty: accepted). */
const issues = (schema: ZodMiniType, value: unknown): string[] => {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
};

describe('date-times', () => {
  const past10000 = ['9999-12-31T23:59:59-23:59', '9999-12-31T23:30:00-01:00'];
  const beforeYear0 = ['0000-01-01T00:00:00+00:01'];
  const fine = ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59+05:00', '2030-06-01T12:00:00+02:00', '0000-01-01T00:00:00Z'];

  it('refuse an instant past year 9999 or before year 0000 in UTC, wherever a date-time is accepted', () => {
    for (const value of [...past10000, ...beforeYear0]) {
      expect(issues(CreateTaskInput, { title: 'x', dueAt: value })).toEqual(['dueAt']);
      expect(issues(UpdateTaskInput, { dueAt: value })).toEqual(['dueAt']);
      expect(issues(ListTasksQuery, { dueBefore: value })).toEqual(['dueBefore']);
      expect(issues(ListTasksQuery, { dueAfter: value })).toEqual(['dueAfter']);
      expect(issues(AuditQuery, { from: value })).toEqual(['from']);
      expect(issues(AuditQuery, { to: value })).toEqual(['to']);
    }
  });

  it('accept every instant of years 0000–9999, with any offset', () => {
    for (const value of fine) {
      expect(issues(CreateTaskInput, { title: 'x', dueAt: value })).toEqual([]);
      expect(issues(ListTasksQuery, { dueBefore: value })).toEqual([]);
      expect(issues(AuditQuery, { to: value })).toEqual([]);
    }
  });
});

describe('user text', () => {
  const unsafe = {
    NUL: 'a\u0000b',
    'C0 control': 'a\u001bb',
    DEL: 'a\u007fb',
    C1: 'a\u0085b',
    'right-to-left override': 'invoice\u202Egnp.exe',
    'left-to-right isolate': 'a\u2066b',
    'zero-width space': 'adm\u200Bin',
    BOM: 'ad\uFEFFmin',
    'soft hyphen': 'ad\u00ADmin',
    'tag character': 'a\u{E0041}b',
    'lone surrogate': 'a\uD800b',
    'line separator': 'a\u2028b',
  };
  const singleLine: Array<[string, ZodMiniType, (text: string) => unknown, string]> = [
    ['task title', CreateTaskInput, (text) => ({ title: text }), 'title'],
    ['task title (update)', UpdateTaskInput, (text) => ({ title: text }), 'title'],
    ['tag', CreateTaskInput, (text) => ({ title: 'x', tags: [text] }), 'tags.0'],
    ['project name', CreateProjectInput, (text) => ({ name: text }), 'name'],
    ['project name (update)', UpdateProjectInput, (text) => ({ name: text }), 'name'],
    ['user name', UpdateMeInput, (text) => ({ name: text }), 'name'],
    ['name at sign-up', RegisterInput, (text) => ({ email: 'a@example.com', password: 'Correct-Horse-9', name: text }), 'name'],
    ['admin email search', UsersQuery, (text) => ({ emailPrefix: text }), 'emailPrefix'],
    ['audit entity id', AuditQuery, (text) => ({ entityType: 'Task', entityId: text }), 'entityId'],
  ];
  const multiLine: Array<[string, ZodMiniType, (text: string) => unknown, string]> = [
    ['task description', CreateTaskInput, (text) => ({ title: 'x', description: text }), 'description'],
    ['task description (update)', UpdateTaskInput, (text) => ({ description: text }), 'description'],
    ['project description', CreateProjectInput, (text) => ({ name: 'x', description: text }), 'description'],
    ['project description (update)', UpdateProjectInput, (text) => ({ description: text }), 'description'],
  ];

  it('refuses control and invisible formatting characters in every text field, naming the field and the character', () => {
    for (const [what, schema, input, field] of [...singleLine, ...multiLine]) {
      for (const [kind, text] of Object.entries(unsafe)) {
        const result = schema.safeParse(input(text));
        expect(result.success, `${what} with a ${kind}`).toBe(false);
        expect(result.error!.issues.map((i) => i.path.join('.'))).toEqual([field]);
        expect(result.error!.issues[0]!.message).toMatch(/^Contains U\+[0-9A-F]{4,5}: no control or invisible formatting characters/);
      }
    }
  });

  it('takes line breaks and tabs in descriptions only, and reads CRLF as LF', () => {
    for (const [what, schema, input, field] of singleLine) {
      expect(issues(schema, input('two\nlines')), what).toEqual([field]);
      expect(issues(schema, input('a\tb')), what).toEqual([field]);
    }
    for (const [what, schema, input] of multiLine) expect(issues(schema, input('line one\n\tindented\r\nline three')), what).toEqual([]);
    expect(CreateTaskInput.parse({ title: 'x', description: 'a\r\nb\rc' }).description).toBe('a\nb\nc');
  });

  it('keeps ordinary text of any script, and emoji built with zero-width joiners', () => {
    for (const text of ['Plan Q3 — review', 'Überprüfung', '東京オフィス', 'مراجعة الخطة', 'می‌خواهم', '👩‍💻 pairing']) {
      for (const [what, schema, input] of [...singleLine, ...multiLine]) {
        if (what === 'admin email search' || what === 'audit entity id' || what === 'tag') continue;
        expect(issues(schema, input(text)), `${what}: ${text}`).toEqual([]);
      }
    }
  });
});
