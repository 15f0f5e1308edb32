// SES, offline: `aws-ses-v2-local` in-process. It accepts SES v1 and v2 SendEmail calls (any
// SigV4-signed request), keeps the mail in memory, lists it at `GET /store` and shows it at `/`.
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { freePort } from '#local/ports';

export interface MailViewer {
  url: string;
  stop(): Promise<void>;
}

type StartSes = (config?: { host?: string; port?: number }) => Promise<Server>;

export const startMailViewer = async (options: { port?: number } = {}): Promise<MailViewer> => {
  const port = options.port ?? (await freePort());
  const start = (createRequire(import.meta.url)('aws-ses-v2-local') as { default: StartSes }).default;
  const server = await start({ host: '127.0.0.1', port });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
