// Account notices by email (SES, as the notification emails): what the owner of an address should hear about
// without the API telling anyone else. The body names no one and carries no user input.
import type { AccountNoticesPort } from '#shared/domain/users';
import { sendEmail } from '#shared/email/ses-mailer';

const REGISTRATION_ATTEMPTED = {
  subject: 'Taskwell: someone tried to register with your email address',
  text: [
    'Hello,',
    '',
    'Someone just tried to create a Taskwell account with this email address, which already has an account.',
    'Nothing was changed: your account, password and sessions are as they were.',
    '',
    'If it was you: log in with your password, or reset it with POST /v1/auth/forgot-password.',
    'If it was not you: you need not do anything.',
  ].join('\n'),
};

const escapeHtml = (value: string) => value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

export const sesAccountNotices: AccountNoticesPort = {
  registrationAttempted: (email) =>
    sendEmail({
      to: email,
      subject: REGISTRATION_ATTEMPTED.subject,
      text: REGISTRATION_ATTEMPTED.text,
      html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(REGISTRATION_ATTEMPTED.subject)}</title></head><body>${REGISTRATION_ATTEMPTED.text
        .split('\n')
        .map((line) => `<p>${escapeHtml(line)}</p>`)
        .join('')}</body></html>`,
    }),
};
