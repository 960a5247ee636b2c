/**
 * The example stacks of `buildExamplesApp()`: one snapshot per stack (asset hashes masked) for
 * drift, plus behaviour assertions on Karma Labs. New examples are picked up automatically.
 */
import * as fs from 'fs';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { buildExamplesApp } from '../bin/app';
import { KarmaLabsStack } from '../examples/karma-labs';
import { KwizlyStack } from '../examples/kwizly';
import { logicalIdOf, resource, resourcesOfType, runSteps, statementsOfRole, userDataOf } from './helpers';

/**
 * The template with everything that changes without a behaviour change masked: 64-hex asset
 * hashes (also inside asset object keys such as `<hash>.zip` / `<hash>.json`, and the destination
 * ids that follow them) and CDK metadata.
 */
function masked(template: Template): unknown {
  const json = template.toJSON();
  const resources = Object.fromEntries(Object.entries(json.Resources ?? {}).filter(([, r]: [string, any]) => r.Type !== 'AWS::CDK::Metadata'));
  const conditions = Object.fromEntries(Object.entries(json.Conditions ?? {}).filter(([k]) => k !== 'CDKMetadataAvailable'));
  const text = JSON.stringify({ ...json, Resources: resources, ...(json.Conditions ? { Conditions: conditions } : {}) })
    .replace(/[0-9a-f]{64}/g, 'HASH')
    // cdk-assets' destination ids after an asset hash (`HASH:current_account-us-east-1-3fcb64d9`) change with it.
    .replace(/(HASH:[\w-]+-)[0-9a-f]{8}\b/g, '$1HASH');
  return JSON.parse(text);
}

/**
 * The drift snapshots are of the floor aws-cdk-lib we build on. Newer versions render some of the
 * same resources differently (2.276 adds `"background":"transparent"` to dashboard text widgets,
 * orders math expression keys another way and runs the kubectl handler on nodejs24.x): that is
 * aws-cdk-lib's drift, not ours, so on another version the snapshots are skipped and every
 * behaviour assertion below still runs (the CI matrix, `scripts/node-matrix.sh`).
 */
const FLOOR_AWS_CDK_LIB: string = JSON.parse(fs.readFileSync(require.resolve('../package.json'), 'utf8')).devDependencies['aws-cdk-lib'];
const awsCdkLibVersion: string = JSON.parse(fs.readFileSync(require.resolve('aws-cdk-lib/package.json'), 'utf8')).version;
const onFloor = awsCdkLibVersion === FLOOR_AWS_CDK_LIB;

const app: App = buildExamplesApp();
const stacks: Stack[] = app.node.children.filter((c): c is Stack => Stack.isStack(c));
const templates = new Map<Stack, Template>(stacks.map(s => [s, Template.fromStack(s)]));

test('buildExamplesApp has example stacks, all with a region and no account', () => {
  expect(stacks.map(s => s.node.id)).toEqual(expect.arrayContaining(['KarmaLabs', 'Kwizly']));
  for (const stack of stacks) {
    expect(stack.region).toBe('us-east-1');
    expect(stack.resolve(stack.account)).toEqual({ Ref: 'AWS::AccountId' });
  }
});

describe.each(stacks.map(s => [s.node.id, s] as const))('example %s', (_id, stack) => {
  (onFloor ? test : test.skip)('template snapshot (asset hashes masked)', () => {
    expect(masked(templates.get(stack)!)).toMatchSnapshot();
  });

  test('synthesizes without error annotations', () => {
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  });
});

