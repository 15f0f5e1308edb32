// `npm run dlq`: list, show and redrive what is parked in the DLQs (local stack or AWS). See docs/operations.md.
import { runDlq } from './dlq/cli.ts';

process.exitCode = await runDlq(process.argv.slice(2));
