// Integration test of the Run The World example: integ-runner checks the committed snapshot in CI
// (no deploy); `npm run integ:update` records it; with AWS credentials a plain integ-runner run deploys it.
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { RunTheWorldStack } from '../examples/run-the-world';

const app = new App();
// Deletion protection would make the teardown of a real integ run fail.
const stack = new RunTheWorldStack(app, 'IntegRunTheWorld', { env: { region: 'us-east-1' }, deletionProtection: false });
new IntegTest(app, 'RunTheWorldInteg', { testCases: [stack] });
