// The MFA use cases and the admin MFA rule, over fake ports; the otpauth:// URI is read back by an independent
// library (otpauth), the way an authenticator app scanning its QR code would.
import { describe, expect, it } from 'vitest';
import * as OTPAuth from 'otpauth';
import {
  adminNeedsMfa,
  disableTotp,
  enrolTotp,
  isAdminMfaRequired,
  MfaAlreadyEnabled,
  ReauthenticationFailed,
  totpUri,
  verifyTotp,
  type AuthenticatorPort,
} from '#shared/domain/mfa';
import { ValidationFailed } from '#shared/domain/errors';

const change = { actorId: 'u1', requestId: 'r1', at: '2026-12-02T10:00:00.000Z' };

const fakes = (enabled = false) => {
  const calls: string[] = [];
  const state = { enabled, mirrored: undefined as boolean | undefined };
  const authenticator: AuthenticatorPort = {
    status: async () => ({ totpEnabled: state.enabled }),
    associate: async () => (calls.push('associate'), { secret: 'JBSWY3DPEHPK3PXP' }),
    verify: async (_token, code) => {
      calls.push('verify');
      if (code !== '123456') throw new ValidationFailed('wrong code', [{ field: 'body.code', message: 'wrong' }]);
    },
    setTotp: async (_token, on) => {
      calls.push(`setTotp:${on}`);
      state.enabled = on;
    },
  };
  const profiles = { get: async () => undefined, setMfaEnabled: async (_id: string, on: boolean) => void (state.mirrored = on) };
  const reauth = {
    reauthenticate: async ({ password, code }: { password: string; code?: string }) => {
      calls.push('reauthenticate');
      if (password !== 'pw' || code !== '654321') throw new ReauthenticationFailed();
    },
  };
  return { calls, state, authenticator, profiles, reauth };
};

describe('TOTP enrolment', () => {
  it('hands out an otpauth:// URI that an authenticator app reads as Taskwell:<email>, SHA1, 6 digits, 30 s', async () => {
    const { authenticator } = fakes();
    const enrolment = await enrolTotp(authenticator, 'token', 'alice+mfa@example.com');
    const parsed = OTPAuth.URI.parse(enrolment.uri) as OTPAuth.TOTP;
    expect(parsed).toBeInstanceOf(OTPAuth.TOTP);
    expect(parsed.secret.base32).toBe('JBSWY3DPEHPK3PXP');
    expect(parsed.issuer).toBe('Taskwell');
    expect(parsed.label).toBe('alice+mfa@example.com');
    expect([parsed.algorithm, parsed.digits, parsed.period]).toEqual(['SHA1', 6, 30]);
    expect(totpUri('S', 'a b')).toMatch(/^otpauth:\/\/totp\/Taskwell:a%20b\?/);
  });

  it('refuses to enrol again while an authenticator is enabled, without touching it', async () => {
    const { authenticator, calls } = fakes(true);
    await expect(enrolTotp(authenticator, 'token', 'a@example.com')).rejects.toBeInstanceOf(MfaAlreadyEnabled);
    expect(calls).toEqual([]);
  });

  it('switches MFA on and mirrors it on the profile only after a right code', async () => {
    const f = fakes();
    await expect(verifyTotp(f, 'token', '000000', change)).rejects.toBeInstanceOf(ValidationFailed);
    expect(f.state).toEqual({ enabled: false, mirrored: undefined });
    await expect(verifyTotp(f, 'token', '123456', change)).resolves.toEqual({ totp: { enabled: true } });
    expect(f.state).toEqual({ enabled: true, mirrored: true });
  });

  it('switches MFA off only after the password and a code confirm it', async () => {
    const f = fakes(true);
    await expect(disableTotp(f, 'token', { email: 'a@example.com', password: 'wrong', code: '654321' }, change)).rejects.toBeInstanceOf(ReauthenticationFailed);
    expect(f.state.enabled).toBe(true);
    await disableTotp(f, 'token', { email: 'a@example.com', password: 'pw', code: '654321' }, change);
    expect(f.state).toEqual({ enabled: false, mirrored: false });
  });
});

describe('the admin MFA rule', () => {
  it('refuses admin rights without MFA only when the deployment requires it', () => {
    expect(adminNeedsMfa({ required: true, isAdmin: true, profile: { mfaEnabled: false } })).toBe(true);
    expect(adminNeedsMfa({ required: true, isAdmin: true, profile: {} })).toBe(true);
    expect(adminNeedsMfa({ required: true, isAdmin: true, profile: { mfaEnabled: true } })).toBe(false);
    expect(adminNeedsMfa({ required: true, isAdmin: false, profile: { mfaEnabled: false } })).toBe(false);
    expect(adminNeedsMfa({ required: false, isAdmin: true, profile: { mfaEnabled: false } })).toBe(false);
  });

  it('reads the deployment setting strictly: only true/1/yes turn it on', () => {
    expect(['true', 'TRUE', '1', 'yes', ' true '].map(isAdminMfaRequired)).toEqual([true, true, true, true, true]);
    expect([undefined, '', 'false', '0', 'no', 'on?'].map(isAdminMfaRequired)).toEqual([false, false, false, false, false, false]);
  });
});
