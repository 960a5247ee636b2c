/**
 * The two readers of a ScalingModel: a synthesized template (any group, whoever wrote it) and a
 * construct of the app. For the library's own tier they must agree.
 */
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SpikeHealthCheckType, SpikeMetric, SpikeSimulation, SpikeWarmPoolState, StatelessWebTier } from '../../lib';
import { newStack, testCertificate, testSource, testVpc } from '../helpers';

/** An app whose templates carry construct paths, as `cdk synth` writes them. */
function appWithPaths(): App {
  return new App({ context: { 'aws:cdk:enable-path-metadata': true } });
}

function plainGroup(stack: Stack, vpc: ec2.IVpc, extra: Partial<autoscaling.AutoScalingGroupProps> = {}): autoscaling.AutoScalingGroup {
  return new autoscaling.AutoScalingGroup(stack, 'Plain', {
    vpc,
    instanceType: new ec2.InstanceType('t3.small'),
    machineImage: ec2.MachineImage.genericLinux({ 'us-east-1': 'ami-12345678' }),
    minCapacity: 2,
    maxCapacity: 30,
    ...extra,
  });
}

describe('reading a template', () => {
  test('a plain aws-cdk-lib group: ELB health, CPU tracking, target group defaults from the AWS documentation', () => {
    const stack = newStack('Plain', {}, appWithPaths());
    const vpc = testVpc(stack);
    const asg = plainGroup(stack, vpc, { healthChecks: autoscaling.HealthChecks.withAdditionalChecks({ additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB], gracePeriod: Duration.minutes(5) }) });
    asg.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 50 });
    const lb = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc });
    lb.addListener('Http', { port: 80 }).addTargets('Web', { port: 8080, targets: [asg] });

    const model = SpikeSimulation.fromTemplate(Template.fromStack(stack).toJSON(), 'Plain').model;
    expect(model).toMatchObject({
      minCapacity: 2, maxCapacity: 30, desiredCapacity: 2,
      healthCheckType: SpikeHealthCheckType.ELB, healthCheckGraceSeconds: 300, cooldownSeconds: 300,
      targetTracking: [{ metric: { metric: SpikeMetric.CPU_UTILIZATION }, targetValue: 50, disableScaleIn: false }],
      targetGroup: { intervalSeconds: 30, timeoutSeconds: 5, healthyThreshold: 5, unhealthyThreshold: 2, slowStartSeconds: 0, failOpenMinimumHealthyTargets: 1 },
      bootSeconds: 120, requestsPerSecondPerInstance: 100,
    });
    expect(model.name).toMatch(/^PlainASG\w+ \(Plain\/Plain\/ASG\)$/);
  });

  test('step scaling follows the policy to its alarms; warm pool, schedules, slow start and fail-open are read', () => {
    const stack = newStack('Steps', {}, appWithPaths());
    const vpc = testVpc(stack);
    const asg = plainGroup(stack, vpc);
    const cpu = new cloudwatch.Metric({ namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensionsMap: { AutoScalingGroupName: asg.autoScalingGroupName }, period: Duration.minutes(1) });
    asg.scaleOnMetric('Burst', {
      metric: cpu,
      scalingSteps: [{ upper: 30, change: -1 }, { lower: 60, change: 100 }, { lower: 80, change: 300 }],
      adjustmentType: autoscaling.AdjustmentType.PERCENT_CHANGE_IN_CAPACITY,
      evaluationPeriods: 1,
    });
    asg.addWarmPool({ minSize: 4, poolState: autoscaling.PoolState.STOPPED });
    asg.scaleOnSchedule('Evening', { schedule: autoscaling.Schedule.cron({ hour: '19', minute: '45' }), minCapacity: 10 });
    const tg = new elbv2.ApplicationTargetGroup(stack, 'Tg', { vpc, port: 8080, targets: [asg], slowStart: Duration.seconds(60) });
    tg.setAttribute('target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage', '50');

    const model = SpikeSimulation.fromTemplate(Template.fromStack(stack).toJSON(), 'Steps/Plain').model;
    expect(model.stepScaling).toHaveLength(2);
    const upper = model.stepScaling.find(p => p.alarm.threshold === 60)!;
    expect(upper.alarm).toMatchObject({ metric: { metric: SpikeMetric.CPU_UTILIZATION, periodSeconds: 60 }, evaluationPeriods: 1, datapointsToAlarm: 1 });
    expect(upper.steps).toEqual([{ lowerBound: 0, upperBound: 20, adjustment: 100 }, { lowerBound: 20, upperBound: undefined, adjustment: 300 }]);
    expect(model.warmPool).toEqual({ minSize: 4, maxGroupPreparedCapacity: undefined, state: SpikeWarmPoolState.STOPPED });
    expect(model.scheduledActions).toEqual([expect.objectContaining({ recurrence: '45 19 * * *', minCapacity: 10 })]);
    expect(model.targetGroup).toMatchObject({ slowStartSeconds: 60, failOpenHealthyPercentage: 50 });
  });

  test('a group is found by logical id, construct path or tier id; a wrong one lists the groups', () => {
    const stack = newStack('Find', {}, appWithPaths());
    const vpc = testVpc(stack);
    plainGroup(stack, vpc);
    const template = Template.fromStack(stack).toJSON();
    const logicalId = Object.keys(template.Resources).find(k => template.Resources[k].Type === 'AWS::AutoScaling::AutoScalingGroup')!;
    expect(SpikeSimulation.fromTemplate(template, logicalId).model.name).toContain(logicalId);
    expect(SpikeSimulation.fromTemplate(template, 'Find/Plain').model.name).toContain(logicalId);
    expect(() => SpikeSimulation.fromTemplate(template, 'Web')).toThrow(`invalid group ("Web"): no group has this logical id or construct path. Groups in the template: ${logicalId} (Find/Plain/ASG).`);
  });

  test('two groups under one name ask for a longer path', () => {
    const stack = newStack('Two', {}, appWithPaths());
    const vpc = testVpc(stack);
    new autoscaling.AutoScalingGroup(stack, 'A', { vpc, instanceType: new ec2.InstanceType('t3.small'), machineImage: ec2.MachineImage.genericLinux({ 'us-east-1': 'ami-1' }) });
    new autoscaling.AutoScalingGroup(stack, 'B', { vpc, instanceType: new ec2.InstanceType('t3.small'), machineImage: ec2.MachineImage.genericLinux({ 'us-east-1': 'ami-1' }) });
    expect(() => SpikeSimulation.fromTemplate(Template.fromStack(stack).toJSON(), 'ASG')).toThrow(/matches 2 groups/);
  });

  test('a size that is only known at deploy time is named', () => {
    const stack = newStack('Param', {}, appWithPaths());
    const vpc = testVpc(stack);
    const max = new CfnParameter(stack, 'Max', { type: 'Number' });
    plainGroup(stack, vpc, { maxCapacity: max.valueAsNumber });
    expect(() => SpikeSimulation.fromTemplate(Template.fromStack(stack).toJSON(), 'Plain')).toThrow(/MaxSize is \{"Ref":"Max"\}, not a number the simulator can read/);
  });

  test('not a template', () => {
    expect(() => SpikeSimulation.fromTemplate({ hello: 1 }, 'Web')).toThrow(/no Resources section/);
  });
});

