// Account enumeration and address squatting: every answer of the sign-up and recovery routes is the same whatever
// the address (unknown, pending sign-up, confirmed account), a stranger's sign-up cannot hold someone else's
// address, and a sign-up is nobody in the API until its address's owner confirms it.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { api, as, newUser, type ApiResponse } from '#test/support/api-client';
import { localStack, sentMail } from '#test/support/local-stack';
import { expectProblem } from '#test/support/e2e-helpers';

const fresh = (label: string) => {
  const unique = randomUUID().slice(0, 12);
  return { email: `e2e-enum-${label}-${unique}@example.com`, password: `Tw-enum-${unique}-9Z!`, name: `Enum ${unique}` };
};

/** What a client can tell apart: the status, the content type and the body without its request id. */
const visible = (res: ApiResponse) => {
  const { requestId: _requestId, ...body } = (res.body ?? {}) as Record<string, unknown>;
  return { status: res.status, contentType: res.headers['content-type'], body };
};

const wrongCode = () => (localStack().confirmationCode === '000000' ? '111111' : '000000');

/** An unknown address, a pending sign-up and a confirmed account, each fresh. */
const threeAddresses = async () => {
  const unknown = fresh('unknown');
  const pending = fresh('pending');
  expect(await api.post('/v1/auth/register', pending)).toHaveStatus(202);
  const confirmed = await newUser({ email: fresh('confirmed').email });
  return { unknown, pending, confirmed };
};

describe('account enumeration', () => {
  it('registering an address that has an account answers exactly like a new sign-up, and emails its owner a notice', async () => {
    const owner = await newUser({ email: fresh('owner').email });
    const newcomer = fresh('newcomer');

    const taken = await api.post('/v1/auth/register', { email: owner.email, password: `${owner.password}x`, name: 'Someone else' });
    const free = await api.post('/v1/auth/register', newcomer);

    expect(free).toHaveStatus(202);
    expect(visible(taken)).toEqual(visible(free));
    expect(JSON.stringify(taken.body)).not.toContain(owner.userId);
    // Nothing changed for the owner: their password still works.
    expect(await api.post('/v1/auth/login', { email: owner.email, password: owner.password })).toHaveStatus(200);
    const notices = async () => (await sentMail()).filter((m) => m.destination.to.includes(owner.email) && /tried to register/i.test(m.subject));
    expect(await notices()).toHaveLength(1);
    expect((await notices())[0]!.body.text ?? '').not.toContain(`${owner.password}x`);
  });

  it("registering a taken address again and again does not flood its owner's mailbox: one notice an hour", async () => {
    const owner = await newUser({ email: fresh('flooded').email });
    for (let i = 0; i < 3; i += 1) {
      expect(await api.post('/v1/auth/register', { email: owner.email, password: `${owner.password}${i}`, name: 'Flood' })).toHaveStatus(202);
    }
    const notices = (await sentMail()).filter((m) => m.destination.to.includes(owner.email) && /tried to register/i.test(m.subject));
    expect(notices).toHaveLength(1);
  });

  it('confirm answers an unknown address, a confirmed account and a pending sign-up with a wrong code identically', async () => {
    const { unknown, pending, confirmed } = await threeAddresses();

    const answers = [
      await api.post('/v1/auth/confirm', { email: unknown.email, code: localStack().confirmationCode }),
      await api.post('/v1/auth/confirm', { email: confirmed.email, code: localStack().confirmationCode }),
      await api.post('/v1/auth/confirm', { email: pending.email, code: wrongCode() }),
    ];

    expectProblem(answers[0]!, 400, ['body.code']);
    expect(visible(answers[1]!)).toEqual(visible(answers[0]!));
    expect(visible(answers[2]!)).toEqual(visible(answers[0]!));
  });

  it('resend-code answers the same for an unknown address, a pending sign-up and a confirmed account', async () => {
    const { unknown, pending, confirmed } = await threeAddresses();

    const answers = await Promise.all([unknown, pending, confirmed].map((who) => api.post('/v1/auth/resend-code', { email: who.email })));

    expect(answers[0]).toHaveStatus(202);
    expect(visible(answers[1]!)).toEqual(visible(answers[0]!));
    expect(visible(answers[2]!)).toEqual(visible(answers[0]!));
  });

  it('forgot-password answers the same for an unknown address, a pending sign-up and a confirmed account', async () => {
    const { unknown, pending, confirmed } = await threeAddresses();

    const answers = await Promise.all([unknown, pending, confirmed].map((who) => api.post('/v1/auth/forgot-password', { email: who.email })));

    expect(answers[0]).toHaveStatus(202);
    expect(visible(answers[1]!)).toEqual(visible(answers[0]!));
    expect(visible(answers[2]!)).toEqual(visible(answers[0]!));
  });

  it('reset-password answers a wrong code, an unknown address and a pending sign-up with the same 400, and changes nothing', async () => {
    const { unknown, pending, confirmed } = await threeAddresses();
    expect(await api.post('/v1/auth/forgot-password', { email: confirmed.email })).toHaveStatus(202);
    const password = `Tw-new-${randomUUID().slice(0, 8)}-9Z!`;

    const answers = [
      await api.post('/v1/auth/reset-password', { email: confirmed.email, code: wrongCode(), password }),
      await api.post('/v1/auth/reset-password', { email: unknown.email, code: localStack().confirmationCode, password }),
      // A pending sign-up holds a (sign-up) code: it must not reset a password, nor confirm the sign-up.
      await api.post('/v1/auth/reset-password', { email: pending.email, code: localStack().confirmationCode, password }),
    ];

    expectProblem(answers[0]!, 400, ['body.code']);
    expect(visible(answers[1]!)).toEqual(visible(answers[0]!));
    expect(visible(answers[2]!)).toEqual(visible(answers[0]!));
    expect(await api.post('/v1/auth/login', { email: confirmed.email, password: confirmed.password })).toHaveStatus(200);
    expect((await api.post('/v1/auth/login', { email: pending.email, password })).status).not.toBe(200);
  });
});

