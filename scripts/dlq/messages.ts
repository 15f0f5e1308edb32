// Reading DLQ messages without consuming them, and saying what each one is. The reading and the summaries are
// shared with the admin API (shared/ops/dlq.ts); this module adds their rendering for a terminal.
import type { MessageView } from '#shared/ops/dlq';

export {
  EVENTBRIDGE_DLQ_ATTRIBUTES,
  PEEK_HOLD_SECONDS,
  peek,
  receive,
  release,
  streamBatchInfo,
  targetQueueOf,
  view,
  type MessageView,
  type ReceiveOptions,
  type StreamBatchInfo,
} from '#shared/ops/dlq';

export const renderView = (v: MessageView): string => {
  const lines: [string, string][] = [
    ['received', `${v.receiveCount} time${v.receiveCount === 1 ? '' : 's'} (first ${v.firstReceivedAt ?? '?'})`],
    ['sent', v.sentAt ?? '?'],
    ...v.summary,
  ];
  const width = Math.max(...lines.map(([k]) => k.length));
  return `message ${v.messageId}\n${lines.map(([k, value]) => `  ${k.padEnd(width)}  ${value}`).join('\n')}\n`;
};
