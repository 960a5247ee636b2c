import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { App, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { KwizlyStack } from '../examples/kwizly';
import { EnvironmentProfile, JobLock, SharedUploads, StatelessWebTier, TierNetwork, TierNotifications } from '../lib';
import { REGION, newStack, resourcesOfType, testCertificate, testSource } from './helpers';

/** One small topology, built in a stack with the given profile (or none). */
function topology(profile?: EnvironmentProfile, props: { natGateways?: number; multiAz?: boolean } = {}): Stack {
  const stack = newStack();
  profile?.applyTo(stack);
  const network = new TierNetwork(stack, 'Net', { natGateways: props.natGateways });
  new StatelessWebTier(stack, 'Web', { vpc: network.vpc, source: testSource(), certificate: testCertificate(stack) });
  new JobLock(stack, 'Lock', { vpc: network.vpc, multiAz: props.multiAz });
  new SharedUploads(stack, 'Uploads', { vpc: network.vpc });
  return stack;
}

function facts(stack: Stack) {
  const template = Template.fromStack(stack);
  const group = resourcesOfType(template, 'AWS::AutoScaling::AutoScalingGroup')[0][1].Properties!;
  const lb = resourcesOfType(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0][1].Properties!;
  const logGroups = resourcesOfType(template, 'AWS::Logs::LogGroup').map(([id, r]) => [id, r.Properties!.RetentionInDays]);
  return {
    natGateways: resourcesOfType(template, 'AWS::EC2::NatGateway').length,
    deletionProtection: lb.LoadBalancerAttributes.find((a: any) => a.Key === 'deletion_protection.enabled').Value,
    lockNodes: resourcesOfType(template, 'AWS::ElastiCache::ReplicationGroup')[0][1].Properties!.NumCacheClusters,
    uploadBackups: resourcesOfType(template, 'AWS::EFS::FileSystem')[0][1].Properties!.BackupPolicy?.Status,
    tierLogRetention: logGroups.find(([id]) => String(id).startsWith('WebFleetLogs'))![1],
    web: { min: group.MinSize, max: group.MaxSize },
  };
}

describe('environment profiles', () => {
  test('production (no profile) is the library\'s defaults', () => {
    expect(facts(topology())).toEqual({
      natGateways: 2, deletionProtection: 'true', lockNodes: 2, uploadBackups: 'ENABLED', tierLogRetention: 365, web: { min: '2', max: '20' },
    });
    expect(facts(topology(EnvironmentProfile.production()))).toEqual(facts(topology()));
  });

  test('development: small, one NAT gateway, no failover, no backups, no deletion protection, a month of logs', () => {
    expect(facts(topology(EnvironmentProfile.development()))).toEqual({
      natGateways: 1, deletionProtection: 'false', lockNodes: 1, uploadBackups: undefined, tierLogRetention: 30, web: { min: '1', max: '2' },
    });
  });

  test('staging: shaped like production, but disposable', () => {
    expect(facts(topology(EnvironmentProfile.staging()))).toEqual({
      natGateways: 2, deletionProtection: 'false', lockNodes: 2, uploadBackups: undefined, tierLogRetention: 90, web: { min: '2', max: '20' },
    });
  });

  test('explicit props win over the profile', () => {
    const f = facts(topology(EnvironmentProfile.development(), { natGateways: 2, multiAz: true }));
    expect(f.natGateways).toBe(2);
    expect(f.lockNodes).toBe(2);
  });

  test('a risky choice of the profile is acknowledged by it and named in an info message; the same choice by hand still warns', () => {
    const dev = topology(EnvironmentProfile.development());
    Annotations.fromStack(dev).hasNoWarning('*', Match.stringLikeRegexp('cdk-web-tiers:'));
    const infos = Annotations.fromStack(dev).findInfo('*', Match.stringLikeRegexp('set by the development profile')).map(i => String(i.entry.data));
    expect(infos.map(i => /cdk-web-tiers:(\w+)/.exec(i)![1]).sort()).toEqual(['lockWithoutFailover', 'noDeletionProtection', 'noUploadBackups', 'sharedNatGateway']);
    const byHand = topology(undefined, { natGateways: 1 });
    Annotations.fromStack(byHand).hasWarning('/Test/Net', Match.stringLikeRegexp('cdk-web-tiers:sharedNatGateway'));
  });

  test('a profile on a Stage reaches every stack in it; the context key names one for the whole app', () => {
    const app = new App();
    const stage = new Stage(app, 'Dev');
    EnvironmentProfile.development().applyTo(stage);
    const inStage = new Stack(stage, 'S', { env: { region: REGION } });
    expect(EnvironmentProfile.of(new TierNetwork(inStage, 'Net')).name).toBe('development');
    const contextApp = new App({ context: { 'cdk-web-tiers:profile': 'staging' } });
    expect(EnvironmentProfile.of(new Stack(contextApp, 'S')).name).toBe('staging');
  });

  test('custom profiles: unset values are production\'s', () => {
    const qa = EnvironmentProfile.custom({ name: 'qa', webMinCapacity: 1, instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO) });
    expect(qa.deletionProtection).toBe(true);
    expect(qa.webMaxCapacity).toBe(20);
    expect(qa.logRetention).toBe(logs.RetentionDays.ONE_YEAR);
    const stack = newStack();
    qa.applyTo(stack);
    new StatelessWebTier(stack, 'Web', { vpc: new TierNetwork(stack, 'Net').vpc, source: testSource(), certificate: testCertificate(stack) });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: Match.objectLike({ InstanceType: 't3.micro' }) });
  });

  test('alarm destinations: the profile\'s addresses receive the alarms of its stacks; explicit emails win', () => {
    const withProfile = newStack();
    EnvironmentProfile.development().withAlarmEmails(['dev-team@example.com']).applyTo(withProfile);
    new StatelessWebTier(withProfile, 'Web', { vpc: new TierNetwork(withProfile, 'Net').vpc, source: testSource(), certificate: testCertificate(withProfile) });
    const subscriptions = (stack: Stack) => resourcesOfType(Template.fromStack(stack), 'AWS::SNS::Subscription').map(([, r]) => [r.Properties!.Protocol, r.Properties!.Endpoint]);
    expect(subscriptions(withProfile)).toEqual([['email', 'dev-team@example.com']]);
    expect(EnvironmentProfile.development().withAlarmEmails(['x@example.com']).webMaxCapacity).toBe(2);
    const explicit = newStack();
    EnvironmentProfile.production().withAlarmEmails(['oncall@example.com']).applyTo(explicit);
    new TierNotifications(explicit, 'Alerts', { emails: ['sre@example.com'] });
    new StatelessWebTier(explicit, 'Web', { vpc: new TierNetwork(explicit, 'Net').vpc, source: testSource(), certificate: testCertificate(explicit) });
    expect(subscriptions(explicit)).toEqual([['email', 'sre@example.com']]);
    // A bad address in a profile fails at synth like one given to TierNotifications.
    const bad = newStack('Bad');
    EnvironmentProfile.staging().withAlarmEmails(['not-an-address']).applyTo(bad);
    expect(() => new StatelessWebTier(bad, 'Web', { vpc: new TierNetwork(bad, 'Net').vpc, source: testSource(), certificate: testCertificate(bad) }))
      .toThrow(/invalid emails \("not-an-address"\)/);
  });

  test('bad input: an unknown name, a bad custom profile, a profile applied too late or twice', () => {
    expect(() => EnvironmentProfile.named('prod')).toThrow(/invalid profile name \("prod"\)\. Use 'development', 'staging' or 'production'/);
    expect(() => new TierNetwork(new Stack(new App({ context: { 'cdk-web-tiers:profile': 'qa' } }), 'S'), 'Net'))
      .toThrow(/S\/Net: invalid context cdk-web-tiers:profile \("qa"\)/);
    expect(() => EnvironmentProfile.custom({ name: 'QA env' })).toThrow(/invalid EnvironmentProfile name \("QA env"\)/);
    expect(() => EnvironmentProfile.custom({ name: 'qa', webMinCapacity: 3, webMaxCapacity: 2 })).toThrow(/min 3, max 2/);
    const late = newStack();
    new TierNetwork(late, 'Net');
    expect(() => EnvironmentProfile.development().applyTo(late)).toThrow(/already exist below it and took their defaults/);
    const twice = newStack();
    EnvironmentProfile.development().applyTo(twice);
    expect(() => EnvironmentProfile.staging().applyTo(twice)).toThrow(/already has the development profile/);
  });
});

