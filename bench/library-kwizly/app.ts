#!/usr/bin/env node
// The Kwizly example alone (the library's side of the like-for-like synth benchmark,
// bench/synth.ts): the same one stack as bench/plain-kwizly/app.ts, same region, no account.
import { App } from 'aws-cdk-lib';
import { KwizlyStack } from '../../examples/kwizly';

const app = new App();
new KwizlyStack(app, 'Kwizly', {
  env: { region: 'us-east-1' },
  description: 'cdk-web-tiers example: Kwizly (benchmark, library side)',
});
app.synth();
