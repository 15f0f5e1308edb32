// A fault-injecting proxy in front of aws-ses-v2-local (local only): every request is forwarded to the
// mail viewer unless a fault is set, so tests (and a curious developer) can make SES fail for a while and
// watch the notifications arrive later. Handlers reach it through AWS_ENDPOINT_URL_SESV2.
//
// Control endpoint, on the proxy itself:
//   PUT    /_local/faults  {"failNext"?: n, "failAll"?: bool, "failFor"?: [addresses], "code"?: str, "status"?: n}
//                          replaces the faults (code defaults to ServiceUnavailable, status to 503)
//   DELETE /_local/faults  clears them
//   GET    /_local/faults  the faults in force, `failed` (requests failed since the last PUT) and `failedTotal`
// Faults apply to SES API requests only (v2 `/v2/email/...`, v1 `POST /` with an Action); the viewer,
// `/store` and the rest of the mail viewer are always forwarded. A request fails when failAll is set, when
// one of its recipients is in failFor (compared lower-cased), or while failNext lasts (each failure uses
// one). A failed request is answered as SES would: v2 with the status, `x-amzn-errortype: <code>` and JSON
// `{"message"}`; v1 (query protocol) with an XML ErrorResponse carrying the code.
//
// Note for callers: the AWS SDK retries 5xx answers and throttling codes itself (3 attempts by default),
// so one SendEmail call may use up to three of `failNext`.
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { listenOnLoopback } from '#local/ports';

export const SesFaultsSchema = z
  .object({
    failNext: z.number().int().min(0).max(1_000_000).optional(),
    failAll: z.boolean().optional(),
    failFor: z.array(z.string().min(1).max(320)).max(1000).optional(),
    code: z.string().min(1).max(128).optional(),
    status: z.number().int().min(400).max(599).optional(),
  })
  .strict();
export type SesFaults = z.infer<typeof SesFaultsSchema>;

export interface SesFaultState extends SesFaults {
  code: string;
  status: number;
  /** Requests failed since the faults were last set with PUT. */
  failed: number;
  /** Requests failed since the proxy started. */
  failedTotal: number;
}

export interface SesFaultProxy {
  /** Endpoint for AWS_ENDPOINT_URL_SESV2 (and the mail viewer, `/store` included, through the proxy). */
  url: string;
  /** Same as PUT /_local/faults (throws on an invalid configuration). */
  setFaults(faults: SesFaults): void;
  /** Same as DELETE /_local/faults. */
  clearFaults(): void;
  /** Same as GET /_local/faults. */
  faults(): SesFaultState;
  stop(): Promise<void>;
}

export const DEFAULT_FAULT_CODE = 'ServiceUnavailable';
export const DEFAULT_FAULT_STATUS = 503;
const CONTROL_PATH = '/_local/faults';

const ADDRESS = /[^\s<>,;:"'()[\]]+@[^\s<>,;:"'()[\]]+/g;
/** The bare, lower-cased addresses in `Name <a@b>`, `a@b` or a header value listing several. */
export const addressesIn = (value: string): string[] => (value.match(ADDRESS) ?? []).map((a) => a.toLowerCase());

/** To, Cc and Bcc addresses from the header section of a raw MIME message. */
const rawRecipients = (raw: string): string[] => {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  return unfolded
    .split(/\r?\n/)
    .filter((line) => /^(to|cc|bcc):/i.test(line))
    .flatMap((line) => addressesIn(line.slice(line.indexOf(':') + 1)));
};

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

const destinationOf = (destination: unknown): string[] => {
  if (typeof destination !== 'object' || destination === null) return [];
  const d = destination as Record<string, unknown>;
  return [...strings(d.ToAddresses), ...strings(d.CcAddresses), ...strings(d.BccAddresses)].flatMap(addressesIn);
};

const decodeBase64 = (value: unknown) => (typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : '');

/** The recipients of an SES v2 request body (SendEmail, SendBulkEmail). */
const v2Recipients = (path: string, body: string): string[] => {
  let input: Record<string, unknown>;
  try {
    input = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return [];
  }
  if (typeof input !== 'object' || input === null) return [];
  if (path.endsWith('/outbound-bulk-emails')) {
    return (Array.isArray(input.BulkEmailEntries) ? input.BulkEmailEntries : []).flatMap((e: unknown) =>
      destinationOf((e as Record<string, unknown> | null)?.Destination),
    );
  }
  const recipients = destinationOf(input.Destination);
  const content = input.Content as { Raw?: { Data?: unknown } } | undefined;
  if (recipients.length === 0 && content?.Raw) return rawRecipients(decodeBase64(content.Raw.Data));
  return recipients;
};

/** The recipients of an SES v1 (query protocol) request: Destination.ToAddresses.member.N, Destinations.member.N, … */
const v1Recipients = (params: URLSearchParams): string[] => {
  const recipients: string[] = [];
  for (const [key, value] of params) {
    if (/(^|\.)(ToAddresses|CcAddresses|BccAddresses)\.member\.\d+$/.test(key) || /^Destinations\.member\.\d+$/.test(key)) {
      recipients.push(...addressesIn(value));
    }
  }
  if (recipients.length === 0 && params.get('Action') === 'SendRawEmail') recipients.push(...rawRecipients(decodeBase64(params.get('RawMessage.Data'))));
  return recipients;
};

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
};

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

