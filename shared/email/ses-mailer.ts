// Email through SES (v2 SendEmail, simple content with an HTML and a text part). The endpoint comes from the
// SDK's AWS_ENDPOINT_URL_SESV2 variable, so the same code sends through SES and the local mail viewer.
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Email } from '#shared/domain/notifications';

const ses = new SESv2Client({});

export const mailFrom = (): string => {
  const from = process.env.MAIL_FROM;
  if (!from) throw new Error('MAIL_FROM is not set');
  return from;
};

export const sendEmail = async (email: Email): Promise<void> => {
  await ses.send(
    new SendEmailCommand({
      FromEmailAddress: mailFrom(),
      Destination: { ToAddresses: [email.to] },
      Content: {
        Simple: {
          Subject: { Data: email.subject, Charset: 'UTF-8' },
          Body: { Html: { Data: email.html, Charset: 'UTF-8' }, Text: { Data: email.text, Charset: 'UTF-8' } },
        },
      },
    }),
  );
};
