// The SES fault proxy (local/ses-proxy.ts) in front of a real aws-ses-v2-local, driven by the real
// @aws-sdk/client-sesv2 as the notification consumer drives it through AWS_ENDPOINT_URL_SESV2.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { startMailViewer, type MailViewer } from '#local/mail';
import { startSesFaultProxy, type SesFaultProxy } from '#local/ses-proxy';

interface StoredMail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments: unknown[];
  at: number;
}

let viewer: MailViewer;
let proxy: SesFaultProxy;
let ses: SESv2Client;

beforeAll(async () => {
  viewer = await startMailViewer();
  proxy = await startSesFaultProxy({ target: viewer.url });
  // One attempt per call: the SDK would otherwise retry a 503 twice on its own.
  ses = new SESv2Client({ endpoint: proxy.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
});

afterAll(async () => {
  ses?.destroy();
  await proxy?.stop();
  await viewer?.stop();
});

afterEach(() => proxy.clearFaults());

const control = (method: 'GET' | 'PUT' | 'DELETE', body?: unknown) =>
  fetch(`${proxy.url}/_local/faults`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });

const sendMail = (to: string[], subject: string, cc: string[] = []) =>
  ses.send(
    new SendEmailCommand({
      FromEmailAddress: 'Taskwell <notifications@taskwell.local>',
      Destination: { ToAddresses: to, CcAddresses: cc },
      Content: {
        Simple: {
          Subject: { Data: subject, Charset: 'UTF-8' },
          Body: { Html: { Data: `<p>${subject} &amp; more</p>`, Charset: 'UTF-8' }, Text: { Data: `${subject} & more`, Charset: 'UTF-8' } },
        },
      },
    }),
  );

/** The mail the viewer holds, read through the proxy (which always forwards `/store`). */
const stored = async (subject: string): Promise<StoredMail[]> => {
  const response = await fetch(`${proxy.url}/store`);
  expect(response.status).toBe(200);
  const { emails } = (await response.json()) as { emails: StoredMail[] };
  return emails.filter((e) => e.subject === subject);
};

describe('the SES fault proxy', () => {
  it('forwards SendEmail untouched when no fault is set; the viewer keeps the HTML and the text part', async () => {
    const subject = `hello ${randomUUID()}`;
    const { MessageId } = await sendMail(['ada@example.com'], subject, ['bob@example.com']);
    expect(MessageId).toEqual(expect.any(String));
    const [mail, ...others] = await stored(subject);
    expect(others).toEqual([]);
    expect(mail).toEqual<StoredMail>({
      messageId: MessageId!,
      from: 'Taskwell <notifications@taskwell.local>',
      replyTo: [],
      destination: { to: ['ada@example.com'], cc: ['bob@example.com'], bcc: [] },
      subject,
      body: { html: `<p>${subject} &amp; more</p>`, text: `${subject} & more` },
      attachments: [],
      at: expect.any(Number),
    });
  });

  it('fails the next N requests with the code and status, like SES, then forwards again', async () => {
    const put = await control('PUT', { failNext: 2 });
    expect(put.status).toBe(200);
    const subject = `retry ${randomUUID()}`;
    for (let i = 0; i < 2; i++) {
      await expect(sendMail(['ada@example.com'], subject)).rejects.toMatchObject({
        name: 'ServiceUnavailable',
        $metadata: { httpStatusCode: 503 },
        message: expect.stringContaining('Injected failure'),
      });
    }
    await expect(sendMail(['ada@example.com'], subject)).resolves.toMatchObject({ MessageId: expect.any(String) });
    expect(await stored(subject)).toHaveLength(1);
    const state = await (await control('GET')).json();
    expect(state).toMatchObject({ failNext: 0, code: 'ServiceUnavailable', status: 503, failed: 2 });
  });

  it('fails only the mail to a failFor recipient (compared case-insensitively), with the chosen code and status', async () => {
    await control('PUT', { failFor: ['Bob@Example.com'], code: 'TooManyRequestsException', status: 429 });
    const subject = `selective ${randomUUID()}`;
    await expect(sendMail(['Bob Builder <bob@example.COM>'], subject)).rejects.toMatchObject({
      name: 'TooManyRequestsException',
      $metadata: { httpStatusCode: 429 },
    });
    await expect(sendMail(['carol@example.com'], subject, ['bob@example.com'])).rejects.toMatchObject({ name: 'TooManyRequestsException' });
    await expect(sendMail(['carol@example.com'], subject)).resolves.toMatchObject({ MessageId: expect.any(String) });
    expect((await stored(subject)).map((m) => m.destination.to)).toEqual([['carol@example.com']]);
    expect(await (await control('GET')).json()).toMatchObject({ failed: 2 });
  });

  it('clears the faults on DELETE', async () => {
    await control('PUT', { failAll: true });
    const subject = `cleared ${randomUUID()}`;
    await expect(sendMail(['dan@example.com'], subject)).rejects.toMatchObject({ name: 'ServiceUnavailable' });
    expect((await control('DELETE')).status).toBe(200);
    await expect(sendMail(['dan@example.com'], subject)).resolves.toMatchObject({ MessageId: expect.any(String) });
    expect(await stored(subject)).toHaveLength(1);
    const state = await (await control('GET')).json();
    expect(state).not.toHaveProperty('failAll');
    expect(state).toMatchObject({ code: 'ServiceUnavailable', status: 503, failed: 1 });
  });

  it('reads the recipients of an SES v1 (query protocol) SendEmail and answers its failures in XML', async () => {
    await control('PUT', { failFor: ['eve@example.com'], code: 'Throttling', status: 400 });
    const subject = `v1 ${randomUUID()}`;
    const v1 = (to: string) =>
      fetch(`${proxy.url}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/ses/aws4_request' },
        body: new URLSearchParams({
          Action: 'SendEmail',
          Source: 'notifications@taskwell.local',
          'Destination.ToAddresses.member.1': to,
          'Message.Subject.Data': subject,
          'Message.Body.Text.Data': 'plain',
        }),
      });
    const refused = await v1('Eve <eve@example.com>');
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/<Code>Throttling<\/Code>/);
    const accepted = await v1('frank@example.com');
    expect(accepted.status).toBe(200);
    expect((await stored(subject)).map((m) => m.destination.to)).toEqual([['frank@example.com']]);
  });

  it('never fails the mail viewer itself, and rejects an invalid fault configuration', async () => {
    await control('PUT', { failAll: true });
    expect((await fetch(`${proxy.url}/store`)).status).toBe(200);
    expect((await fetch(`${proxy.url}/`)).status).toBe(200);
    const bad = await control('PUT', { failNext: -1, surprise: true });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ message: 'Invalid faults.' });
    // The earlier configuration is still in force.
    expect(await (await control('GET')).json()).toMatchObject({ failAll: true });
  });
});
