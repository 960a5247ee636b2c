/**
 * The deploy-rules pack of `cdk-web-tiers validate` (scripts/validate/deploy-rules/): for each
 * rule a template it must flag and one it must pass, with the AWS document and the sentence the
 * rule rests on.
 */
import { TemplateAck } from '../../scripts/validate/assembly';
import { runDeployRules } from '../../scripts/validate/deploy-rules';
import { DeployRule } from '../../scripts/validate/deploy-rules/rule';
import { HealthCheckGrace } from '../../scripts/validate/deploy-rules/rules/health-check-grace';
import { IamDbAuthWithoutGrant } from '../../scripts/validate/deploy-rules/rules/iam-db-auth-without-grant';
import { ImageArchitecture, instanceArchitecture } from '../../scripts/validate/deploy-rules/rules/image-architecture';
import { LogsResourcePolicyLimit } from '../../scripts/validate/deploy-rules/rules/logs-resource-policy-limit';
import { ScheduledActionInPast } from '../../scripts/validate/deploy-rules/rules/scheduled-action-in-past';
import { UserDataTooLarge } from '../../scripts/validate/deploy-rules/rules/user-data-too-large';
import { WarmPoolOnSpot } from '../../scripts/validate/deploy-rules/rules/warm-pool-on-spot';
import { WarmPoolUnbounded } from '../../scripts/validate/deploy-rules/rules/warm-pool-unbounded';
import { CfnTemplate, StackInfo } from '../../scripts/validate/model';

const NOW = new Date('2026-12-06T03:00:00Z');

function stack(name: string, template: CfnTemplate, environment = 'aws://111111111111/us-east-1'): StackInfo {
  return { name, templateFile: `/tmp/${name}.template.json`, template, constructPaths: new Map(), environment };
}

/** Rule ids and logical ids that `rule` reports on these stacks. */
function run(rule: DeployRule, ...stacks: StackInfo[]): string[] {
  const result = runDeployRules(stacks, [], { now: NOW, rules: [rule] });
  for (const f of result.findings) {
    expect(f.message).toContain(rule.document);
  }
  return result.findings.map((f) => `${f.stack}/${f.logicalId}`);
}

const GROUP = (props: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { MinSize: '2', MaxSize: '40', ...props }, ...extra });
const LAUNCH_TEMPLATE = (data: Record<string, unknown>) => ({ Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: data } });
const POOL = (props: Record<string, unknown> = {}) => ({ Type: 'AWS::AutoScaling::WarmPool', Properties: { AutoScalingGroupName: { Ref: 'Group' }, ...props } });
const MIXED = (distribution: Record<string, unknown>) => ({
  MixedInstancesPolicy: {
    InstancesDistribution: distribution,
    LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateId: { Ref: 'LT' }, Version: { 'Fn::GetAtt': ['LT', 'LatestVersionNumber'] } }, Overrides: [{ InstanceType: 'm7g.large' }, { InstanceType: 'm6g.large' }] },
  },
});

describe('DeployRules-WarmPoolOnSpot', () => {
  // https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutWarmPool.html (2024 text): "This operation cannot be
  // called on an Auto Scaling group that has a mixed instances policy or a launch template or launch configuration that
  // requests Spot Instances." EC2, stopping a Spot Instance of a one-time request: "You can't stop the Spot Instance ...
  // because it is associated with a one-time Spot Instance request."
  test('a warm pool on a group whose capacity above the On-Demand base is Spot is an error', () => {
    const t = stack('Spot', { Resources: { LT: LAUNCH_TEMPLATE({}), Group: GROUP(MIXED({ OnDemandBaseCapacity: 2, OnDemandPercentageAboveBaseCapacity: 0 })), Pool: POOL({ MaxGroupPreparedCapacity: 10 }) } });
    expect(run(WarmPoolOnSpot, t)).toEqual(['Spot/Pool']);
  });

  test('a warm pool on a group whose launch template asks for Spot is an error', () => {
    const t = stack('SpotLt', { Resources: { LT: LAUNCH_TEMPLATE({ InstanceMarketOptions: { MarketType: 'spot' } }), Group: GROUP({ LaunchTemplate: { LaunchTemplateId: { Ref: 'LT' }, Version: '1' } }), Pool: POOL() } });
    expect(run(WarmPoolOnSpot, t)).toEqual(['SpotLt/Pool']);
  });

  test('passes: a mixed instances policy that launches On-Demand only, and a plain On-Demand group', () => {
    const onDemandMixed = stack('OnDemandMixed', { Resources: { LT: LAUNCH_TEMPLATE({}), Group: GROUP(MIXED({ OnDemandBaseCapacity: 2, OnDemandPercentageAboveBaseCapacity: 100 })), Pool: POOL() } });
    const plain = stack('Plain', { Resources: { LT: LAUNCH_TEMPLATE({}), Group: GROUP({ LaunchTemplate: { LaunchTemplateId: { Ref: 'LT' }, Version: '1' } }), Pool: POOL() } });
    const baseCoversMax = stack('BaseCoversMax', { Resources: { LT: LAUNCH_TEMPLATE({}), Group: GROUP({ ...MIXED({ OnDemandBaseCapacity: 40, OnDemandPercentageAboveBaseCapacity: 0 }) }), Pool: POOL() } });
    expect(run(WarmPoolOnSpot, onDemandMixed, plain, baseCoversMax)).toEqual([]);
  });
});

