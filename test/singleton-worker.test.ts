/**
 * SingletonWorker: one instance, no load balancer, self-reported health.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SingletonWorker } from '../lib';
import { actionsOf, logicalIdOf, newStack, resource, runSteps, statementsOfRole, testSource, testVpc, userDataOf } from './helpers';

const HEALTH_COMMAND = "curl -fsS 'http://127.0.0.1:9000/health'";

describe('SingletonWorker', () => {
  let stack: Stack;
  let worker: SingletonWorker;
  let template: Template;
  let script: string;

  beforeAll(() => {
    stack = newStack();
    worker = new SingletonWorker(stack, 'Brain', {
      vpc: testVpc(stack),
      source: testSource(),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.C6I, ec2.InstanceSize.LARGE),
      healthCommand: HEALTH_COMMAND,
      healthCheck: { interval: Duration.seconds(60), timeout: Duration.seconds(20), failureThreshold: 5, gracePeriod: Duration.minutes(8) },
    });
    template = Template.fromStack(stack);
    script = userDataOf(template, worker);
  });

  test('exactly one instance, EC2 health checks', () => {
    template.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 1);
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '1',
      MaxSize: '1',
      DesiredCapacity: Match.absent(),
      HealthCheckType: 'EC2',
      HealthCheckGracePeriod: 480,
      TargetGroupARNs: Match.absent(),
    });
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ InstanceType: 'c6i.large' }),
    });
  });

  test('no load balancer resources and no scaling policies', () => {
    const types = Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map(r => r.Type);
    expect(types.filter(t => t.startsWith('AWS::ElasticLoadBalancingV2::'))).toEqual([]);
    expect(types.filter(t => t === 'AWS::S3::Bucket')).toEqual([]);
    template.resourceCountIs('AWS::AutoScaling::ScalingPolicy', 0);
  });

  test('a deployment replaces the one instance: 0 in service, batches of 1, signal count 1', () => {
    template.hasResource('AWS::AutoScaling::AutoScalingGroup', {
      CreationPolicy: { ResourceSignal: { Count: 1, Timeout: 'PT15M' } },
      UpdatePolicy: {
        AutoScalingRollingUpdate: Match.objectLike({ MinInstancesInService: 0, MaxBatchSize: 1, WaitOnResourceSignals: true, PauseTime: 'PT15M' }),
      },
    });
  });

  test('user data waits for the health command, then installs the reporter with the configured threshold and interval', () => {
    expect(runSteps(script).slice(-2)).toEqual([['wait-for-health-command', 'signal'], ['health-reporter', 'signal']]);
    const line = (name: string) => script.split('\n').find(l => l.startsWith(`run_step ${name} `))!;
    const quotedCommand = `'HEALTH_COMMAND=curl -fsS '\\''http://127.0.0.1:9000/health'\\'''`;
    expect(line('wait-for-health-command')).toBe(
      `run_step wait-for-health-command signal ${quotedCommand} 'HEALTH_TIMEOUT_SECONDS=20' <<'CDK_WEB_TIERS_STEP_END'`);
    expect(line('health-reporter')).toBe(
      `run_step health-reporter signal ${quotedCommand} 'HEALTH_TIMEOUT_SECONDS=20' 'HEALTH_INTERVAL_SECONDS=60' 'HEALTH_FAILURE_THRESHOLD=5' 'HEALTH_BOOT_GRACE_SECONDS=480' <<'CDK_WEB_TIERS_STEP_END'`);
    // Readiness counts from the boot's start: the deployment timeout less a minute.
    expect(script).toContain("export CWT_READY_TIMEOUT_SECONDS='600'\n");
    expect(script).not.toContain('run_step wait-for-http');
  });

  test('default health settings: every 30 s, 10 s timeout, 3 failures', () => {
    const other = newStack('Other');
    const w = new SingletonWorker(other, 'W', { vpc: testVpc(other), source: testSource(), healthCommand: 'true' });
    const otherTemplate = Template.fromStack(other);
    expect(userDataOf(otherTemplate, w)).toMatch(/^run_step health-reporter signal 'HEALTH_COMMAND=true' 'HEALTH_TIMEOUT_SECONDS=10' 'HEALTH_INTERVAL_SECONDS=30' 'HEALTH_FAILURE_THRESHOLD=3' /m);
    otherTemplate.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { HealthCheckGracePeriod: 300 });
  });

  test('the role may set instance health only on the group carrying its fleet tag', () => {
    const statements = statementsOfRole(template, logicalIdOf(worker.role));
    const autoscaling = statements.filter(s => actionsOf(s).some(a => a.startsWith('autoscaling:') && a !== 'autoscaling:DescribeAutoScalingInstances'));
    const fleetTag = resource(template, logicalIdOf(worker.autoScalingGroup)).Properties!.Tags
      .find((t: { Key: string }) => t.Key === 'cdk-web-tiers:fleet');
    expect(autoscaling).toEqual([{
      Sid: 'OwnLifecycle',
      Effect: 'Allow',
      Action: ['autoscaling:CompleteLifecycleAction', 'autoscaling:SetInstanceHealth'],
      Resource: '*',
      Condition: { StringEquals: { 'autoscaling:ResourceTag/cdk-web-tiers:fleet': fleetTag.Value } },
    }]);
    expect(fleetTag.PropagateAtLaunch).toBe(true);
  });

  test('exposes its L2 constructs and metrics', () => {
    expect(worker.connections.securityGroups).toHaveLength(1);
    expect(worker.appUser).toBe('webapp');
    expect(resource(template, logicalIdOf(worker.logGroup)).Type).toBe('AWS::Logs::LogGroup');
    expect(resource(template, logicalIdOf(worker.notificationsTopic)).Type).toBe('AWS::SNS::Topic');
    const asgName = { Ref: logicalIdOf(worker.autoScalingGroup) };
    const inService = worker.metricInServiceInstances();
    expect([inService.namespace, inService.metricName, inService.statistic]).toEqual(['AWS/AutoScaling', 'GroupInServiceInstances', 'Minimum']);
    expect(stack.resolve(inService.dimensions)).toEqual({ AutoScalingGroupName: asgName });
    const cpu = worker.metricCpuUtilization();
    expect([cpu.namespace, cpu.metricName]).toEqual(['AWS/EC2', 'CPUUtilization']);
    expect(stack.resolve(cpu.dimensions)).toEqual({ AutoScalingGroupName: asgName });
    // Group metrics are on, so the in-service metric exists.
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MetricsCollection: [{ Granularity: '1Minute' }] });
  });

  test('other tiers can be allowed in through connections', () => {
    const other = newStack('Other');
    const vpc = testVpc(other);
    const brain = new SingletonWorker(other, 'Brain', { vpc, source: testSource(), healthCommand: 'true' });
    const peer = new ec2.SecurityGroup(other, 'Peer', { vpc });
    brain.connections.allowFrom(peer, ec2.Port.tcp(9000));
    Template.fromStack(other).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [logicalIdOf(brain.connections.securityGroups[0]), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [logicalIdOf(peer), 'GroupId'] },
      FromPort: 9000,
      ToPort: 9000,
    });
  });
});
