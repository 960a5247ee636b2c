/**
 * TSDoc consistent with behaviour: every optional prop of the public structs has an `@default`
 * in the jsii assembly (.jsii), and each default that shows in a template is checked against
 * what empty props synthesize. A doc or code change that makes them disagree fails here; the
 * table says which template value stands for which `@default` text.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { JobLock, SharedUploads, SingletonWorker, StatelessWebTier, TierLoadBalancer, TierNetwork } from '../lib';
import { newStack, testCertificate, testSource } from './helpers';

interface JsiiProperty { name: string; optional?: boolean; docs?: { default?: string } }
interface JsiiType { kind: string; datatype?: boolean; properties?: JsiiProperty[] }

const assembly = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.jsii'), 'utf-8')) as { types: Record<string, JsiiType> };

/** `Struct.prop` -> `@default` text, for every optional prop of every public struct. */
const documented = new Map<string, string | undefined>();
for (const [fqn, type] of Object.entries(assembly.types)) {
  if (type.kind !== 'interface' || !type.datatype) continue;
  for (const p of type.properties ?? []) {
    if (p.optional) documented.set(`${fqn.replace(/^cdk-web-tiers\./, '')}.${p.name}`, p.docs?.default);
  }
}

// Everything with empty props (only what is required).
const stack = newStack();
const network = new TierNetwork(stack, 'Network');
new StatelessWebTier(stack, 'Web', { vpc: network.vpc, source: testSource(), certificate: testCertificate(stack) });
new SingletonWorker(stack, 'Worker', { vpc: network.vpc, source: testSource(), healthCommand: 'true' });
new JobLock(stack, 'Lock', { vpc: network.vpc });
new SharedUploads(stack, 'Uploads', { vpc: network.vpc });
new TierLoadBalancer(stack, 'Shared', { vpc: network.vpc, certificate: testCertificate(stack, 'SharedCertificate') });
const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties: any; UpdatePolicy?: any; CreationPolicy?: any; DeletionPolicy?: string }>;

function one(type: string, idPrefix = ''): { Properties: any; UpdatePolicy?: any; CreationPolicy?: any; DeletionPolicy?: string } {
  const found = Object.entries(resources).filter(([id, r]) => r.Type === type && id.startsWith(idPrefix));
  if (found.length !== 1) throw new Error(`expected one ${type} starting with '${idPrefix}', found ${found.length}`);
  return found[0][1];
}
function all(type: string) {
  return Object.values(resources).filter((r) => r.Type === type);
}
const attribute = (attrs: Array<{ Key: string; Value: unknown }>, key: string) => attrs.find((a) => a.Key === key)?.Value;
const webGroup = () => one('AWS::AutoScaling::AutoScalingGroup', 'Web');
const workerGroup = () => one('AWS::AutoScaling::AutoScalingGroup', 'Worker');
const targetGroup = () => one('AWS::ElasticLoadBalancingV2::TargetGroup', 'Web').Properties;