describe('the Kwizly example in three stages from one definition', () => {
  const app = new App();
  const stacks = Object.fromEntries(['development', 'staging', 'production'].map(name => {
    const stage = new Stage(app, name.charAt(0).toUpperCase() + name.slice(1));
    EnvironmentProfile.named(name).applyTo(stage);
    return [name, new KwizlyStack(stage, 'Kwizly', { env: { region: REGION } })];
  }));
  const summary = (stack: Stack) => {
    const template = Template.fromStack(stack);
    const db = resourcesOfType(template, 'AWS::RDS::DBInstance')[0][1].Properties!;
    return { ...facts(stack), uploadBackups: undefined, databaseDeletionProtection: db.DeletionProtection };
  };

  test('differ exactly as their profiles say', () => {
    expect(summary(stacks.production)).toEqual({
      natGateways: 2, deletionProtection: 'true', lockNodes: 2, uploadBackups: undefined, tierLogRetention: 365, web: { min: '2', max: '8' }, databaseDeletionProtection: true,
    });
    expect(summary(stacks.staging)).toEqual({ ...summary(stacks.production), deletionProtection: 'false', tierLogRetention: 90, databaseDeletionProtection: false });
    expect(summary(stacks.development)).toEqual({
      ...summary(stacks.production), natGateways: 1, deletionProtection: 'false', lockNodes: 1, tierLogRetention: 30, web: { min: '1', max: '8' }, databaseDeletionProtection: false,
    });
  });

  test('every stage synthesizes without errors or unacknowledged library warnings', () => {
    for (const stack of Object.values(stacks)) {
      Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
      Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('cdk-web-tiers:'));
    }
  });
});
