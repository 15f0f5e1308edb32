// Invoked by the reminder state machine when a schedule's instant has come: records due reminders as sent and the
// task as overdue (the stream announces ReminderDue / TaskOverdue), and answers when to wake up next.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { wakeUp, type ExecutionInput, type WakeUpResult } from '#shared/domain/reminders';
import { taskStore } from '#shared/store/task-store';
import { flushMetrics, logger, metrics } from '#shared/observability/powertools';

export const handler = middy<ExecutionInput, WakeUpResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(flushMetrics())
  .handler(async (input) => {
    const result = await wakeUp(taskStore, input, () => new Date());
    if (result.sent) metrics.addMetric('RemindersSent', MetricUnit.Count, result.sent);
    if (result.overdue) metrics.addMetric('TasksOverdue', MetricUnit.Count, 1);
    logger.info('woke up', { taskId: input.taskId, remindersVersion: input.remindersVersion, sent: result.sent, overdue: result.overdue, next: result.at });
    return result;
  });
