// Moving parked messages back to where they came from (shared/ops/dlq.ts does the moving, at least once and no more
// than that); the command adds what only it can do: replaying a publisher DLQ message from the table stream.
import { redrive as sharedRedrive, type Kept, type Moved, type RedriveOptions, type RedriveResult } from '#shared/ops/dlq';
import { replayBatch } from './replay.ts';
import type { DlqEntry, QueueDirectory, Target } from './target.ts';

export { REDRIVE_HOLD_SECONDS, type Kept, type Moved, type RedriveResult } from '#shared/ops/dlq';

export interface CliRedriveOptions extends Omit<RedriveOptions, 'replay'> {
  onProgress?: (event: { moved: Moved } | { kept: Kept }) => void;
}

/** Redrives one DLQ; publisher batches are replayed through the publisher function. */
export const redrive = (target: Target, directory: QueueDirectory, dlq: DlqEntry, options: CliRedriveOptions): Promise<RedriveResult> =>
  sharedRedrive(target, directory, dlq, { ...options, replay: (message) => replayBatch(target, message) });
