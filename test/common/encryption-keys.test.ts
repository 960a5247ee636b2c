import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EncryptionKeys, JobLock, SharedUploads, SingletonWorker, StatelessWebTier, TierNetwork } from '../../lib';
import { logicalIdOf, newStack, testCertificate, testSource } from '../helpers';

function appWithEveryConstruct(setDefault: boolean) {
  const stack = newStack();
  const key = EncryptionKeys.create(stack, 'StackKey', 'The one key of this stack');
  if (setDefault) EncryptionKeys.setDefault(stack, key);
  const network = new TierNetwork(stack, 'Network');
  const web = new StatelessWebTier(stack, 'Web', { vpc: network.vpc, source: testSource(), certificate: testCertificate(stack) });
  const worker = new SingletonWorker(stack, 'Worker', { vpc: network.vpc, source: testSource(), healthCommand: 'true' });
  const uploads = new SharedUploads(stack, 'Uploads', { vpc: network.vpc });
  const lock = new JobLock(stack, 'Lock', { vpc: network.vpc });
  uploads.mountOn(web, '/var/app/uploads');
  web.addScheduledJob('cleanup', { schedule: '0 8 * * *', command: 'true', jobLock: lock });
  return { stack, key, web, worker, uploads, lock };
}

describe('EncryptionKeys.setDefault', () => {
  test('without it, every construct creates its own key', () => {
    const { stack } = appWithEveryConstruct(false);
    // Network flow logs, web tier, its WAF logs, worker, lock, the alarm notifications, plus the unused StackKey.
    Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 7);
  });

  test('with it, the whole stack uses one key: logs, notifications, WAF logs, the lock, its AUTH token and the uploads', () => {
    const { stack, key, lock } = appWithEveryConstruct(true);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    const keyArn = { 'Fn::GetAtt': [logicalIdOf(key), 'Arn'] };
    expect(lock.encryptionKey).toBe(key);
    template.hasResourceProperties('AWS::EFS::FileSystem', { KmsKeyId: keyArn });
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.KmsKeyId).toEqual(keyArn);
    }
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { KmsKeyId: keyArn });
  });

  test('the shared key policy has each statement once (no duplicate Sid) and still only AWS services may create grants', () => {
    const { stack } = appWithEveryConstruct(true);
    const keys = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'));
    const statements: Array<{ Sid?: string }> = keys[0].Properties.KeyPolicy.Statement;
    const sids = statements.map((s) => s.Sid).filter((sid): sid is string => sid !== undefined);
    expect(new Set(sids).size).toBe(sids.length);
    expect(sids).toEqual(expect.arrayContaining(['GrantsOnlyForAwsServices', 'CloudWatchLogGroups', 'AutoScalingNotifications']));
  });

  test('a construct\'s own encryptionKey wins over the default', () => {
    const stack = newStack();
    const stackKey = EncryptionKeys.create(stack, 'StackKey', 'The default key of this stack');
    EncryptionKeys.setDefault(stack, stackKey);
    const lockKey = new kms.Key(stack, 'LockKey', { enableKeyRotation: true });
    const network = new TierNetwork(stack, 'Network');
    const lock = new JobLock(stack, 'Lock', { vpc: network.vpc, encryptionKey: lockKey });
    expect(lock.encryptionKey).toBe(lockKey);
    expect(EncryptionKeys.defaultOf(lock)).toBe(stackKey);
  });

  test('the default belongs to one stack', () => {
    const stack = newStack('One');
    EncryptionKeys.setDefault(stack, EncryptionKeys.create(stack, 'StackKey', 'The default key of stack One'));
    const other = newStack('Two', {}, stack.node.root as any);
    expect(EncryptionKeys.defaultOf(other)).toBeUndefined();
  });
});