describe('DeployRules-WarmPoolUnbounded', () => {
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-autoscaling-warmpool.html: "If a value for
  // MaxGroupPreparedCapacity is not specified, Amazon EC2 Auto Scaling launches and maintains the difference between the
  // group's maximum capacity and its desired capacity."
  test('a pool without MaxGroupPreparedCapacity is a warning that says how large the pool is', () => {
    const t = stack('Unbounded', { Resources: { Group: GROUP({ DesiredCapacity: '2' }), Pool: POOL() } });
    const result = runDeployRules([t], [], { now: NOW, rules: [WarmPoolUnbounded] });
    expect(result.findings.map((f) => f.logicalId)).toEqual(['Pool']);
    expect(result.findings[0].message).toMatch(/^\[warning\]/);
    expect(result.findings[0].message).toContain('MaxSize 40 − desired 2 = 38 instances');
  });

  test('passes: MaxGroupPreparedCapacity set', () => {
    const t = stack('Bounded', { Resources: { Group: GROUP({}), Pool: POOL({ MaxGroupPreparedCapacity: 12, MinSize: 10 }) } });
    expect(run(WarmPoolUnbounded, t)).toEqual([]);
  });
});

describe('DeployRules-LogsResourcePolicyLimit', () => {
  // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html: "An account can have
  // up to 10 resource policies per AWS Region."
  const policies = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`Policy${i}`, { Type: 'AWS::Logs::ResourcePolicy', Properties: { PolicyName: `p${i}`, PolicyDocument: '{}' } }]));

  test('11 policies across the stacks (and stages) of one account and region are an error on each', () => {
    const a = stack('Dev/App', { Resources: policies(4) });
    const b = stack('Staging/App', { Resources: policies(4) });
    const c = stack('Prod/App', { Resources: policies(3) });
    const found = run(LogsResourcePolicyLimit, a, b, c);
    expect(found).toHaveLength(11);
    expect(found).toContain('Staging/App/Policy3');
  });

  test('passes: 10 in one region, or 11 split over two regions', () => {
    expect(run(LogsResourcePolicyLimit, stack('A', { Resources: policies(6) }), stack('B', { Resources: policies(4) }))).toEqual([]);
    expect(run(LogsResourcePolicyLimit,
      stack('East', { Resources: policies(6) }, 'aws://111111111111/us-east-1'),
      stack('West', { Resources: policies(5) }, 'aws://111111111111/eu-west-1'))).toEqual([]);
  });
});

describe('DeployRules-ScheduledActionInPast', () => {
  // https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutScheduledUpdateGroupAction.html: "If you try to
  // schedule your action in the past, Amazon EC2 Auto Scaling returns an error message."
  const action = (props: Record<string, unknown>) => ({ Type: 'AWS::AutoScaling::ScheduledAction', Properties: { AutoScalingGroupName: { Ref: 'Group' }, MinSize: 10, ...props } });

  test('a one-time action whose start time has passed is an error', () => {
    expect(run(ScheduledActionInPast, stack('Past', { Resources: { Launch: action({ StartTime: '2026-11-27T18:00:00Z' }) } }))).toEqual(['Past/Launch']);
  });

  test('passes: a future one-time action, and a recurring one', () => {
    expect(run(ScheduledActionInPast, stack('Future', {
      Resources: { Launch: action({ StartTime: '2027-01-01T08:00:00Z' }), Daily: action({ Recurrence: '0 8 * * *', StartTime: '2025-01-01T00:00:00Z' }) },
    }))).toEqual([]);
  });
});