export const startSesFaultProxy = async (options: { target: string; port?: number }): Promise<SesFaultProxy> => {
  const target = new URL(options.target);
  let config: SesFaults = {};
  let failed = 0;
  let failedTotal = 0;

  const setFaults = (faults: SesFaults) => {
    config = SesFaultsSchema.parse(faults);
    failed = 0;
  };
  const clearFaults = () => {
    config = {};
  };
  const faults = (): SesFaultState => ({
    ...config,
    code: config.code ?? DEFAULT_FAULT_CODE,
    status: config.status ?? DEFAULT_FAULT_STATUS,
    failed,
    failedTotal,
  });

  /** Why this request must fail, or undefined to forward it. */
  const faultFor = (recipients: string[]): string | undefined => {
    if (config.failAll) return 'every request fails (failAll)';
    const refused = config.failFor?.map((a) => a.toLowerCase());
    const hit = refused && recipients.find((r) => refused.includes(r));
    if (hit) return `mail to ${hit} fails (failFor)`;
    if (config.failNext && config.failNext > 0) {
      config.failNext--;
      return `the next ${config.failNext + 1} request(s) fail (failNext)`;
    }
    return undefined;
  };

  const control = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET') return sendJson(res, 200, faults());
    if (req.method === 'DELETE') {
      clearFaults();
      return sendJson(res, 200, faults());
    }
    if (req.method === 'PUT') {
      let input: unknown;
      try {
        const text = (await readBody(req)).toString('utf8');
        input = text.trim() === '' ? {} : JSON.parse(text);
      } catch {
        return sendJson(res, 400, { message: 'The body is not valid JSON.' });
      }
      const parsed = SesFaultsSchema.safeParse(input);
      if (!parsed.success) return sendJson(res, 400, { message: 'Invalid faults.', errors: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`) });
      setFaults(parsed.data);
      return sendJson(res, 200, faults());
    }
    return sendJson(res, 405, { message: `${req.method} is not allowed on ${CONTROL_PATH}; use GET, PUT or DELETE.` }, { allow: 'GET, PUT, DELETE' });
  };

  const fail = (res: ServerResponse, protocol: 'v1' | 'v2', reason: string) => {
    failed++;
    failedTotal++;
    const { code, status } = faults();
    const message = `Injected failure (local SES fault proxy): ${reason}.`;
    const requestId = randomUUID();
    if (protocol === 'v2') return sendJson(res, status, { message }, { 'x-amzn-errortype': code, 'x-amzn-requestid': requestId });
    const xml =
      '<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/">' +
      `<Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>` +
      `<RequestId>${requestId}</RequestId></ErrorResponse>`;
    res.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(xml), 'x-amzn-requestid': requestId });
    res.end(xml);
  };

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    // The body was read whole: it goes on with a length, never chunked.
    const { 'transfer-encoding': _chunked, ...headers } = req.headers;
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...headers, host: target.host, 'content-length': String(body.length) },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (res.headersSent) return res.destroy(error);
      sendJson(res, 502, { message: `The local SES (${target.origin}) did not answer: ${error.message}` });
    });
    upstream.end(body);
  };

  const server = createServer(async (req, res) => {
    try {
      const path = (req.url ?? '/').split('?', 1)[0]!;
      if (path === CONTROL_PATH) return await control(req, res);
      const body = await readBody(req);
      const v2 = path.startsWith('/v2/email/');
      const v1 = !v2 && path === '/' && req.method === 'POST';
      if (v2 || v1) {
        const recipients = v2 ? v2Recipients(path, body.toString('utf8')) : v1Recipients(new URLSearchParams(body.toString('utf8')));
        const reason = faultFor(recipients);
        if (reason) return fail(res, v2 ? 'v2' : 'v1', reason);
      }
      forward(req, res, body);
    } catch (error) {
      console.error('[ses-proxy]', error);
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal failure of the local SES fault proxy.' });
      else res.destroy();
    }
  });

  const port = await listenOnLoopback(server, options.port);

  return {
    url: `http://127.0.0.1:${port}`,
    setFaults,
    clearFaults,
    faults,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
