// `npm run dlq`: see and redrive what is parked in Taskwell's dead-letter queues, locally or in AWS.
// The logic is importable (`runDlq(argv, io)`) so the tests run it in-process; scripts/dlq.ts is the command.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { peek, renderView, view } from './messages.ts';
import { DlqProblem, explainSdkError } from './problem.ts';
import { redrive, type RedriveResult } from './redrive.ts';
import { findDlq, prepareTarget, QueueDirectory, queueCounts, resolveTarget, type DlqEntry, type Target } from './target.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface DlqIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Where a confirmation is read from (default process.stdin). */
  stdin: NodeJS.ReadableStream;
  /** Whether someone can answer a question (default: stdin and stdout are terminals). */
  interactive: boolean;
  env: NodeJS.ProcessEnv;
}

export const USAGE = `Usage: npm run dlq -- [command] [options]

Commands
  list                         every DLQ with its message count and where its messages go back to (default)
  show <dlq> [--max N] [--json]
                               the messages of one DLQ, read without consuming them (default --max 10)
  redrive <dlq|all> [--max N] [--yes]
                               move messages back: a queue's DLQ to its queue, the rule-targets DLQ to each
                               message's target queue, the publisher DLQ by replaying its stream batches
  <dlq> is a queue name (taskwell-audit-dlq) or its short name (audit, rule-targets, publisher).

Where
  --local                      the local stack (default when .taskwell/runtime.json exists)
  --endpoint-file <file>       the local stack described by another runtime.json
  --aws                        the deployed stacks, with the default AWS credential chain
  --stack <name>               the stateful stack whose queues to use (default TaskwellStateful)
  --region <region>            the region (default: AWS_REGION / the profile's)

Options
  --max <N>                    at most N messages (per DLQ)
  --json                       machine-readable output (list, show)
  --yes, -y                    redrive without asking (required when stdin is not a terminal)
  --help, -h                   this text

See docs/operations.md.
`;

const OPTIONS = {
  local: { type: 'boolean' },
  aws: { type: 'boolean' },
  stack: { type: 'string' },
  region: { type: 'string' },
  'endpoint-file': { type: 'string' },
  max: { type: 'string' },
  json: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

const usageProblem = (title: string, detail: string) => new DlqProblem(title, detail, 'Run `npm run dlq -- --help` for the commands and options.', 2);

const parse = (argv: string[]) => {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    return { values: values as Values, positionals };
  } catch (error) {
    throw usageProblem('invalid arguments', (error as Error).message);
  }
};

const parseMax = (value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw usageProblem(`--max ${value} is not a whole number of messages`, '--max takes a number ≥ 1.');
  return n;
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const table = (rows: string[][], rightAligned: Set<number>): string => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
};

// ---------------------------------------------------------------------------------------------------------

const list = async (target: Target, directory: QueueDirectory, values: Values, io: DlqIo): Promise<number> => {
  const rows = await Promise.all(
    target.dlqs.map(async (dlq) => {
      const url = await directory.find(dlq.name);
      const counts = url ? await queueCounts(target, url) : undefined;
      return { dlq, counts };
    }),
  );
  if (rows.every((r) => !r.counts)) {
    throw new DlqProblem(
      `none of the DLQs exists in ${target.label}`,
      `Looked for ${target.dlqs.map((d) => d.name).join(', ')}.`,
      target.kind === 'aws'
        ? 'Check --stack (default TaskwellStateful) and --region: the stateful stack is not deployed there under that name.'
        : 'Restart the local stack with `npm start`: this one did not create the event queues.',
    );
  }
  if (values.json) {
    io.stdout.write(
      JSON.stringify(
        rows.map(({ dlq, counts }) => ({
          name: dlq.name,
          kind: dlq.kind,
          exists: counts !== undefined,
          messages: counts ? counts.visible + counts.inFlight : null,
          visible: counts?.visible ?? null,
          inFlight: counts?.inFlight ?? null,
          redrivesTo: dlq.redrivesTo,
          holds: dlq.holds,
        })),
        null,
        2,
      ) + '\n',
    );
    return 0;
  }
  const total = rows.reduce((sum, r) => sum + (r.counts ? r.counts.visible + r.counts.inFlight : 0), 0);
  io.stdout.write(`DLQs of ${target.label}\n\n`);
  io.stdout.write(
    table(
      [
        ['DLQ', 'MESSAGES', 'IN FLIGHT', 'REDRIVES TO'],
        ...rows.map(({ dlq, counts }) => [
          dlq.name,
          counts ? String(counts.visible + counts.inFlight) : 'missing',
          counts ? String(counts.inFlight) : '-',
          dlq.redrivesTo,
        ]),
      ],
      new Set([1, 2]),
    ),
  );
  io.stdout.write(
    total === 0
      ? '\nAll DLQs are empty.\n'
      : `\n${plural(total, 'message')} parked. Read them with \`npm run dlq -- show <dlq>\`; move them back with \`npm run dlq -- redrive <dlq|all>\`.\n`,
  );
  return 0;
};

const show = async (target: Target, directory: QueueDirectory, name: string, values: Values, io: DlqIo): Promise<number> => {
  const dlq = findDlq(target, name);
  const max = parseMax(values.max, 10);
  const url = await directory.get(dlq.name);
  const counts = await queueCounts(target, url);
  const messages = (await peek(target, url, max, counts.visible)).map((m) => view(dlq, m));
  if (values.json) {
    io.stdout.write(JSON.stringify({ dlq: dlq.name, kind: dlq.kind, visible: counts.visible, inFlight: counts.inFlight, redrivesTo: dlq.redrivesTo, messages }, null, 2) + '\n');
    return 0;
  }
  io.stdout.write(`${dlq.name} — ${dlq.holds}; redrive → ${dlq.redrivesTo}\n`);
  io.stdout.write(
    `${plural(counts.visible + counts.inFlight, 'message')}${counts.inFlight ? ` (${counts.inFlight} in flight, not shown)` : ''}${messages.length < counts.visible ? `, showing ${messages.length} (--max ${max})` : ''}\n`,
  );
  for (const m of messages) io.stdout.write(`\n${renderView(m)}`);
  return 0;
};

