import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Aws, Stack } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';

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

/** The key `EncryptionKeys.setDefault` gave each stack. */
/** Where `EncryptionKeys.setDefault` keeps a stack's default key: a child of the stack. */
const DEFAULT_KEY_ID = 'CdkWebTiersDefaultKey';

/** Holds the stack's default key in the construct tree (it creates no resource). */
class StackDefaultKey extends Construct {
  constructor(scope: Stack, id: string, public key: kms.IKey) {
    super(scope, id);
  }
}

/** Makes `key` the key of every construct of this library created afterwards in the stack of `scope`. */
export function setStackDefaultKey(scope: IConstruct, key: kms.IKey): void {
  const stack = Stack.of(scope);
  const holder = stack.node.tryFindChild(DEFAULT_KEY_ID);
  if (holder instanceof StackDefaultKey) holder.key = key;
  else new StackDefaultKey(stack, DEFAULT_KEY_ID, key);
}

/** The stack-wide default key of the stack of `scope`, if one was set. */
export function stackDefaultKey(scope: IConstruct): kms.IKey | undefined {
  const holder = Stack.of(scope).node.tryFindChild(DEFAULT_KEY_ID);
  return holder instanceof StackDefaultKey ? holder.key : undefined;
}

/**
 * The key a construct encrypts with: the one its props give, else the stack-wide default
 * (`EncryptionKeys.setDefault`), else a new key of its own.
 */
export function keyFor(scope: Construct, given: kms.IKey | undefined, id: string, description: string): kms.IKey {
  return given ?? stackDefaultKey(scope) ?? createKey(scope, id, description);
}
