/**
 * The shared core (lib/fleet/fleet.ts), tested through both tiers since Fleet is internal.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { BootPhase, SingletonWorker, StatelessWebTier } from '../lib';
import {
  CfnResourceJson, actionsOf, logicalIdOf, newStack, policiesOfRole, resource, resourcesOfType, runSteps, statementsOfRole,
  testCertificate, testSource, testVpc, userDataOf,
} from './helpers';

const ALL_SCALING_EVENTS = [
  'autoscaling:EC2_INSTANCE_LAUNCH',
  'autoscaling:EC2_INSTANCE_LAUNCH_ERROR',
  'autoscaling:EC2_INSTANCE_TERMINATE',
  'autoscaling:EC2_INSTANCE_TERMINATE_ERROR',
];

/** Actions that have no resource-level permissions and so may use Resource '*'. */
const STAR_RESOURCE_ACTIONS = new Set([
  'ssm:UpdateInstanceInformation',
  'ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel',
  'cloudwatch:PutMetricData',
  'ec2:DescribeTags',
  'autoscaling:SetInstanceHealth',
  'autoscaling:CompleteLifecycleAction',
  'autoscaling:DescribeAutoScalingInstances',
  // X-Ray has no resource-level permissions for trace upload and sampling (Service Authorization Reference).
  'xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets',
  'elasticloadbalancing:DescribeTargetHealth',
]);

const BASELINE_ACTIONS = [
  'autoscaling:CompleteLifecycleAction',
  'autoscaling:DescribeAutoScalingInstances',
  'cloudformation:SignalResource',
  'cloudwatch:PutMetricData',
  'ec2:DescribeTags',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  's3:GetObject',
  'ssm:UpdateInstanceInformation',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
  // OpenTelemetry traces forwarded to X-Ray by the CloudWatch agent.
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'xray:PutTelemetryRecords',
  'xray:PutTraceSegments',
];

type Tier = StatelessWebTier | SingletonWorker;

