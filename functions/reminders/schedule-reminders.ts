// Reminders queue consumer: starts the Step Functions execution of a task's new reminder schedule and stops the
// one it supersedes. Both are idempotent (the execution name is the task and its schedule version), so a
// redelivered or reordered event does no harm; a superseded execution that runs anyway wakes up to a no-op.
import { SFNClient, StartExecutionCommand, StopExecutionCommand, ExecutionAlreadyExists, ExecutionDoesNotExist } from '@aws-sdk/client-sfn';
import { domainEventConsumer } from '#shared/events/consumer';
import { schedulerCommands, type ScheduledTask } from '#shared/domain/reminders';
import { logger } from '#shared/observability/powertools';

const sfn = new SFNClient({});

const stateMachineArn = (): string => {
  const arn = process.env.STATE_MACHINE_ARN;
  if (!arn) throw new Error('STATE_MACHINE_ARN is not set');
  return arn;
};

/** arn:…:stateMachine:<machine> → arn:…:execution:<machine>:<name> */
const executionArn = (name: string) => `${stateMachineArn().replace(':stateMachine:', ':execution:')}:${name}`;

const scheduled = (state: Record<string, unknown> | null): ScheduledTask | null =>
  state
    ? {
        id: String(state.id),
        status: state.status as ScheduledTask['status'],
        dueAt: (state.dueAt as string | null) ?? null,
        reminders: Array.isArray(state.reminders) ? (state.reminders as ScheduledTask['reminders']) : [],
        remindersVersion: Number(state.remindersVersion ?? 0),
        overdueAt: (state.overdueAt as string | null) ?? null,
      }
    : null;

export const handler = domainEventConsumer(async (event) => {
  if (event.entity.type !== 'Task') return;
  const commands = schedulerCommands(scheduled(event.before), scheduled(event.after));
  if (commands.stop) {
    try {
      await sfn.send(new StopExecutionCommand({ executionArn: executionArn(commands.stop), cause: 'The task was rescheduled, completed or deleted' }));
      logger.info('stopped a superseded reminder schedule', { execution: commands.stop });
    } catch (error) {
      if (!(error instanceof ExecutionDoesNotExist)) throw error;
    }
  }
  if (commands.start) {
    try {
      await sfn.send(new StartExecutionCommand({ stateMachineArn: stateMachineArn(), name: commands.start.name, input: JSON.stringify(commands.start.input) }));
      logger.info('started a reminder schedule', { execution: commands.start.name, at: commands.start.input.at });
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  }
});
