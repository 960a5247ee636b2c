#!/usr/bin/env node
// The Kwizly delivery pipeline alone: `npx cdk deploy --app "npx tsx bin/pipeline.ts" KwizlyDelivery
// --parameters ConnectionArn=arn:aws:codeconnections:...` once; from then on every push to main deploys
// development, staging (load-tested) and, after an approval, production.
import { App } from 'aws-cdk-lib';
import { DEFAULT_EXAMPLE_REGION } from './app';
import { KwizlyDeliveryStack } from '../examples/kwizly-delivery';

const app = new App();
new KwizlyDeliveryStack(app, 'KwizlyDelivery', { env: { region: app.node.tryGetContext('region') ?? DEFAULT_EXAMPLE_REGION } });
app.synth();
