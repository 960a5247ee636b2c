import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../../lib/common/acknowledge';

const REASON = 'Fixture bucket of a unit test, it holds no data';

/**
 * The acknowledged rules recorded on a construct, keyed by rule id. aws-cdk-lib spells the key
 * 'annotation::<id>' before 2.262.1 and 'Annotation::<id>' after (cdk-nag accepts both), so the
 * tests compare ids, not that internal spelling.
 */
function recordedAcks(scope: Construct): Record<string, unknown> {
  const entries = scope.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
  const data = (entries[entries.length - 1]?.data ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(data).map(([key, reason]) => [key.replace(/^annotation::/i, ''), reason]));
}

function nagRules(app: App): string[] {
  return new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName).sort();
}

describe('acknowledgeFinding', () => {
  test('cdk-nag: records the acknowledgement with Validations, which cdk-nag 3 honours below the scope', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    new s3.CfnBucket(stack, 'Bucket');
    expect(nagRules(app)).toEqual(['AwsSolutions-S1', 'AwsSolutions-S10']);

    acknowledgeFinding(stack, { tool: 'cdk-nag', id: 'AwsSolutions-S1', reason: REASON });

    expect(recordedAcks(stack)).toEqual({ 'AwsSolutions-S1': REASON });
    expect(nagRules(app)).toEqual(['AwsSolutions-S10']);
  });

  test('cdk-nag: finding ids with several "::" (which Validations rejects) are recorded as they are and honoured', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::fixtures/*'] }));
    const id = 'AwsSolutions-IAM5[Resource::arn:aws:s3:::fixtures/*]';
    expect(nagRules(app)).toContain(id);

    acknowledgeFinding(role, { tool: 'cdk-nag', id: 'AwsSolutions-S1', reason: REASON });
    acknowledgeFinding(role, { tool: 'cdk-nag', id, reason: 'Reads every fixture object, which is the purpose of the role' });

    expect(recordedAcks(role)).toEqual({
      'AwsSolutions-S1': REASON,
      [id]: 'Reads every fixture object, which is the purpose of the role',
    });
    expect(nagRules(app)).not.toContain(id);
  });

  test('cfn-guard, cfn-lint and checkov: CloudFormation metadata on the default child of an L2, with the reasons kept', () => {
    const stack = new Stack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    acknowledgeFinding(bucket, { tool: 'cfn-guard', id: 'CT.S3.PR.2', reason: REASON });
    acknowledgeFinding(bucket, { tool: 'cfn-guard', id: 's3_bucket_object_lock_enabled_check', reason: REASON });
    acknowledgeFinding(bucket, { tool: 'cfn-lint', id: 'W3005', reason: REASON });
    acknowledgeFinding(bucket, { tool: 'checkov', id: 'CKV_AWS_18', reason: REASON });
    acknowledgeFinding(bucket, { tool: 'checkov', id: 'CKV_AWS_21', reason: 'Versioning is off on purpose: objects are rebuilt' });

    Template.fromStack(stack).hasResource('AWS::S3::Bucket', {
      Metadata: {
        'guard': { SuppressedRules: ['CT.S3.PR.2', 's3_bucket_object_lock_enabled_check'] },
        'cfn-lint': { config: { ignore_checks: ['W3005'] } },
        'checkov': {
          skip: [
            { id: 'CKV_AWS_18', comment: REASON },
            { id: 'CKV_AWS_21', comment: 'Versioning is off on purpose: objects are rebuilt' },
          ],
        },
        'cdk-web-tiers:acknowledgements': {
          'cfn-guard': { 'CT.S3.PR.2': REASON, 's3_bucket_object_lock_enabled_check': REASON },
          'cfn-lint': { W3005: REASON },
        },
      },
    });
  });

  test('merges with metadata already on the resource and does not repeat an id', () => {
    const stack = new Stack();
    const bucket = new s3.CfnBucket(stack, 'Bucket');
    bucket.addMetadata('guard', { SuppressedRules: ['EXISTING_RULE'], Other: 1 });
    bucket.addMetadata('cfn-lint', { config: { ignore_checks: ['E3001'], ignore_templates: ['x'] } });
    bucket.addMetadata('checkov', { skip: [{ id: 'CKV_AWS_1', comment: 'existing skip, kept untouched' }] });

    for (let i = 0; i < 2; i++) {
      acknowledgeFinding(bucket, { tool: 'cfn-guard', id: 'CT.S3.PR.2', reason: REASON });
      acknowledgeFinding(bucket, { tool: 'cfn-lint', id: 'W3005', reason: REASON });
      acknowledgeFinding(bucket, { tool: 'checkov', id: 'CKV_AWS_18', reason: REASON });
    }

    expect(bucket.getMetadata('guard')).toEqual({ SuppressedRules: ['EXISTING_RULE', 'CT.S3.PR.2'], Other: 1 });
    expect(bucket.getMetadata('cfn-lint')).toEqual({ config: { ignore_checks: ['E3001', 'W3005'], ignore_templates: ['x'] } });
    expect(bucket.getMetadata('checkov')).toEqual({
      skip: [
        { id: 'CKV_AWS_1', comment: 'existing skip, kept untouched' },
        { id: 'CKV_AWS_18', comment: REASON },
      ],
    });
  });

  test('rejects reasons shorter than 20 characters and empty ids', () => {
    const stack = new Stack();
    const bucket = new s3.CfnBucket(stack, 'Bucket');
    expect(() => acknowledgeFinding(bucket, { tool: 'checkov', id: 'CKV_AWS_18', reason: 'not needed' })).toThrow(/at least 20 characters/);
    expect(() => acknowledgeFinding(bucket, { tool: 'cdk-nag', id: 'AwsSolutions-S1', reason: '   padded short    ' })).toThrow(/at least 20 characters/);
    expect(() => acknowledgeFinding(bucket, { tool: 'cfn-lint', id: ' ', reason: REASON })).toThrow(/rule id/);
    expect(bucket.getMetadata('checkov')).toBeUndefined();
  });

  test('template-level tools need a CfnResource; cdk-nag accepts any construct', () => {
    const stack = new Stack();
    const group = new Construct(stack, 'Group');
    expect(() => acknowledgeFinding(group, { tool: 'cfn-guard', id: 'CT.S3.PR.2', reason: REASON })).toThrow(/CfnResource/);
    expect(() => acknowledgeFinding(group, { tool: 'cdk-nag', id: 'AwsSolutions-S1', reason: REASON })).not.toThrow();

    const l1 = new CfnResource(stack, 'Raw', { type: 'AWS::SNS::Topic' });
    acknowledgeFinding(l1, { tool: 'checkov', id: 'CKV_AWS_26', reason: REASON });
    expect(l1.getMetadata('checkov')).toEqual({ skip: [{ id: 'CKV_AWS_26', comment: REASON }] });
  });
});