const confirm = async (question: string, io: DlqIo): Promise<boolean> => {
  io.stdout.write(question);
  const rl = createInterface({ input: io.stdin, terminal: false });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
};

const redriveCommand = async (target: Target, directory: QueueDirectory, name: string, values: Values, io: DlqIo): Promise<number> => {
  const chosen: DlqEntry[] = name === 'all' ? target.dlqs : [findDlq(target, name)];
  const max = parseMax(values.max, Number.POSITIVE_INFINITY);
  const planned: { dlq: DlqEntry; visible: number }[] = [];
  for (const dlq of chosen) {
    const counts = await queueCounts(target, await directory.get(dlq.name));
    if (counts.visible > 0) planned.push({ dlq, visible: counts.visible });
  }
  if (planned.length === 0) {
    io.stdout.write(`Nothing to redrive: ${chosen.map((d) => d.name).join(', ')} ${chosen.length === 1 ? 'is' : 'are'} empty.\n`);
    return 0;
  }
  const plan = planned
    .map(({ dlq, visible }) => `  ${dlq.name}: ${Number.isFinite(max) && max < visible ? `${max} of ${visible}` : plural(visible, 'message')} → ${dlq.redrivesTo}`)
    .join('\n');
  if (!values.yes) {
    if (!io.interactive) {
      throw new DlqProblem(
        'refusing to redrive without confirmation',
        `Nothing was moved. This would redrive, in ${target.label}:\n${plan.replaceAll('  ', '')}\nbut stdin is not a terminal, so there is no one to ask.`,
        `Re-run with --yes to confirm: npm run dlq -- redrive ${name}${values.max ? ` --max ${values.max}` : ''} --yes`,
        2,
      );
    }
    io.stdout.write(`In ${target.label}, this will redrive:\n${plan}\n`);
    if (!(await confirm('Proceed? [y/N] ', io))) {
      io.stdout.write('Nothing moved.\n');
      return 1;
    }
  }
  const results: RedriveResult[] = [];
  for (const { dlq } of planned) {
    io.stdout.write(`${dlq.name} → ${dlq.redrivesTo}\n`);
    const result = await redrive(target, directory, dlq, {
      max,
      onProgress: (event) =>
        io.stdout.write(
          'moved' in event
            ? `  moved  ${event.moved.messageId}  ${event.moved.what} → ${event.moved.to}\n`
            : `  kept   ${event.kept.messageId}  ${event.kept.reason}\n`,
        ),
    });
    results.push(result);
    io.stdout.write(`  ${result.moved.length} moved, ${result.kept.length} kept; ${plural(result.left, 'message')} left in ${dlq.name}\n`);
  }
  const kept = results.reduce((n, r) => n + r.kept.length, 0);
  const moved = results.reduce((n, r) => n + r.moved.length, 0);
  io.stdout.write(`\nRedrove ${plural(moved, 'message')}${kept ? `; ${kept} could not be moved and stay in their DLQ (see "kept" above)` : ''}.\n`);
  return kept > 0 ? 1 : 0;
};

/** Runs `npm run dlq -- <argv>`; answers the exit code. */
export const runDlq = async (argv: readonly string[], ioOverrides: Partial<DlqIo> = {}): Promise<number> => {
  const io: DlqIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    env: process.env,
    ...ioOverrides,
  };
  let target: Target | undefined;
  try {
    const { values, positionals } = parse([...argv]);
    if (values.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    const [command = 'list', name, ...extra] = positionals;
    if (!['list', 'show', 'redrive'].includes(command)) throw usageProblem(`unknown command "${command}"`, 'The commands are list, show and redrive.');
    if (command === 'list' && name !== undefined) throw usageProblem(`list takes no argument (got "${name}")`, '`list` shows every DLQ.');
    if (command !== 'list' && name === undefined) throw usageProblem(`${command} needs a DLQ name`, `e.g. npm run dlq -- ${command} audit${command === 'redrive' ? ' (or all)' : ''}`);
    if (extra.length > 0) throw usageProblem(`unexpected argument "${extra[0]}"`, `${command} takes one DLQ name.`);
    if (values.yes && command !== 'redrive') throw usageProblem('--yes applies to redrive only', `${command} changes nothing.`);
    if (values.json && command === 'redrive') throw usageProblem('--json applies to list and show', 'redrive prints what it moved.');

    target = resolveTarget({ local: values.local, aws: values.aws, stack: values.stack, region: values.region, endpointFile: values['endpoint-file'], env: io.env });
    await prepareTarget(target);
    const directory = new QueueDirectory(target);
    if (command === 'list') return await list(target, directory, values, io);
    if (command === 'show') return await show(target, directory, name!, values, io);
    return await redriveCommand(target, directory, name!, values, io);
  } catch (error) {
    const explained = target ? explainSdkError(error, { kind: target.kind, label: target.label, endpoint: target.endpoints.sqs }) : error;
    if (explained instanceof DlqProblem) {
      io.stderr.write(explained.render());
      return explained.exitCode;
    }
    io.stderr.write(`error: ${(explained as Error)?.stack ?? String(explained)}\n`);
    return 1;
  } finally {
    target?.destroy();
  }
};
