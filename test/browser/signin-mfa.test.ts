// Signing in to the admin console with MFA on, in Chromium: after the password the console asks for the code of the
// authenticator app (codes from an independent RFC 6238 library, otpauth), refuses a wrong one, and lets the admin in
// with the current one. The admin is a fresh user made admin for this test, never a seeded account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import * as OTPAuth from 'otpauth';
import { as, demo, newUser } from '#test/support/api-client';
import { launchBrowser, openConsole } from './browser';

describe('signing in to the admin console with MFA', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('asks for the authenticator code after the password, refuses a wrong one and lets the admin in with the right one', async () => {
    const admin = await newUser();
    expect(await as(demo.admin).put(`/v1/admin/users/${admin.userId}/admin`)).toHaveStatus(200);
    const enrolment = await as(admin).post('/v1/me/mfa/totp');
    const totp = OTPAuth.URI.parse(enrolment.body.uri) as OTPAuth.TOTP;
    expect(await as(admin).post('/v1/me/mfa/totp/verify', { code: totp.generate() })).toHaveStatus(200);

    const { page } = await openConsole(browser);
    await page.getByRole('heading', { name: 'Sign in to the admin console' }).waitFor();
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    const code = page.getByLabel('Code from your authenticator app');
    await code.waitFor();
    await code.fill(totp.generate({ timestamp: Date.now() + 300_000 }));
    await page.getByRole('button', { name: 'Verify code' }).click();
    await expect.poll(() => page.getByTestId('signin-error').textContent()).toMatch(/code .*incorrect/i);
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);

    await code.fill(totp.generate());
    await page.getByRole('button', { name: 'Verify code' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    expect(await page.locator('.account-email').textContent()).toBe(admin.email);
  });
});
