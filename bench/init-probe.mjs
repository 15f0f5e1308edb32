// Cold-init probe (plain JavaScript, run by bare `node`: no loader in the way). Imports one bundle, which runs
// its module-scope init, and prints the milliseconds since this process started (performance.timeOrigin).
// Also the CPU time the process used (all its threads), which a busy machine inflates far less than wall time.
//   node init-probe.mjs /abs/path/index.mjs   →   {"bootMs":…,"importMs":…,"totalMs":…,"cpuMs":…}
import { pathToFileURL } from 'node:url';

const bootMs = performance.now();
const started = process.hrtime.bigint();
await import(pathToFileURL(process.argv[2]).href);
const importMs = Number(process.hrtime.bigint() - started) / 1e6;
const totalMs = performance.now();
const cpu = process.cpuUsage();
process.stdout.write(JSON.stringify({ bootMs, importMs, totalMs, cpuMs: (cpu.user + cpu.system) / 1000 }));
