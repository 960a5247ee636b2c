import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Aws } from 'aws-cdk-lib';

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