describe('DeployRules-UserDataTooLarge', () => {
  // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html: "User data is limited to 16 KB, in raw form, before
  // it is base64-encoded."
  const script = (bytes: number) => ({ 'Fn::Base64': { 'Fn::Join': ['', ['#!/bin/bash\n', 'x'.repeat(bytes - 12), { Ref: 'AWS::Region' }]] } });

  test('user data over 16 KB (raw, before base64) is an error', () => {
    expect(run(UserDataTooLarge, stack('Big', { Resources: { LT: LAUNCH_TEMPLATE({ UserData: script(16 * 1024 + 1) }) } }))).toEqual(['Big/LT']);
  });

  test('passes: exactly 16 KB; tokens count as empty', () => {
    expect(run(UserDataTooLarge, stack('Fits', { Resources: { LT: LAUNCH_TEMPLATE({ UserData: script(16 * 1024) }) } }))).toEqual([]);
  });
});

describe('DeployRules-IamDbAuthWithoutGrant', () => {
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrdsiamauthentication.html: the action
  // connect "Allows IAM role or user to connect to RDS database" (resource db-user, arn:...:dbuser:${DbiResourceId}/${DbUserName}).
  const db = { Type: 'AWS::RDS::DBInstance', Properties: { EnableIAMDatabaseAuthentication: true } };
  const grant = {
    Type: 'AWS::IAM::Policy',
    Properties: {
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow', Action: 'rds-db:connect',
          Resource: { 'Fn::Join': ['', ['arn:aws:rds-db:us-east-1:111111111111:dbuser:', { 'Fn::GetAtt': ['Db', 'DbiResourceId'] }, '/app']] },
        }],
      },
    },
  };

  test('IAM authentication on and nobody allowed rds-db:connect is a warning', () => {
    const result = runDeployRules([stack('NoGrant', { Resources: { Db: db } })], [], { now: NOW, rules: [IamDbAuthWithoutGrant] });
    expect(result.findings.map((f) => f.logicalId)).toEqual(['Db']);
    expect(result.findings[0].message).toMatch(/^\[warning\].*rds-db:connect/);
  });

  test('passes: a policy allows rds-db:connect on the database', () => {
    expect(run(IamDbAuthWithoutGrant, stack('Granted', { Resources: { Db: db, Grant: grant } }))).toEqual([]);
  });
});

