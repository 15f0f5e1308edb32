// Which browser the tests drive, and how: Debian's package (apt-get install chromium), never a downloaded build.
// The flags keep it off this machine's closed network (no background, component-update or sync traffic).
export const CHROMIUM_PATH = process.env.TASKWELL_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
