// Integration test of the Buycycle hybrid example: integ-runner checks the committed snapshot in CI
// (no deploy); `npm run integ:update` records it; with AWS credentials a plain integ-runner run deploys it.
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { BuycycleHybridStack } from '../examples/buycycle-hybrid';

const app = new App();
// Deletion protection would make the teardown of a real integ run fail.
const stack = new BuycycleHybridStack(app, 'IntegBuycycleHybrid', { env: { region: 'us-east-1' }, deletionProtection: false });
new IntegTest(app, 'BuycycleHybridInteg', { testCases: [stack] });
