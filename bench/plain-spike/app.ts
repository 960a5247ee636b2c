#!/usr/bin/env node
// A plain aws-cdk-lib web tier (bench/plain-spike/plain-web-stack.ts) for bench/spike.ts.
// Region but no account: it synthesizes offline without credentials.
import { App } from 'aws-cdk-lib';
import { PlainWebStack } from './plain-web-stack';

const app = new App({
  // What `cdk init` writes into a new project's cdk.json: groups get a launch template.
  context: { '@aws-cdk/aws-autoscaling:generateLaunchTemplateInsteadOfLaunchConfig': true },
});
new PlainWebStack(app, 'PlainWeb', {
  env: { region: 'us-east-1' },
  description: 'A web tier written with plain aws-cdk-lib (spike benchmark baseline)',
});
app.synth();
