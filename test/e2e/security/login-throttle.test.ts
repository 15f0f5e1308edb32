// Login brute force: an address with 5 failed logins in 15 minutes is locked for 15 minutes, for every password
// (the right one included), and unknown addresses are locked exactly like real ones. Fresh accounts only: the
// demo accounts are shared by other tests.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { api, as, newUser } from '#test/support/api-client';
import { localStack } from '#test/support/local-stack';
import { expectProblem } from '#test/support/e2e-helpers';

const FAILURES_BEFORE_LOCK = 5;

const unknownEmail = () => `e2e-throttle-nobody-${randomUUID().slice(0, 12)}@example.com`;

/** Logs in `times` times with a wrong password; answers the statuses and problem types. */
const failLogins = async (email: string, times: number) => {
  const answers: { status: number; type: string }[] = [];
  for (let i = 0; i < times; i += 1) {
    const res = await api.post('/v1/auth/login', { email, password: `Wrong-password-${i}-9Z!` });
    answers.push({ status: res.status, type: res.body?.type });
  }
  return answers;
};

describe('login throttling', () => {
  it('after five wrong passwords, even the right password is refused with 429 and Retry-After, and no tokens', async () => {
    const user = await newUser();
    const failures = await failLogins(user.email, FAILURES_BEFORE_LOCK);
    expect(failures.map((f) => f.status)).toEqual(Array(FAILURES_BEFORE_LOCK).fill(401));

    const locked = await api.post('/v1/auth/login', { email: user.email, password: user.password });
    expectProblem(locked, 429);
    expect(locked.body.type).toMatch(/login-locked$/);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.body.accessToken).toBeUndefined();
    // The address is case-insensitive: another spelling is the same lock.
    expectProblem(await api.post('/v1/auth/login', { email: user.email.toUpperCase(), password: user.password }), 429);
  });

  it('an unknown address gets exactly the answers of a real one, lock included', async () => {
    const user = await newUser();
    const real = await failLogins(user.email, FAILURES_BEFORE_LOCK + 1);
    const unknown = await failLogins(unknownEmail(), FAILURES_BEFORE_LOCK + 1);

    expect(unknown).toEqual(real);
    expect(real.at(-1)!.status).toBe(429);
  });

  it("one address's lock does not touch another account", async () => {
    const [target, bystander] = await Promise.all([newUser(), newUser()]);
    await failLogins(target.email, FAILURES_BEFORE_LOCK);
    expectProblem(await api.post('/v1/auth/login', { email: target.email, password: target.password }), 429);

    expect(await api.post('/v1/auth/login', { email: bystander.email, password: bystander.password })).toHaveStatus(200);
  });

  it("a password reset with the emailed code lifts the lock: the mailbox's owner gets back in", async () => {
    const user = await newUser();
    await failLogins(user.email, FAILURES_BEFORE_LOCK);
    expectProblem(await api.post('/v1/auth/login', { email: user.email, password: user.password }), 429);

    const password = `Tw-reset-${randomUUID().slice(0, 8)}-9Z!`;
    expect(await api.post('/v1/auth/forgot-password', { email: user.email })).toHaveStatus(202);
    expect(await api.post('/v1/auth/reset-password', { email: user.email, code: localStack().confirmationCode, password })).toHaveStatus(204);

    expect(await api.post('/v1/auth/login', { email: user.email, password })).toHaveStatus(200);
  });

  it('wrong current passwords at POST /v1/me/password count towards the same lock', async () => {
    const user = await newUser();
    for (let i = 0; i < FAILURES_BEFORE_LOCK; i += 1) {
      expectProblem(await as(user).post('/v1/me/password', { current: `Wrong-current-${i}-9Z!`, new: `Tw-new-${i}-${randomUUID().slice(0, 6)}-9Z!` }), 400);
    }
    expectProblem(await api.post('/v1/auth/login', { email: user.email, password: user.password }), 429);
  });
});
