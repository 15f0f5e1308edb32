// Child processes that cannot outlive us. An emulator is started through a tiny Node watchdog that
// runs it, forwards SIGTERM/SIGINT to it, mirrors its exit, and kills it if our process disappears
// without stopping it (SIGKILL, a crash, a killed test runner) — so no orphaned java or
// cognito-local is ever left behind.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const WATCHDOG = `
const { spawn } = require('node:child_process');
const [command, ...args] = process.argv.slice(1);
const owner = process.ppid;
const child = spawn(command, args, { stdio: 'inherit' });
let stopping = false;
const stop = (signal) => {
  if (stopping) return;
  stopping = true;
  child.kill(signal);
  setTimeout(() => child.kill('SIGKILL'), 5000).unref();
};
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => stop(signal === 'SIGINT' ? 'SIGTERM' : signal));
setInterval(() => { if (process.ppid !== owner) stop('SIGTERM'); }, 500).unref();
child.on('error', (error) => { console.error(String(error)); process.exit(127); });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (require('node:os').constants.signals[signal] ?? 0) : 1)));
`;

/** Like `spawn(command, args, options)`, but the process dies with us. */
export const spawnTethered = (command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess =>
  spawn(process.execPath, ['-e', WATCHDOG, command, ...args], options);
