#!/usr/bin/env node
// The Karma Labs example alone (the library's side of the like-for-like synth benchmark,
// bench/synth.ts): the same one stack as bench/plain-karma/app.ts, same region, no account.
import { App } from 'aws-cdk-lib';
import { KarmaLabsStack } from '../../examples/karma-labs';

const app = new App();
new KarmaLabsStack(app, 'KarmaLabs', {
  env: { region: 'us-east-1' },
  description: 'cdk-web-tiers example: Karma Labs (benchmark, library side)',
});
app.synth();
