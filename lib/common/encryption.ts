import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Aws } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * A customer managed key as every construct of this library creates it: yearly rotation, and a
 * key policy that lets grants be created only for AWS services acting on AWS resources (EBS, RDS,
 * Secrets Manager...), never by a principal for itself.
 */
export function createKey(scope: Construct, id: string, description: string): kms.Key {
  const key = new kms.Key(scope, id, { description, enableKeyRotation: true });
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'GrantsOnlyForAwsServices',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: {
      BoolIfExists: {
        'kms:GrantIsForAWSResource': 'false',
        'aws:PrincipalIsAWSService': 'false',
      },
    },
  }));
  return key;
}

/**
 * Lets CloudWatch Logs of this account and region use a key for log groups
 * (a key created by this library; an imported key's policy is its owner's business).
 */
export function allowLogGroupsToUseKey(key: kms.IKey): void {
  if (!(key instanceof kms.Key)) return;
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'CloudWatchLogGroups',
    principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` } },
  }));
}
