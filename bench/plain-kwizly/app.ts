#!/usr/bin/env node
// A plain aws-cdk-lib app with the hand-written Kwizly stack, for bench/synth.ts.
// Region but no account, like bin/app.ts: it synthesizes offline without credentials.
import { App } from 'aws-cdk-lib';
import { KwizlyPlainStack } from './kwizly-plain-stack';

const app = new App();
new KwizlyPlainStack(app, 'KwizlyPlain', {
  env: { region: 'us-east-1' },
  description: 'Kwizly written by hand with plain aws-cdk-lib (benchmark baseline)',
});
app.synth();