describe('reading a construct', () => {
  test('SpikeSimulation.of(tier) and the synthesized template give the same model', () => {
    const stack = newStack('Tier', {}, appWithPaths());
    const web = new StatelessWebTier(stack, 'Web', { vpc: testVpc(stack), source: testSource(), certificate: testCertificate(stack) });
    const fromConstruct = SpikeSimulation.of(web, { bootSeconds: 90 }).model;
    const fromTemplate = SpikeSimulation.fromTemplate(Template.fromStack(stack).toJSON(), 'Web', { bootSeconds: 90 }).model;
    expect(fromConstruct).toEqual(fromTemplate);
    expect(fromConstruct).toMatchObject({ detailedMonitoring: true, defaultInstanceWarmupSeconds: 180, bootSeconds: 90 });
    expect(fromConstruct.name).toMatch(/\(Tier\/Web\/Fleet\/Group\/ASG\)$/);
  });

  test('a plain AutoScalingGroup works too; a construct without exactly one group is refused', () => {
    const stack = newStack();
    const vpc = testVpc(stack);
    const asg = plainGroup(stack, vpc);
    expect(SpikeSimulation.of(asg).model.maxCapacity).toBe(30);
    expect(() => SpikeSimulation.of(vpc)).toThrow(/Test\/Vpc: invalid scope for a spike simulation \(0 Auto Scaling groups\)/);
  });
});
