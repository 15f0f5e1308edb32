// What the figures were measured on: machine, runtime, date and the commit (with a marker when the tree had changes).
import { execFileSync, spawnSync } from 'node:child_process';
import { availableParallelism, cpus, release, totalmem, type as osType } from 'node:os';

export interface MachineInfo {
  cpu: string;
  cores: number;
  ramGb: number;
  os: string;
  node: string;
  java: string;
  date: string;
  commit: string;
  /** Files changed but not committed when the bench ran (the figures describe this tree, not the commit alone). */
  dirty: boolean;
}

const git = (args: string[], cwd: string): string => {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
};

const javaVersion = (): string => {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const first = `${result.stderr ?? ''}${result.stdout ?? ''}`.split('\n')[0]?.trim();
  return first || 'not found';
};

export const machineInfo = (root: string): MachineInfo => ({
  cpu: cpus()[0]?.model.trim() ?? 'unknown',
  cores: availableParallelism(),
  ramGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
  os: `${osType()} ${release()}`,
  node: process.version,
  java: javaVersion(),
  date: new Date().toISOString(),
  commit: git(['rev-parse', '--short', 'HEAD'], root) || 'unknown',
  dirty: git(['status', '--porcelain', '--untracked-files=no'], root) !== '',
});