describe('Fleet (through StatelessWebTier and SingletonWorker)', () => {
  let stack: Stack;
  let vpc: ec2.Vpc;
  let web: StatelessWebTier;
  let worker: SingletonWorker;
  let template: Template;

  beforeAll(() => {
    stack = newStack();
    vpc = testVpc(stack);
    web = new StatelessWebTier(stack, 'Web', {
      vpc,
      source: testSource(),
      certificate: testCertificate(stack),
      capacity: { min: 4, max: 10 },
    });
    // Added after construction: must still be rendered, in phase order.
    web.addBootStep({ name: 'fetch-config', phase: BootPhase.FETCH_SECRETS, script: 'echo config' });
    web.addBootStep({ name: 'late-prepare', phase: BootPhase.PREPARE, script: 'echo prepare' });
    web.addBootStep({ name: 'start-app', phase: BootPhase.START, script: 'echo start' });
    worker = new SingletonWorker(stack, 'Worker', {
      vpc,
      source: testSource(),
      healthCommand: 'curl -fsS localhost:9000/health',
      deployment: { timeout: Duration.minutes(20) },
    });
    template = Template.fromStack(stack);
  });

  describe.each(['web tier', 'singleton worker'])('%s', (name) => {
    const tier = (): Tier => (name === 'web tier' ? web : worker);
    const asg = (): CfnResourceJson => resource(template, logicalIdOf(tier().autoScalingGroup));

    test('launch template: IMDSv2 only with hop limit 1, detailed monitoring, encrypted gp3 root volume, no key pair', () => {
      const lt = resource(template, logicalIdOf(tier().launchTemplate));
      expect(lt.Type).toBe('AWS::EC2::LaunchTemplate');
      const data = lt.Properties!.LaunchTemplateData;
      expect(data.MetadataOptions).toEqual({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 });
      expect(data.Monitoring).toEqual({ Enabled: true });
      expect(data.BlockDeviceMappings).toEqual([{
        DeviceName: '/dev/xvda',
        Ebs: { Encrypted: true, VolumeType: 'gp3', DeleteOnTermination: true, VolumeSize: 20 },
      }]);
      expect(data.KeyName).toBeUndefined();
      expect(data.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [logicalIdOf(tier().connections.securityGroups[0]), 'GroupId'] }]);
    });

    test('instance role trusts EC2 only and has no AWS managed or role-inline policies', () => {
      const role = resource(template, logicalIdOf(tier().role));
      expect(role.Properties!.AssumeRolePolicyDocument.Statement).toEqual([{
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'ec2.amazonaws.com' },
      }]);
      // Only policies of this stack (whose statements are checked below), never an AWS managed one.
      for (const arn of role.Properties!.ManagedPolicyArns ?? []) {
        expect(resource(template, arn.Ref).Type).toBe('AWS::IAM::ManagedPolicy');
      }
      expect(role.Properties!.Policies).toBeUndefined();
      expect(policiesOfRole(template, logicalIdOf(tier().role)).length).toBeGreaterThan(0);
    });

    test('instance policy: exactly the baseline statements, nothing broader', () => {
      const statements = statementsOfRole(template, logicalIdOf(tier().role));
      const actions = [...new Set(statements.flatMap(actionsOf))].sort();
      const expected = name === 'singleton worker'
        ? [...BASELINE_ACTIONS, 'autoscaling:SetInstanceHealth'].sort()
        : [...BASELINE_ACTIONS, 'elasticloadbalancing:DescribeTargetHealth', 'autoscaling:SetInstanceHealth'].sort();
      expect(actions).toEqual(expected);
      for (const statement of statements) {
        expect(statement.Effect).toBe('Allow');
        expect(statement.NotAction).toBeUndefined();
        expect(statement.NotResource).toBeUndefined();
        // No wildcard actions at all ('*', 'ssm:*', 'logs:*', 's3:Get*' ...).
        for (const action of actionsOf(statement)) expect(action).not.toContain('*');
        const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        if (resources.includes('*')) {
          for (const action of actionsOf(statement)) expect(STAR_RESOURCE_ACTIONS.has(action) ? action : `${action} on '*'`).toBe(action);
        }
      }

      const bySid = (sid: string) => statements.find(s => s.Sid === sid);
      expect(bySid('SessionManager')).toEqual({
        Sid: 'SessionManager',
        Effect: 'Allow',
        Action: ['ssm:UpdateInstanceInformation', 'ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel',
          'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
        Resource: '*',
      });
      expect(bySid('AgentMetrics')).toEqual({
        Sid: 'AgentMetrics',
        Effect: 'Allow',
        Action: 'cloudwatch:PutMetricData',
        Resource: '*',
        Condition: { StringEquals: { 'cloudwatch:namespace': 'CWAgent' } },
      });
      expect(bySid('ReadinessSignal')).toEqual({
        Sid: 'ReadinessSignal',
        Effect: 'Allow',
        Action: 'cloudformation:SignalResource',
        Resource: { Ref: 'AWS::StackId' },
      });
      // Every SignalResource statement (the ASG adds its own) is scoped to this stack.
      for (const s of statements.filter(st => actionsOf(st).includes('cloudformation:SignalResource'))) {
        expect(s.Resource).toEqual({ Ref: 'AWS::StackId' });
      }
      // The boot files: read exactly the one asset object.
      const bootFiles = bySid('BootFiles')!;
      expect(bootFiles.Action).toBe('s3:GetObject');
      expect(JSON.stringify(bootFiles.Resource)).toMatch(/\/[0-9a-f]{64}\.zip"/);
      // Logs: write into the tier's own log group only.
      const logWrite = statements.filter(s => actionsOf(s).some(a => a.startsWith('logs:')));
      expect(logWrite).toEqual([{
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [logicalIdOf(tier().logGroup), 'Arn'] },
      }]);
    });

    test('security group: no ingress from anywhere, egress only HTTPS', () => {
      const sgId = logicalIdOf(tier().connections.securityGroups[0]);
      const sg = resource(template, sgId);
      expect(sg.Properties!.SecurityGroupEgress).toEqual([{
        CidrIp: '0.0.0.0/0', Description: expect.any(String), FromPort: 443, ToPort: 443, IpProtocol: 'tcp',
      }]);
      const inline = sg.Properties!.SecurityGroupIngress ?? [];
      const separate = resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress')
        .filter(([, r]) => JSON.stringify(r.Properties!.GroupId) === JSON.stringify({ 'Fn::GetAtt': [sgId, 'GroupId'] }))
        .map(([, r]) => r.Properties!);
      for (const rule of [...inline, ...separate]) {
        expect(rule.CidrIp).not.toBe('0.0.0.0/0');
        expect(rule.CidrIpv6).not.toBe('::/0');
      }
      const egress = resourcesOfType(template, 'AWS::EC2::SecurityGroupEgress')
        .filter(([, r]) => JSON.stringify(r.Properties!.GroupId) === JSON.stringify({ 'Fn::GetAtt': [sgId, 'GroupId'] }));
      expect(egress).toEqual([]);
    });

    test('Auto Scaling group spans the private subnets of the VPC', () => {
      expect(asg().Properties!.VPCZoneIdentifier).toEqual(vpc.privateSubnets.map(s => ({ Ref: logicalIdOf(s) })));
      expect(vpc.privateSubnets).toHaveLength(2);
    });

    test('creation policy waits for min signals; rolling update waits on signals', () => {
      const min = Number(asg().Properties!.MinSize);
      expect(asg().CreationPolicy).toEqual({ ResourceSignal: { Count: min, Timeout: name === 'web tier' ? 'PT15M' : 'PT20M' } });
      expect(asg().UpdatePolicy!.AutoScalingRollingUpdate).toEqual(expect.objectContaining({
        WaitOnResourceSignals: true,
        MinInstancesInService: name === 'web tier' ? 4 : 0,
        MaxBatchSize: name === 'web tier' ? 2 : 1,
        PauseTime: name === 'web tier' ? 'PT15M' : 'PT20M',
      }));
    });

    test('the group depends on the instance role and every policy attached to it', () => {
      const roleId = logicalIdOf(tier().role);
      const policyIds = policiesOfRole(template, roleId);
      expect(policyIds.length).toBeGreaterThan(0);
      expect(asg().DependsOn).toEqual(expect.arrayContaining([roleId, ...policyIds]));
    });

    test('every scaling event goes to a KMS-encrypted topic that Auto Scaling may use', () => {
      const topicId = logicalIdOf(tier().notificationsTopic);
      expect(asg().Properties!.NotificationConfigurations).toEqual([{
        NotificationTypes: ALL_SCALING_EVENTS,
        TopicARN: { Ref: topicId },
      }]);
      const keyRef = resource(template, topicId).Properties!.KmsMasterKeyId;
      expect(keyRef).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
      const key = resource(template, keyRef['Fn::GetAtt'][0]);
      expect(key.Type).toBe('AWS::KMS::Key');
      expect(key.Properties!.EnableKeyRotation).toBe(true);
      const statement = key.Properties!.KeyPolicy.Statement.find((s: any) => s.Sid === 'AutoScalingNotifications');
      expect(statement).toBeDefined();
      // The service-linked role is named in a condition (KMS refuses a principal that does not exist yet).
      expect(statement.Principal).toEqual({ AWS: '*' });
      expect(JSON.stringify(statement.Condition.ArnEquals['aws:PrincipalArn'])).toContain(':role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling');
      expect(statement.Condition.StringEquals['aws:PrincipalAccount']).toEqual({ Ref: 'AWS::AccountId' });
      expect(statement.Action).toEqual(expect.arrayContaining(['kms:GenerateDataKey*', 'kms:Decrypt']));
    });

    test('log group is KMS-encrypted with the same key and kept 365 days', () => {
      const logs = resource(template, logicalIdOf(tier().logGroup));
      const topic = resource(template, logicalIdOf(tier().notificationsTopic));
      expect(logs.Properties!.RetentionInDays).toBe(365);
      expect(logs.Properties!.KmsKeyId).toEqual(topic.Properties!.KmsMasterKeyId);
      const key = resource(template, logs.Properties!.KmsKeyId['Fn::GetAtt'][0]);
      expect(key.Properties!.KeyPolicy.Statement).toEqual(expect.arrayContaining([
        expect.objectContaining({ Sid: 'CloudWatchLogGroups', Principal: { Service: expect.anything() } }),
      ]));
    });

    test('user data signals the group by its logical id and ends with boot_succeeded', () => {
      const script = userDataOf(template, tier());
      const asgId = logicalIdOf(tier().autoScalingGroup);
      expect(script).toContain(`export CWT_SIGNAL_RESOURCE='${asgId}'\n`);
      expect(script.startsWith('#!/bin/bash\n')).toBe(true);
      expect(script.trimEnd().endsWith('\nboot_succeeded')).toBe(true);
      const steps = runSteps(script);
      expect(steps.slice(0, 2)).toEqual([['app-user', 'prepare'], ['cloudwatch-agent', 'prepare']]);
      // boot_succeeded runs after the last step.
      expect(script.lastIndexOf('\nboot_succeeded\n')).toBeGreaterThan(script.lastIndexOf('\nrun_step '));
    });
  });

  test('web tier user data: steps in phase order, wait-for-http then the liveness reporter last, steps added later included', () => {
    const script = userDataOf(template, web);
    expect(runSteps(script)).toEqual([
      ['app-user', 'prepare'],
      ['cloudwatch-agent', 'prepare'],
      ['late-prepare', 'prepare'],
      ['fetch-config', 'fetch-secrets'],
      ['start-app', 'start'],
      ['wait-for-http', 'signal'],
      ['liveness-reporter', 'signal'],
    ]);
    expect(script).toMatch(/^run_step wait-for-http signal 'HEALTH_URL=http:\/\/127\.0\.0\.1:8080\/' <<'CDK_WEB_TIERS_STEP_END'$/m);
    // The readiness deadline (deployment timeout less 5 minutes) and the target group to wait for.
    expect(script).toContain("export CWT_READY_TIMEOUT_SECONDS='600'\n");
    expect(script).toContain(`export CWT_TARGET_GROUP_ARN='TOKEN_Ref_${logicalIdOf(web.targetGroup)}'\n`);
    expect(userDataOf(template, worker)).toContain("export CWT_TARGET_GROUP_ARN=''\n");
  });

  // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html:
  // "PauseTime: The amount of time that CloudFormation pauses after making a change to a batch of
  // instances to give those instances time to start software applications." The clock starts at the
  // launch, before the boot; the FAILURE signal is retried for about 3 minutes. The deadline must
  // leave both, or CloudFormation times out without the reason (it left 60 s: 840 s against PT15M).
  test('the readiness deadline leaves 5 minutes of PauseTime for the launch and the FAILURE signal', () => {
    for (const t of [web, worker]) {
      const policy = (resource(template, logicalIdOf(t.autoScalingGroup)) as any).UpdatePolicy.AutoScalingRollingUpdate;
      const pause = /^PT(\d+)M$/.exec(policy.PauseTime)!;
      const deadline = Number(/export CWT_READY_TIMEOUT_SECONDS='(\d+)'/.exec(userDataOf(template, t))![1]);
      expect(Number(pause[1]) * 60 - deadline).toBe(300);
    }
    expect(userDataOf(template, web)).toContain("export CWT_READY_TIMEOUT_SECONDS='600'\n");
    expect(userDataOf(template, worker)).toContain("export CWT_READY_TIMEOUT_SECONDS='900'\n");
  });

  test('worker user data: readiness then the health reporter, last', () => {
    expect(runSteps(userDataOf(template, worker))).toEqual([
      ['app-user', 'prepare'],
      ['cloudwatch-agent', 'prepare'],
      ['wait-for-health-command', 'signal'],
      ['health-reporter', 'signal'],
    ]);
  });

  test('addBootStep rejects a duplicate name and a malformed name', () => {
    expect(() => web.addBootStep({ name: 'app-user', phase: BootPhase.START, script: 'true' })).toThrow(/"app-user" was added twice/);
    expect(() => worker.addBootStep({ name: 'health-reporter', phase: BootPhase.START, script: 'true' })).toThrow(/added twice/);
    expect(() => web.addBootStep({ name: 'Not Valid', phase: BootPhase.START, script: 'true' })).toThrow(/"Not Valid" is invalid/);
    expect(() => web.addBootStep({ name: '', phase: BootPhase.START, script: 'true' })).toThrow(/is invalid/);
  });

  test('each fleet may complete the lifecycle of (and a worker report the health of) only its own group: the tag condition equals the group tag', () => {
    const tagOf = (tier: Tier) => resource(template, logicalIdOf(tier.autoScalingGroup)).Properties!.Tags.find((t: any) => t.Key === 'cdk-web-tiers:fleet');
    const fleetTag = tagOf(worker);
    expect(fleetTag).toEqual({ Key: 'cdk-web-tiers:fleet', Value: expect.stringMatching(/^[0-9a-f]{42}$/), PropagateAtLaunch: true });
    const own = (tier: Tier) => statementsOfRole(template, logicalIdOf(tier.role))
      .filter(s => actionsOf(s).some(a => a.startsWith('autoscaling:') && a !== 'autoscaling:DescribeAutoScalingInstances'));
    expect(own(worker)).toEqual([{
      Sid: 'OwnLifecycle',
      Effect: 'Allow',
      Action: ['autoscaling:CompleteLifecycleAction', 'autoscaling:SetInstanceHealth'],
      Resource: '*',
      Condition: { StringEquals: { 'autoscaling:ResourceTag/cdk-web-tiers:fleet': fleetTag.Value } },
    }]);
    // A web tier completes its own launches and reports its own liveness; the load balancer judges readiness only.
    expect(own(web)).toEqual([{
      Sid: 'OwnLifecycle',
      Effect: 'Allow',
      Action: 'autoscaling:CompleteLifecycleAction',
      Resource: '*',
      Condition: { StringEquals: { 'autoscaling:ResourceTag/cdk-web-tiers:fleet': tagOf(web).Value } },
    }, {
      Sid: 'ReportOwnLiveness',
      Effect: 'Allow',
      Action: 'autoscaling:SetInstanceHealth',
      Resource: '*',
      Condition: { StringEquals: { 'autoscaling:ResourceTag/cdk-web-tiers:fleet': tagOf(web).Value } },
    }]);
    // The instance knows its fleet id by the same value.
    expect(userDataOf(template, worker)).toContain(`export CWT_FLEET='${fleetTag.Value}'`);
    // Two fleets never share a tag value.
    expect(tagOf(web).Value).not.toBe(fleetTag.Value);
  });

  test('the launch lifecycle hook is part of the group (so the instances of its creation wait too), with the deployment timeout as heartbeat', () => {
    for (const [tier, timeout] of [[web, 900], [worker, 1200]] as Array<[Tier, number]>) {
      const group = resource(template, logicalIdOf(tier.autoScalingGroup));
      expect(group.Properties!.LifecycleHookSpecificationList).toEqual([{
        LifecycleHookName: 'cdk-web-tiers-ready',
        LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
        HeartbeatTimeout: timeout,
        DefaultResult: 'ABANDON',
      }]);
      expect(userDataOf(template, tier)).toContain("export CWT_LIFECYCLE_HOOK='cdk-web-tiers-ready'\n");
    }
    expect(resourcesOfType(template, 'AWS::AutoScaling::LifecycleHook')).toEqual([]);
  });

  test('a long construct path still gives a topic display name of at most 100 characters', () => {
    const long = newStack();
    const deep = new Construct(new Construct(long, 'A'.repeat(60)), 'B'.repeat(60));
    const tier = new StatelessWebTier(deep, 'Web', { vpc: testVpc(long), source: testSource(), certificate: testCertificate(long) });
    const name = resource(Template.fromStack(long), logicalIdOf(tier.notificationsTopic)).Properties!.DisplayName as string;
    expect(name.length).toBeLessThanOrEqual(100);
    expect(name).toMatch(/^Scaling events of …A*\/B{60}\/Web$/);
  });

  test('no warnings for a web tier whose max leaves room for a batch', () => {
    Annotations.fromStack(stack).hasNoWarning('/Test/Web', Match.stringLikeRegexp('rollingDeployBelowMin'));
  });
});

