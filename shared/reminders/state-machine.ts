// The reminder state machine, declared once: the CDK stateless stack deploys it (Standard, logging ALL, tracing)
// and the local runtime runs the same definition with aws-local-stepfunctions. JSONPath only (no JSONata: the
// local runner ignores it). One execution per (task, remindersVersion): Wait until `$.at`, wake the function,
// and loop while it names another instant.
export const REMINDER_STATE_MACHINE = {
  /** The state machine is `<stateless stack>-reminders` in AWS, `taskwell-reminders` locally. */
  name: 'reminders',
  /** The function each wake-up invokes. */
  handler: 'functions/reminders/wake-up.ts',
  timeoutSeconds: 10,
} as const;

/** The errors Lambda's service raises that are worth retrying (the AWS-recommended set for lambda:invoke). */
const LAMBDA_TRANSIENT = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];

export const reminderStateMachineDefinition = (wakeUpFunctionArn: string) => ({
  Comment: 'Waits for each reminder of one task schedule, then wakes the reminder function, until nothing is left to wait for',
  StartAt: 'WaitUntilDue',
  States: {
    WaitUntilDue: { Type: 'Wait', TimestampPath: '$.at', Next: 'WakeUp' },
    WakeUp: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: {
        FunctionName: wakeUpFunctionArn,
        Payload: { 'taskId.$': '$.taskId', 'remindersVersion.$': '$.remindersVersion', 'at.$': '$.at' },
      },
      ResultSelector: {
        'taskId.$': '$.Payload.taskId',
        'remindersVersion.$': '$.Payload.remindersVersion',
        'at.$': '$.Payload.at',
        'done.$': '$.Payload.done',
      },
      Retry: [
        { ErrorEquals: LAMBDA_TRANSIENT, IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 },
        // A table hiccup or a throttle inside the function: waking up is idempotent, so try again for a while.
        { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 5, MaxAttempts: 5, BackoffRate: 2 },
      ],
      Next: 'MoreToWaitFor',
    },
    MoreToWaitFor: {
      Type: 'Choice',
      Choices: [{ Variable: '$.done', BooleanEquals: false, Next: 'WaitUntilDue' }],
      Default: 'Done',
    },
    Done: { Type: 'Succeed' },
  },
});