describe('DeployRules-ImageArchitecture', () => {
  // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ComponentsAMIs.html: an AMI has one architecture (x86_64 or arm64);
  // EC2 refuses a launch whose instance type does not match it.
  const parameters = (arch: string) => ({
    Image: { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}` },
  });

  test('an arm64 instance type with an x86_64 AL2023 image, and x86 overrides of an arm64 template, are errors', () => {
    const lt = stack('Mismatch', { Parameters: parameters('x86_64'), Resources: { LT: LAUNCH_TEMPLATE({ InstanceType: 't4g.small', ImageId: { Ref: 'Image' } }) } });
    const overrides = stack('Overrides', {
      Parameters: parameters('x86_64'),
      Resources: { LT: LAUNCH_TEMPLATE({ ImageId: { Ref: 'Image' } }), Group: GROUP(MIXED({ OnDemandPercentageAboveBaseCapacity: 100 })) },
    });
    const resolved = stack('Resolve', { Resources: { LT: LAUNCH_TEMPLATE({ InstanceType: 'c7i.large', ImageId: '{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64}}' }) } });
    expect(run(ImageArchitecture, lt, overrides, resolved)).toEqual(['Mismatch/LT', 'Overrides/Group', 'Overrides/Group', 'Resolve/LT']);
  });

  test('passes: matching architectures, and images whose architecture the template does not tell', () => {
    const match = stack('Match', { Parameters: parameters('arm64'), Resources: { LT: LAUNCH_TEMPLATE({ InstanceType: 'm7g.large', ImageId: { Ref: 'Image' } }) } });
    const custom = stack('Custom', {
      Parameters: { Image: { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: '/kwizly/base-ami' } },
      Resources: { LT: LAUNCH_TEMPLATE({ InstanceType: 'm7g.large', ImageId: { Ref: 'Image' } }) },
    });
    expect(run(ImageArchitecture, match, custom)).toEqual([]);
  });

  test('Graviton families are arm64, the others x86_64', () => {
    for (const t of ['t4g.small', 'm7g.large', 'c7gn.xlarge', 'r8gd.large', 'x2gd.large', 'im4gn.large', 'is4gen.large', 'a1.medium', 'hpc7g.4xlarge']) {
      expect([t, instanceArchitecture(t)]).toEqual([t, 'arm64']);
    }
    for (const t of ['t3.small', 'm7i.large', 'm7i-flex.large', 'c7a.large', 'g4dn.xlarge', 'c6in.large', 'inf2.xlarge', 'm5zn.large']) {
      expect([t, instanceArchitecture(t)]).toEqual([t, 'x86_64']);
    }
  });
});

describe('DeployRules-HealthCheckGrace', () => {
  // https://docs.aws.amazon.com/autoscaling/ec2/userguide/health-check-grace-period.html: "The grace period prevents Amazon
  // EC2 Auto Scaling from marking your newly launched instances Unhealthy and terminating them unnecessarily if they don't
  // immediately pass these health checks after they enter the InService state." and "If you use lifecycle hooks for
  // instance launch, you can set the health check grace period to 0."
  const boot = { Metadata: { 'cdk-web-tiers:spike': { bootSeconds: 240, warmStartSeconds: 30 } } };

  test('ELB health checks with a grace period shorter than the declared boot are an error', () => {
    expect(run(HealthCheckGrace, stack('Short', { Resources: { Group: GROUP({ HealthCheckType: 'ELB', HealthCheckGracePeriod: 60 }, boot) } }))).toEqual(['Short/Group']);
    expect(run(HealthCheckGrace, stack('Default', { Resources: { Group: GROUP({ HealthCheckType: 'ELB' }, boot) } }))).toEqual(['Default/Group']);
  });

  test('passes: grace covers the boot, a launch lifecycle hook, EC2 checks only, or no declared boot', () => {
    const hook = { LifecycleHookSpecificationList: [{ LifecycleHookName: 'ready', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING' }] };
    expect(run(HealthCheckGrace,
      stack('Covers', { Resources: { Group: GROUP({ HealthCheckType: 'ELB', HealthCheckGracePeriod: 300 }, boot) } }),
      stack('Hooked', { Resources: { Group: GROUP({ HealthCheckType: 'ELB', HealthCheckGracePeriod: 0, ...hook }, boot) } }),
      stack('Ec2', { Resources: { Group: GROUP({ HealthCheckType: 'EC2' }, boot) } }),
      stack('Unknown', { Resources: { Group: GROUP({ HealthCheckType: 'ELB' }) } }),
    )).toEqual([]);
  });
});

describe('acknowledgements', () => {
  test('a DeployRules acknowledgement in the template moves the finding to acknowledged; a stale or short one is a problem', () => {
    const t = stack('Acked', { Resources: { Group: GROUP({ DesiredCapacity: '2' }), Pool: POOL(), Other: POOL() } });
    const acks: TemplateAck[] = [
      { tool: 'deploy-rules', stack: t, logicalId: 'Pool', id: 'DeployRules-WarmPoolUnbounded', reason: 'The pool is sized by the group on purpose in this test.' },
      { tool: 'deploy-rules', stack: t, logicalId: 'Group', id: 'DeployRules-WarmPoolOnSpot', reason: 'short' },
    ];
    const result = runDeployRules([t], acks, { now: NOW });
    expect(result.acknowledged.map((f) => f.logicalId)).toEqual(['Pool']);
    expect(result.findings.map((f) => f.logicalId)).toEqual(['Other']);
    expect(result.problems.map((p) => p.problem)).toEqual([expect.stringMatching(/^stale/), expect.stringMatching(/^reason shorter/)]);
  });
});
