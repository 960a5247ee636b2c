import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledgeFinding } from '../../lib/common/acknowledge';
import { TemplateAck, synthesizeStacks, templateAcks, writeBareTemplates } from '../../scripts/validate/assembly';
import { runCdkNag } from '../../scripts/validate/cdk-nag';
import { Finding, StackInfo } from '../../scripts/validate/model';
import { splitByToolSuppression, templateAckProblems } from '../../scripts/validate/template-acks';

const REASON = 'Fixture bucket for this test, holds nothing of value';

function finding(rule: string, logicalId = 'Bucket', stack = 'S'): Finding {
  return { validator: 'checkov', stack, constructPath: `${stack}/${logicalId}`, logicalId, rule, message: rule };
}

describe('splitByToolSuppression', () => {
  test('what only the bare run reports is acknowledged, compared as a multiset', () => {
    const key = (f: Finding): string => `${f.logicalId}|${f.rule}`;
    const real = [finding('A')];
    const bare = [finding('A'), finding('B'), finding('A')];
    const { findings, acknowledged } = splitByToolSuppression(real, bare, key);
    expect(findings.map((f) => f.rule)).toEqual(['A']);
    expect(acknowledged.map((f) => f.rule)).toEqual(['B', 'A']);
  });
});

describe('templateAckProblems', () => {
  const stack = { name: 'S' } as StackInfo;
  const ack = (id: string, reason: string | undefined, tool: TemplateAck['tool'] = 'checkov'): TemplateAck => ({ tool, stack, logicalId: 'Bucket', id, reason });
  const matches = (a: TemplateAck, f: Finding): boolean => a.logicalId === f.logicalId && a.id === f.rule;

  test('a used acknowledgement with a reason is fine', () => {
    expect(templateAckProblems('checkov', [ack('CKV_AWS_18', REASON)], [finding('CKV_AWS_18')], matches)).toEqual([]);
  });

  test('stale, missing and short reasons are problems', () => {
    const problems = templateAckProblems(
      'checkov',
      [ack('CKV_AWS_18', 'fine'), ack('CKV_AWS_21', undefined), ack('W3005', undefined, 'cfn-lint')],
      [finding('CKV_AWS_18'), finding('CKV_AWS_18', 'Other')],
      matches,
    );
    expect(problems.map((p) => [p.id, p.problem.replace(/:.*/, '')])).toEqual([
      ['CKV_AWS_18', 'reason shorter than 20 characters'],
      ['CKV_AWS_21', 'stale'],
      ['CKV_AWS_21', 'checkov skip without a comment'],
      ['W3005', 'stale'],
      ['W3005', "no reason recorded (acknowledgeFinding() keeps it in Metadata['cdk-web-tiers"],
    ]);
  });
});

describe('runCdkNag', () => {
  let outdir: string;
  beforeEach(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-nag-'));
  });
  afterEach(() => {
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  test('counts the findings each acknowledgement hides, per stack, and reports stale or unexplained ones', () => {
    const app = new App({ outdir });
    const stack = new Stack(app, 'Plain');
    new s3.CfnBucket(stack, 'Bucket');
    // On the stack: covers the bucket below it.
    acknowledgeFinding(stack, { tool: 'cdk-nag', id: 'AwsSolutions-S1', reason: REASON });
    // No IAM role anywhere, so nothing reports IAM4: stale.
    acknowledgeFinding(stack, { tool: 'cdk-nag', id: 'AwsSolutions-IAM4', reason: REASON });
    // Written without the helper, with a reason nobody would accept.
    Validations.of(stack).acknowledge({ id: 'AwsSolutions-S10', reason: 'ok' });
    const other = new Stack(app, 'Other');
    new s3.CfnBucket(other, 'Bucket');

    const stacks = synthesizeStacks(app);
    const [aws, nist] = runCdkNag(app, stacks);

    expect(aws.validator).toBe('AwsSolutions');
    expect(aws.acknowledged.map((f) => [f.stack, f.logicalId, f.rule]).sort()).toEqual([
      ['Plain', 'Bucket', 'AwsSolutions-S1'],
      ['Plain', 'Bucket', 'AwsSolutions-S10'],
    ]);
    expect(aws.findings.map((f) => [f.stack, f.rule]).sort()).toEqual([
      ['Other', 'AwsSolutions-S1'],
      ['Other', 'AwsSolutions-S10'],
    ]);
    expect(aws.findings[0].constructPath).toBe('Other/Bucket');
    expect(aws.problems.map((p) => [p.location, p.id, p.problem.replace(/:.*/, '')])).toEqual([
      ['Plain', 'AwsSolutions-IAM4', 'stale'],
      ['Plain', 'AwsSolutions-S10', 'reason shorter than 20 characters'],
    ]);
    // The other packs are untouched by AwsSolutions acknowledgements.
    expect(nist.validator).toBe('NIST-800-53-R5');
    expect(nist.acknowledged).toEqual([]);
    expect(nist.findings.filter((f) => f.stack === 'Plain').length).toBe(nist.findings.filter((f) => f.stack === 'Other').length);
  });

  test('template acknowledgements are read from the synthesized templates and stripped from the bare copies', () => {
    const app = new App({ outdir });
    const stack = new Stack(app, 'Plain');
    const bucket = new s3.CfnBucket(stack, 'Bucket');
    acknowledgeFinding(bucket, { tool: 'checkov', id: 'CKV_AWS_18', reason: REASON });
    acknowledgeFinding(bucket, { tool: 'cfn-guard', id: 'CT.S3.PR.2', reason: REASON });
    acknowledgeFinding(bucket, { tool: 'cfn-lint', id: 'W3005', reason: REASON });
    const stacks = synthesizeStacks(app);

    expect(templateAcks(stacks).map((a) => [a.tool, a.stack.name, a.logicalId, a.id, a.reason])).toEqual([
      ['cfn-guard', 'Plain', 'Bucket', 'CT.S3.PR.2', REASON],
      ['checkov', 'Plain', 'Bucket', 'CKV_AWS_18', REASON],
      ['cfn-lint', 'Plain', 'Bucket', 'W3005', REASON],
    ]);
    const bare = writeBareTemplates(stacks, path.join(outdir, 'bare'));
    const [file] = [...bare.keys()];
    const template = JSON.parse(fs.readFileSync(file, 'utf-8'));
    expect(Object.keys(template.Resources.Bucket.Metadata)).toEqual(['cdk-web-tiers:acknowledgements']);
    expect(stacks[0].constructPaths.get('Bucket')).toBe('Plain/Bucket');
  });
});