describe('Fleet options', () => {
  test('containerHost raises the metadata hop limit to 2', () => {
    const stack = newStack();
    new SingletonWorker(stack, 'Worker', {
      vpc: testVpc(stack),
      source: testSource(),
      healthCommand: 'true',
      containerHost: true,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 } }),
    });
  });

  test('capacity min == max on a web tier warns that rolling deploys go below min', () => {
    const stack = newStack();
    new StatelessWebTier(stack, 'Web', {
      vpc: testVpc(stack),
      source: testSource(),
      certificate: testCertificate(stack),
      capacity: { min: 3, max: 3 },
    });
    const template = Template.fromStack(stack);
    Annotations.fromStack(stack).hasWarning('/Test/Web', Match.stringLikeRegexp('cdk-web-tiers:rollingDeployBelowMin'));
    // max - maxBatchSize(ceil(3/2) = 2) = 1 instance kept in service.
    template.hasResource('AWS::AutoScaling::AutoScalingGroup', {
      UpdatePolicy: { AutoScalingRollingUpdate: Match.objectLike({ MinInstancesInService: 1, MaxBatchSize: 2 }) },
    });
  });

  test('a singleton worker never gets the rolling-deploy warning (it has no room by design)', () => {
    const stack = newStack();
    new SingletonWorker(stack, 'Worker', { vpc: testVpc(stack), source: testSource(), healthCommand: 'true' });
    Template.fromStack(stack);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('rollingDeployBelowMin'));
  });

  test('deployment overrides reach the update and creation policies', () => {
    const stack = newStack();
    new StatelessWebTier(stack, 'Web', {
      vpc: testVpc(stack),
      source: testSource(),
      certificate: testCertificate(stack),
      capacity: { min: 2, max: 6 },
      deployment: { maxBatchSize: 3, timeout: Duration.minutes(30) },
    });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::AutoScaling::AutoScalingGroup', {
      CreationPolicy: { ResourceSignal: { Count: 2, Timeout: 'PT30M' } },
      UpdatePolicy: { AutoScalingRollingUpdate: Match.objectLike({ MaxBatchSize: 3, MinInstancesInService: 2, PauseTime: 'PT30M', WaitOnResourceSignals: true }) },
    });
  });
});