describe('address squatting', () => {
  it("a stranger's unconfirmed sign-up does not hold the address: its owner registers with their own password and confirms", async () => {
    const victim = fresh('victim');
    const squatterPassword = `Tw-squat-${randomUUID().slice(0, 8)}-9Z!`;
    expect(await api.post('/v1/auth/register', { ...victim, password: squatterPassword, name: 'Squatter' })).toHaveStatus(202);

    const again = await api.post('/v1/auth/register', victim);
    expect(again).toHaveStatus(202);
    expect((await api.post('/v1/auth/confirm', { email: victim.email, code: localStack().confirmationCode })).status).toBeLessThan(300);

    const login = await api.post('/v1/auth/login', { email: victim.email, password: victim.password });
    expect(login).toHaveStatus(200);
    expect((await as(login.body.accessToken).get('/v1/me')).body).toMatchObject({ email: victim.email, name: victim.name });
    expectProblem(await api.post('/v1/auth/login', { email: victim.email, password: squatterPassword }), 401);
  });

  it('an unconfirmed sign-up cannot be added to a project: the owner gets the answer of an unknown address', async () => {
    const owner = await newUser();
    const pending = fresh('unadded');
    expect(await api.post('/v1/auth/register', pending)).toHaveStatus(202);
    const project = await as(owner).post('/v1/projects', { name: 'Squat test' });
    expect(project).toHaveStatus(201);

    const added = await as(owner).post(`/v1/projects/${project.body.id}/members`, { email: pending.email, role: 'editor' });
    const nobody = await as(owner).post(`/v1/projects/${project.body.id}/members`, { email: fresh('nobody').email, role: 'editor' });

    expectProblem(added, 404);
    expect(visible(added)).toEqual(visible(nobody));
  });
});
