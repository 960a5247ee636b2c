/**
 * aws-cdk-lib 2.262 and later validate every synthesized template against CloudFormation's
 * default rules (schema, patterns, common misconfigurations); with the feature flag
 * `@aws-cdk/core:validateAgainstDefaultRules` set to true a finding fails synth. The examples
 * must pass with the flag on. The CI matrix runs this on the newest aws-cdk-lib; the floor
 * (2.257) has no such validation, so there the test is skipped.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnResource, Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { buildExamplesApp } from '../bin/app';

const FLAG = '@aws-cdk/core:validateAgainstDefaultRules';
const supported = FLAG in ((cxapi as unknown as { FLAGS?: Record<string, unknown> }).FLAGS ?? {});
const testIfSupported = supported ? test : test.skip;

describe(`CloudFormation default rules (${FLAG})`, () => {
  let outdir: string;
  beforeEach(() => { outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-web-tiers-cfn-validate-')); });
  afterEach(() => fs.rmSync(outdir, { recursive: true, force: true }));

  testIfSupported('every example stack synthesizes with the flag on', () => {
    const app = buildExamplesApp({ outdir, context: { [FLAG]: true } });
    const assembly = app.synth();
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual(['Buycycle', 'BuycycleHybrid', 'KarmaLabs', 'Kwizly', 'KwizlyDelivery', 'RunTheWorld']);
  });

  testIfSupported('the validation is live: a bad bucket name fails synth', () => {
    const app = buildExamplesApp({ outdir, context: { [FLAG]: true } });
    const stack = new Stack(app, 'Bad', { env: { region: 'us-east-1' } });
    new CfnResource(stack, 'Bucket', { type: 'AWS::S3::Bucket', properties: { BucketName: 'Not_A_Valid_Name' } });
    expect(() => app.synth()).toThrow(/BucketName: 'Not_A_Valid_Name' does not match pattern/);
  });
});