describe('user data size and the boot files asset', () => {
  test('the prelude downloads the boot files asset that the policy lets it read', () => {
    const stack = newStack();
    const vpc = testVpc(stack);
    const web = new StatelessWebTier(stack, 'Web', { vpc, source: testSource(), certificate: testCertificate(stack) });
    const script = userDataOf(Template.fromStack(stack), web);
    expect(script).toMatch(/export CWT_BOOT_KEY='[0-9a-f]{64}\.zip'/);
    expect(script).toContain('aws s3 cp --only-show-errors --region "$CWT_REGION" "s3://$CWT_BOOT_BUCKET/$CWT_BOOT_KEY"');
    expect(script).toContain('python3 -m zipfile -e');
  });

  test('user data over 16 KB fails at synth, naming the tier and the fix', () => {
    const stack = newStack();
    const vpc = testVpc(stack);
    const web = new StatelessWebTier(stack, 'Web', { vpc, source: testSource(), certificate: testCertificate(stack) });
    web.addBootStep({ name: 'huge', phase: BootPhase.PREPARE, script: `echo '${'x'.repeat(17_000)}'` });
    expect(() => Template.fromStack(stack)).toThrow(/Test\/Web: invalid boot steps \(user data of about \d+ bytes\)\. EC2 accepts at most 16384 bytes/);
  });
});
