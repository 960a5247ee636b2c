// Integration test of the Buycycle example: integ-runner checks the committed snapshot in CI
// (no deploy); `npm run integ:update` records it; with AWS credentials a plain integ-runner run deploys it.
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { BuycycleStack } from '../examples/buycycle';

const app = new App();
// Deletion protection would make the teardown of a real integ run fail.
const stack = new BuycycleStack(app, 'IntegBuycycle', { env: { region: 'us-east-1' }, deletionProtection: false });
new IntegTest(app, 'BuycycleInteg', { testCases: [stack] });
