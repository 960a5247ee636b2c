#!/usr/bin/env node
// A plain aws-cdk-lib app with the hand-written Karma Labs stack, for bench/synth.ts.
// Region but no account, like bin/app.ts: it synthesizes offline without credentials.
import { App } from 'aws-cdk-lib';
import { KarmaPlainStack } from './karma-plain-stack';

const app = new App();
new KarmaPlainStack(app, 'KarmaPlain', {
  env: { region: 'us-east-1' },
  description: 'Karma Labs written by hand with plain aws-cdk-lib (benchmark baseline)',
});
app.synth();