/** `Struct.prop`: [the @default text, what the template shows, what that text means there]. */
const MEASURED: Record<string, [string, () => unknown, unknown]> = {
  'TierNetworkProps.cidr': ["'10.0.0.0/16'", () => one('AWS::EC2::VPC').Properties.CidrBlock, '10.0.0.0/16'],
  'TierNetworkProps.maxAzs': ['2', () => new Set(all('AWS::EC2::Subnet').map((s) => JSON.stringify(s.Properties.AvailabilityZone))).size, 2],
  'TierNetworkProps.natGateways': ['- one per Availability Zone; one in all when the environment profile has sharedNatGateway (development)', () => all('AWS::EC2::NatGateway').length, 2],
  'TierNetworkProps.flowLogRetention': ['logs.RetentionDays.ONE_YEAR', () => one('AWS::Logs::LogGroup', 'NetworkFlowLogs').Properties.RetentionInDays, 365],
  'TierNetworkProps.interfaceEndpoints': ['false', () => all('AWS::EC2::VPCEndpoint').filter((e) => e.Properties.VpcEndpointType === 'Interface').length, 0],
  'JobLockProps.engine': ['LockEngine.VALKEY_8', () => [one('AWS::ElastiCache::ReplicationGroup').Properties.Engine, one('AWS::ElastiCache::ReplicationGroup').Properties.EngineVersion], ['valkey', '8.0']],
  'JobLockProps.multiAz': ["- the environment profile's lockFailover: true, except in development", () => one('AWS::ElastiCache::ReplicationGroup').Properties.MultiAZEnabled, true],
  'JobLockProps.nodeType': ["'cache.t4g.micro'", () => one('AWS::ElastiCache::ReplicationGroup').Properties.CacheNodeType, 'cache.t4g.micro'],
  'JobLockProps.port': ['6379', () => one('AWS::ElastiCache::ReplicationGroup').Properties.Port, 6379],
  'SharedUploadsProps.automaticBackups': ["- the environment profile's uploadBackups: true, except in development and staging", () => one('AWS::EFS::FileSystem').Properties.BackupPolicy, { Status: 'ENABLED' }],
  'SharedUploadsProps.lifecyclePolicy': ['efs.LifecyclePolicy.AFTER_30_DAYS', () => one('AWS::EFS::FileSystem').Properties.LifecyclePolicies[0], { TransitionToIA: 'AFTER_30_DAYS' }],
  'SharedUploadsProps.ownerGid': ['1001', () => one('AWS::EFS::AccessPoint').Properties.PosixUser.Gid, '1001'],
  'SharedUploadsProps.ownerUid': ['1001', () => one('AWS::EFS::AccessPoint').Properties.PosixUser.Uid, '1001'],
  'SharedUploadsProps.rootDirectory': ["'/uploads'", () => one('AWS::EFS::AccessPoint').Properties.RootDirectory.Path, '/uploads'],
  'SharedUploadsProps.removalPolicy': ['RemovalPolicy.RETAIN (uploads outlive the stack)', () => one('AWS::EFS::FileSystem').DeletionPolicy, 'Retain'],
  'StatelessWebTierProps.appPort': ['8080', () => targetGroup().Port, 8080],
  'StatelessWebTierProps.capacity': ["- { min: 2, max: 20 }, or the environment profile's webMinCapacity and webMaxCapacity", () => [webGroup().Properties.MinSize, webGroup().Properties.MaxSize], ['2', '20']],
  'StatelessWebTierProps.deletionProtection': ["- the environment profile's deletionProtection: true, except in development and staging", () => attribute(one('AWS::ElasticLoadBalancingV2::LoadBalancer', 'Web').Properties.LoadBalancerAttributes, 'deletion_protection.enabled'), 'true'],
  'StatelessWebTierProps.deregistrationDelay': ['Duration.seconds(30)', () => attribute(targetGroup().TargetGroupAttributes, 'deregistration_delay.timeout_seconds'), '30'],
  'StatelessWebTierProps.internetFacing': ['true', () => one('AWS::ElasticLoadBalancingV2::LoadBalancer', 'Web').Properties.Scheme, 'internet-facing'],
  'StatelessWebTierProps.protocol': ['elbv2.ApplicationProtocol.HTTPS', () => all('AWS::ElasticLoadBalancingV2::Listener').filter((l) => l.Properties.Protocol === 'HTTPS').length, 2],
  'StatelessWebTierProps.scaling': ['- target tracking on 50% average CPU, with burst steps on one-minute CPU', () => one('AWS::AutoScaling::ScalingPolicy', 'WebFleetGroupScalingPolicyCpuTracking').Properties.TargetTrackingConfiguration, { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: 50 }],
  'StatelessWebTierProps.healthCheck': ['- readiness GET / on the app port every 10 s; liveness: the app port accepts connections', () => [targetGroup().HealthCheckPath, targetGroup().HealthCheckPort, targetGroup().HealthCheckIntervalSeconds], ['/', 'traffic-port', 10]],
  'WebTierScaling.targetCpuPercent': ['50', () => one('AWS::AutoScaling::ScalingPolicy', 'WebFleetGroupScalingPolicyCpuTracking').Properties.TargetTrackingConfiguration.TargetValue, 50],
  'WebTierHealthCheck.path': ["'/'", () => targetGroup().HealthCheckPath, '/'],
  'WebTierHealthCheck.port': ['- the app port', () => targetGroup().HealthCheckPort, 'traffic-port'],
  'WebTierHealthCheck.healthyHttpCodes': ["'200-399'", () => targetGroup().Matcher.HttpCode, '200-399'],
  'WebTierHealthCheck.healthyThreshold': ['2', () => targetGroup().HealthyThresholdCount, 2],
  'WebTierHealthCheck.unhealthyThreshold': ['3', () => targetGroup().UnhealthyThresholdCount, 3],
  'WebTierHealthCheck.interval': ['Duration.seconds(10)', () => targetGroup().HealthCheckIntervalSeconds, 10],
  'WebTierHealthCheck.timeout': ['Duration.seconds(5)', () => targetGroup().HealthCheckTimeoutSeconds, 5],
  'WebTierHealthCheck.gracePeriod': ['Duration.minutes(5)', () => webGroup().Properties.HealthCheckGracePeriod, 300],
  'WorkerHealthCheck.gracePeriod': ['Duration.minutes(5)', () => workerGroup().Properties.HealthCheckGracePeriod, 300],
  'SingletonWorkerProps.capacity': ['{ min: 1, max: 1 }', () => [workerGroup().Properties.MinSize, workerGroup().Properties.MaxSize], ['1', '1']],
  'TierCapacity.min': ["- 2 for a StatelessWebTier (the environment profile's webMinCapacity: 1 in development), 1 for a SingletonWorker", () => [webGroup().Properties.MinSize, workerGroup().Properties.MinSize], ['2', '1']],
  'TierCapacity.max': ["- 20 for a StatelessWebTier (the environment profile's webMaxCapacity: 2 in development), 1 for a SingletonWorker", () => [webGroup().Properties.MaxSize, workerGroup().Properties.MaxSize], ['20', '1']],
  'TierInstanceProps.instanceType': ["- the environment profile's instanceType: t3.small", () => one('AWS::EC2::LaunchTemplate', 'Web').Properties.LaunchTemplateData.InstanceType, 't3.small'],
  'TierInstanceProps.fallbackInstanceTypes': ['- the same-size sibling from the other vendor when one is known (t3 ↔ t3a, c6i ↔ c6a, m7g ↔ m6g, ...)',
    () => webGroup().Properties.MixedInstancesPolicy.LaunchTemplate.Overrides, [{ InstanceType: 't3.small' }, { InstanceType: 't3a.small' }]],
  'TierInstanceProps.rootVolumeSize': ['Size.gibibytes(20)', () => one('AWS::EC2::LaunchTemplate', 'Web').Properties.LaunchTemplateData.BlockDeviceMappings[0].Ebs.VolumeSize, 20],
  'TierInstanceProps.rootDeviceName': ["'/dev/xvda' (Amazon Linux)", () => one('AWS::EC2::LaunchTemplate', 'Web').Properties.LaunchTemplateData.BlockDeviceMappings[0].DeviceName, '/dev/xvda'],
  'TierInstanceProps.logRetention': ["- the environment profile's logRetention: one year (a month in development, three in staging)", () => one('AWS::Logs::LogGroup', 'WebFleetLogs').Properties.RetentionInDays, 365],
  'RollingDeployment.maxBatchSize': ['- half of `capacity.min`, rounded up, and at least 1 (1 for a SingletonWorker)',
    () => [webGroup().UpdatePolicy.AutoScalingRollingUpdate.MaxBatchSize, workerGroup().UpdatePolicy.AutoScalingRollingUpdate.MaxBatchSize], [1, 1]],
  'RollingDeployment.timeout': ['Duration.minutes(15)', () => webGroup().UpdatePolicy.AutoScalingRollingUpdate.PauseTime, 'PT15M'],
  'TierLoadBalancerProps.accessLogsRetention': ['Duration.days(365)', () => one('AWS::S3::Bucket', 'SharedAccessLogs').Properties.LifecycleConfiguration.Rules[0].ExpirationInDays, 365],
  'TierLoadBalancerProps.deletionProtection': ["- the environment profile's deletionProtection: true, except in development and staging", () => attribute(one('AWS::ElasticLoadBalancingV2::LoadBalancer', 'Shared').Properties.LoadBalancerAttributes, 'deletion_protection.enabled'), 'true'],
  'TierLoadBalancerProps.internetFacing': ['true', () => one('AWS::ElasticLoadBalancingV2::LoadBalancer', 'Shared').Properties.Scheme, 'internet-facing'],
  'TierLoadBalancerProps.protocol': ['elbv2.ApplicationProtocol.HTTPS', () => one('AWS::ElasticLoadBalancingV2::Listener', 'SharedLoadBalancerHttps').Properties.Protocol, 'HTTPS'],
  'TierLoadBalancerProps.sslPolicy': ['elbv2.SslPolicy.RECOMMENDED_TLS (TLS 1.3 and 1.2 only)', () => one('AWS::ElasticLoadBalancingV2::Listener', 'SharedLoadBalancerHttps').Properties.SslPolicy, 'ELBSecurityPolicy-TLS13-1-2-2021-06'],
  'TierLoadBalancerProps.requestsPerIpPer5Minutes': ['2000', () => one('AWS::WAFv2::WebACL', 'Shared').Properties.Rules.find((r: any) => r.Statement.RateBasedStatement).Statement.RateBasedStatement.Limit, 2000],
  'TierLoadBalancerProps.accessLogsInCloudWatch': ['true', () => all('AWS::Logs::DeliverySource').filter((d) => d.Properties.LogType === 'ALB_ACCESS_LOGS').length, 2],
  'TierLoadBalancerProps.accessLogsCloudWatchRetention': ['logs.RetentionDays.ONE_MONTH', () => one('AWS::Logs::LogGroup', 'SharedAccessLogDeliveryLogs').Properties.RetentionInDays, 30],
  'TierLoadBalancerProps.webApplicationFirewall': ['true', () => all('AWS::WAFv2::WebACLAssociation').length, 2],
};

test('every optional prop of the public structs documents its @default', () => {
  const missing = [...documented].filter(([, text]) => !text?.trim()).map(([prop]) => prop);
  expect(missing).toEqual([]);
});

test('the table only names props that exist, with their current @default text', () => {
  const mismatched = Object.entries(MEASURED)
    .filter(([prop, [text]]) => documented.get(prop) !== text)
    .map(([prop, [text]]) => `${prop}: the table says ${JSON.stringify(text)}, the TSDoc says ${JSON.stringify(documented.get(prop))}`);
  expect(mismatched).toEqual([]);
  // Most documented defaults show in a template; the others are behaviour (boot scripts, warnings) tested elsewhere.
  expect(Object.keys(MEASURED).length).toBeGreaterThanOrEqual(45);
});

test.each(Object.entries(MEASURED))('%s: the default that empty props synthesize is the documented one', (_prop, [, measure, expected]) => {
  expect(measure()).toEqual(expected);
});
