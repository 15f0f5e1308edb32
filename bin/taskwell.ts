// The CDK app: a stateful stack (table, user pool) and a stateless stack (API, functions) that receives them.
// Both stacks are environment-agnostic, so `npm run synth` needs no AWS credentials and no network; `cdk deploy`
// picks the account and region from the caller's AWS profile. cdk-nag checks the whole app on every synth.
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '#lib/app';

const app = new App();
buildApp(app);
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
app.synth();
