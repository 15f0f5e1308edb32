import type { Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';

/** Asks the OS for a free loopback port. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

/** Polls until `probe` resolves, or fails after `timeoutMs`. */
export const waitFor = async (what: string, probe: () => Promise<unknown>, timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await probe();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms: ${String(lastError)}`);
};

/** True when nothing listens on `port` (on loopback). */
export const isPortFree = (port: number, host = '127.0.0.1'): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });

/**
 * The port to listen on: an explicitly requested one must be free (else a clear error naming the
 * variable that set it); a default that is taken falls back to any free port.
 */
export const choosePort = async (what: string, options: { explicit?: number; envName?: string; preferred?: number }): Promise<number> => {
  if (options.explicit !== undefined) {
    if (!(await isPortFree(options.explicit))) {
      const how = options.envName ? ` (set by ${options.envName}; choose another)` : '';
      throw new Error(`${what}: port ${options.explicit} is already in use${how}.`);
    }
    return options.explicit;
  }
  if (options.preferred !== undefined && (await isPortFree(options.preferred))) return options.preferred;
  return freePort();
};

/** A port number from an environment variable, or undefined; rejects garbage with a clear message. */
export const portFromEnv = (name: string, env: NodeJS.ProcessEnv = process.env): number | undefined => {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name}=${raw} is not a port number.`);
  return port;
};

/** Starts `server` on loopback at `port` (omitted → a free one) and answers the port it got; rejects if it is taken. */
export const listenOnLoopback = async (server: Server, port?: number): Promise<number> => {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port ?? 0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
};