describe('Karma Labs', () => {
  const stack = app.node.findChild('KarmaLabs') as KarmaLabsStack;
  const template = templates.get(stack)!;

  test('three Auto Scaling groups behind one load balancer', () => {
    template.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 3);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
    // Web tiers: the instances report liveness; the load balancer's check decides traffic only.
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '2', MaxSize: '12', HealthCheckType: 'EC2' });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '2', MaxSize: '8', HealthCheckType: 'EC2' });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '1', MaxSize: '1', HealthCheckType: 'EC2' });
  });

  test('the API answers api.karmalabs.example through one listener rule; the Web tier is the default', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['api.karmalabs.example'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: logicalIdOf(stack.api.targetGroup) } }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Certificates: [{ CertificateArn: { Ref: 'CertificateArn' } }],
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: logicalIdOf(stack.web.targetGroup) } }],
    });
  });

  test('each tier boots from its own SSM-parameter AMI (Packer writes, deploy rolls out)', () => {
    for (const [tier, name] of [[stack.web, 'web'], [stack.api, 'api'], [stack.brain, 'brain']] as const) {
      const parameters = Object.keys(template.findParameters('*', {
        Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
        Default: `/karma-labs/${name}/ami`,
      }));
      expect(parameters).toHaveLength(1);
      const lt = resource(template, logicalIdOf(tier.launchTemplate));
      expect(lt.Properties!.LaunchTemplateData.ImageId).toEqual({ Ref: parameters[0] });
    }
  });

  test('the Brain accepts port 9000 from the API tier only', () => {
    const brainSg = logicalIdOf(stack.brain.connections.securityGroups[0]);
    const apiSg = logicalIdOf(stack.api.connections.securityGroups[0]);
    const ingress = resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress')
      .map(([, r]) => r.Properties!)
      .filter(p => JSON.stringify(p.GroupId) === JSON.stringify({ 'Fn::GetAtt': [brainSg, 'GroupId'] }));
    expect(ingress).toEqual([expect.objectContaining({
      IpProtocol: 'tcp',
      FromPort: 9000,
      ToPort: 9000,
      SourceSecurityGroupId: { 'Fn::GetAtt': [apiSg, 'GroupId'] },
    })]);
    expect(resource(template, brainSg).Properties!.SecurityGroupIngress).toBeUndefined();
  });

  test('the load balancer DNS name is an output', () => {
    template.hasOutput('LoadBalancerDnsName', { Value: { 'Fn::GetAtt': [logicalIdOf(stack.web.loadBalancer), 'DNSName'] } });
  });
});

describe('Kwizly', () => {
  const stack = app.node.findChild('Kwizly') as KwizlyStack;
  const template = templates.get(stack)!;
  const script = userDataOf(template, stack.web);

  test('the web tier clones main over SSH with the deploy key, builds, and runs the app as a service', () => {
    const steps = runSteps(script).map(([name]) => name);
    expect(steps).toEqual(expect.arrayContaining(['git-clone', 'build', 'app-service', 'app-env', 'app-env-2', 'mount-uploads',
      'joblock-install', 'joblock-config', 'job-nightly-cleanup', 'wait-for-http']));
    expect(script).toContain("'REPOSITORY=git@github.com:kwizly/kwizly-app.git'");
    expect(script).toContain("'ON_CALENDAR=*-*-* 08:00:00 UTC'");
    expect(script).toContain("'ENV_PREFIX=DB_'");
  });

  test('the database is Multi-AZ PostgreSQL, encrypted with a customer key, in isolated subnets, reachable from the web tier only', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres', MultiAZ: true, StorageEncrypted: true, DeletionProtection: true,
      EnableIAMDatabaseAuthentication: true, EnableCloudwatchLogsExports: ['postgresql', 'upgrade'], Port: '5433',
    });
    const dbSg = resourcesOfType(template, 'AWS::EC2::SecurityGroup').find(([id]) => id.startsWith('DatabaseSecurityGroup'))![0];
    const ingress = resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress').filter(([, r]) => r.Properties?.GroupId?.['Fn::GetAtt']?.[0] === dbSg);
    expect(ingress).toHaveLength(1);
    expect(ingress[0][1].Properties).toMatchObject({ FromPort: 5433, SourceSecurityGroupId: { 'Fn::GetAtt': [logicalIdOf(stack.web.connections.securityGroups[0]), 'GroupId'] } });
  });

  test('IAM database authentication is used: the web tier may connect as kwizly_app with a token', () => {
    const connect = statementsOfRole(template, logicalIdOf(stack.web.role)).filter(s => JSON.stringify(s.Action).includes('rds-db:connect'));
    expect(connect).toHaveLength(1);
    const arn = JSON.stringify(connect[0].Resource);
    expect(arn).toContain(':dbuser:');
    expect(arn).toContain('/kwizly_app');
    expect(arn).toContain('DbiResourceId');
  });

  test('uploads, lock and database are in one backup plan or backed up', () => {
    template.resourceCountIs('AWS::EFS::FileSystem', 1);
    template.resourceCountIs('AWS::ElastiCache::ReplicationGroup', 1);
    template.resourceCountIs('AWS::Backup::BackupSelection', 2);
  });
});
