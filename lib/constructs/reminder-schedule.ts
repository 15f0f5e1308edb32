// The reminder schedule: a Standard state machine (shared/reminders/state-machine.ts, the definition the local
// runtime runs too) that waits for each reminder of a task and wakes the reminder function, which records what
// is due. Logging ALL (with execution data) and X-Ray tracing, so an operator can follow one task's schedule.
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { TaskwellFunction } from '#lib/constructs/taskwell-function';
import { REMINDER_STATE_MACHINE, reminderStateMachineDefinition } from '#shared/reminders/state-machine';
import { functionId } from '#shared/routes';

export interface ReminderScheduleProps {
  table: ITable;
  userPool: IUserPool;
  userPoolClient: IUserPoolClient;
}

export class ReminderSchedule extends Construct {
  readonly stateMachine: StateMachine;
  /** Known at synth time (the attribute is a token), for IAM ARNs of its executions. */
  readonly stateMachineName: string;
  readonly wakeUp: TaskwellFunction;

  constructor(scope: Construct, id: string, props: ReminderScheduleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.wakeUp = new TaskwellFunction(this, functionId(REMINDER_STATE_MACHINE.handler), {
      ...props,
      entry: REMINDER_STATE_MACHINE.handler,
      grants: { table: 'readwrite' },
      timeout: Duration.seconds(REMINDER_STATE_MACHINE.timeoutSeconds),
      description: 'Woken by the reminder state machine: records due reminders as sent and the task as overdue',
    });
    const stateMachineName = `${stack.stackName}-${REMINDER_STATE_MACHINE.name}`;
    this.stateMachineName = stateMachineName;
    const logs = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(JSON.stringify(reminderStateMachineDefinition(this.wakeUp.function.functionArn))),
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
      comment: 'One execution per task reminder schedule (the execution name is the task id and schedule version)',
    });
    this.wakeUp.function.grantInvoke(this.stateMachine);
    NagSuppressions.addResourceSuppressions(
      this.stateMachine,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'lambda:InvokeFunction on "<wake-up function ARN>:*" (its versions and aliases, added by grantInvoke) and the ' +
            'X-Ray and CloudWatch Logs delivery actions, which support no resource-level permissions.',
        },
      ],
      true,
    );
  }
}
