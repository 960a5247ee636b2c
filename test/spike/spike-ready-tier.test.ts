/**
 * StatelessWebTier's spike-ready defaults and options, checked in the template and in the spike
 * simulator: burst steps, request-count scaling, truthful health (liveness vs readiness,
 * fail-open), warm pool, pre-scaling, on-demand baseline with Spot above it, predictive scaling.
 */
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SpikeProfile, SpikeSimulation, StatelessWebTier, StatelessWebTierProps } from '../../lib';
import { logicalIdOf, newStack, resourcesOfType, testCertificate, testSource, testVpc, userDataOf, scalingAlarms } from '../helpers';

function tier(props: Partial<StatelessWebTierProps> = {}): { stack: Stack; web: StatelessWebTier } {
  const stack = newStack();
  const web = new StatelessWebTier(stack, 'Web', { vpc: testVpc(stack), source: testSource(), certificate: testCertificate(stack), ...props });
  return { stack, web };
}

const step15 = SpikeProfile.step({ factor: 15 });

describe('the defaults in the spike simulator', () => {
  test('a 15x step on the 2-instance default tier is covered within 6 minutes, with no death spiral', () => {
    const { web } = tier();
    const result = SpikeSimulation.of(web).run(step15);
    expect(result.summary.minutesToAbsorb).toBeLessThanOrEqual(6);
    expect(result.summary.deathSpiral).toBe(false);
  });

  test('letting the load balancer replace instances (ELB health, as plain groups do) brings the death spiral back', () => {
    const { web } = tier({ healthCheck: { loadBalancerReplacesInstances: true, failOpenBelowHealthyPercent: 0 } });
    const result = SpikeSimulation.of(web).run(step15);
    expect(result.summary.deathSpiral).toBe(true);
  });

  test('declaring what one instance serves adds request-count tracking at 70 % and request burst steps; the simulator uses it', () => {
    const { stack, web } = tier({ scaling: { requestsPerSecondPerInstance: 200 } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      TargetTrackingConfiguration: Match.objectLike({ PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }), TargetValue: 8400 }),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RequestCountPerTarget', Statistic: 'Sum', Period: 60, Threshold: 12000, EvaluationPeriods: 1 });
    expect(SpikeSimulation.of(web).model.requestsPerSecondPerInstance).toBe(200);
  });

  test('burstSteps: false leaves target tracking alone; predictive adds a predictive policy', () => {
    const { stack } = tier({ scaling: { burstSteps: false, predictive: true } });
    const template = Template.fromStack(stack);
    expect(scalingAlarms(template)).toHaveLength(0);
    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      PolicyType: 'PredictiveScaling',
      PredictiveScalingConfiguration: Match.objectLike({ Mode: 'ForecastAndScale', MetricSpecifications: [Match.objectLike({ TargetValue: 50 })] }),
    });
  });
});

describe('truthful health', () => {
  test('liveness is reported by the instance (TCP by default, or a path), after readiness; only the group\'s own health may be set', () => {
    const { stack, web } = tier();
    const template = Template.fromStack(stack);
    const script = userDataOf(template, web);
    expect(script.indexOf('run_step wait-for-http')).toBeLessThan(script.indexOf('run_step liveness-reporter'));
    expect(script).toContain("HEALTH_COMMAND=bash -c '\\''</dev/tcp/127.0.0.1/8080'\\''");
    const statements = resourcesOfType(template, 'AWS::IAM::ManagedPolicy').flatMap(([, p]) => p.Properties!.PolicyDocument.Statement);
    expect(statements).toContainEqual(expect.objectContaining({ Sid: 'ReportOwnLiveness', Action: 'autoscaling:SetInstanceHealth', Condition: { StringEquals: expect.anything() } }));

    const withPath = tier({ healthCheck: { path: '/ready', livenessPath: '/live' } });
    expect(userDataOf(Template.fromStack(withPath.stack), withPath.web)).toContain('curl -fsS -o /dev/null --max-time 20 http://127.0.0.1:8080/live');
  });

  test('slow start and fail-open are target group attributes', () => {
    const { stack } = tier({ healthCheck: { slowStart: Duration.seconds(60), failOpenBelowHealthyPercent: 0 } });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetGroupAttributes: Match.arrayWith([
        { Key: 'slow_start.duration_seconds', Value: '60' },
        { Key: 'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage', Value: 'off' },
      ]),
    });
  });

  test('bad health options name the prop', () => {
    expect(() => tier({ healthCheck: { livenessPath: 'live' } })).toThrow(/Test\/Web: invalid healthCheck.livenessPath \("live"\)/);
    expect(() => tier({ healthCheck: { failOpenBelowHealthyPercent: 120 } })).toThrow(/invalid healthCheck.failOpenBelowHealthyPercent \(120\)/);
    expect(() => tier({ healthCheck: { slowStart: Duration.seconds(10) } })).toThrow(/invalid healthCheck.slowStart \(seconds\) \(10\)/);
  });
});

describe('warm pool', () => {
  test('a pool, a boot step that installs the resume service, and the permission to compare launch template versions', () => {
    const { stack, web } = tier({ warmPool: { minSize: 4, state: autoscaling.PoolState.RUNNING } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::AutoScaling::WarmPool', { MinSize: 4, PoolState: 'Running' });
    expect(userDataOf(template, web)).toMatch(/run_step warm-pool prepare 'HEALTH_URL=http:\/\/127.0.0.1:8080\/'/);
    const statements = resourcesOfType(template, 'AWS::IAM::ManagedPolicy').flatMap(([, p]) => p.Properties!.PolicyDocument.Statement);
    expect(statements).toContainEqual(expect.objectContaining({ Sid: 'CompareLaunchTemplateVersion', Action: ['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeWarmPool'] }));
  });

  // https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutWarmPool.html, MaxGroupPreparedCapacity:
  // "If a value for MaxGroupPreparedCapacity is not specified, Amazon EC2 Auto Scaling launches and
  // maintains the difference between the group's maximum capacity and its desired capacity." Buycycle's
  // pool held 38 (40 - 2), not the 10 its README said: the size is always written.
  test('the pool\'s size is always explicit: MinSize and MaxGroupPreparedCapacity (default capacity.min + MinSize)', () => {
    const sized = (warmPool: object, capacity = { min: 2, max: 40 }) => {
      const { stack } = tier({ capacity, warmPool });
      return resourcesOfType(Template.fromStack(stack), 'AWS::AutoScaling::WarmPool')[0][1].Properties;
    };
    expect(sized({ minSize: 10 })).toMatchObject({ MinSize: 10, MaxGroupPreparedCapacity: 12 });
    expect(sized({})).toMatchObject({ MinSize: 2, MaxGroupPreparedCapacity: 4 });
    expect(sized({ minSize: 3, maxPreparedCapacity: 8 })).toMatchObject({ MinSize: 3, MaxGroupPreparedCapacity: 8 });
  });

  // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-autoscaling-warmpool.html:
  // "CloudFormation replaces InService instances only. Instances in the warm pool are not replaced."
  test('the instances may recycle their own fleet\'s stale pooled instances, and only those', () => {
    const { stack, web } = tier({ warmPool: { minSize: 2 } });
    const template = Template.fromStack(stack);
    const statements = resourcesOfType(template, 'AWS::IAM::ManagedPolicy').flatMap(([, p]) => p.Properties!.PolicyDocument.Statement);
    const recycle = statements.find((st: any) => st.Sid === 'RecycleStalePooledInstances');
    expect(recycle).toMatchObject({ Action: 'ec2:TerminateInstances', Condition: { StringEquals: { 'ec2:ResourceTag/cdk-web-tiers:fleet': expect.any(String) } } });
    const fleetTag = (template.toJSON().Resources[logicalIdOf(web.autoScalingGroup)].Properties.Tags as any[]).find(t => t.Key === 'cdk-web-tiers:fleet');
    expect(fleetTag).toMatchObject({ PropagateAtLaunch: true, Value: recycle.Condition.StringEquals['ec2:ResourceTag/cdk-web-tiers:fleet'] });
  });

  // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/interruption-behavior.html: "You can specify
  // that Amazon EC2 stops your Spot Instances when they are interrupted. The Spot Instance request type
  // must be persistent." Auto Scaling makes one-time requests, and a warm pool stops its instances.
  test('a warm pool on a group that launches Spot is refused at synth, with the reason and the fix', () => {
    expect(() => tier({ instanceType: new ec2.InstanceType('m7i.large'), capacity: { min: 2, max: 40, baseline: 2 }, warmPool: { minSize: 10 } }))
      .toThrow(/Test\/Web: invalid warmPool \("beside Spot above capacity.baseline \(2\)"\)\. A warm pool cannot hold Spot instances: .*persistent Spot request.*remove capacity.baseline and add the cheap burst as spotBurst/);
  });

  test('a pool larger than the group maximum is refused', () => {
    expect(() => tier({ capacity: { min: 2, max: 10 }, warmPool: { minSize: 12 } }))
      .toThrow('Test/Web: invalid warmPool.minSize (12). It is larger than capacity.max (10)');
  });
});

describe('prepareFor', () => {
  test('two one-time actions: the capacity before the event, the minimum back after it', () => {
    const { stack, web } = tier({ capacity: { min: 2, max: 30 } });
    web.prepareFor('tv-ad', { at: new Date('2027-03-06T20:00:00Z'), capacity: 20, duration: Duration.hours(1) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::AutoScaling::ScheduledAction', { StartTime: '2027-03-06T19:45:00Z', MinSize: 20, DesiredCapacity: 20, Recurrence: Match.absent() });
    template.hasResourceProperties('AWS::AutoScaling::ScheduledAction', { StartTime: '2027-03-06T21:00:00Z', MinSize: 2 });
    const result = SpikeSimulation.of(web).run(SpikeProfile.tvAd({ factor: 15 }), { spikeStartsAt: '2027-03-06T20:00:00Z' });
    expect(result.summary.minutesToAbsorb).toBe(0);
  });

  test('bad events are refused', () => {
    const { web } = tier({ capacity: { min: 2, max: 10 } });
    expect(() => web.prepareFor('tv ad', { at: new Date(), capacity: 5, duration: Duration.hours(1) })).toThrow(/invalid prepareFor\(name\) \("tv ad"\)/);
    expect(() => web.prepareFor('big', { at: new Date(), capacity: 50, duration: Duration.hours(1) })).toThrow(/invalid prepareFor\(big\).capacity \(50\). It is above capacity.max \(10\)/);
    web.prepareFor('once', { at: new Date('2027-01-01T00:00:00Z'), capacity: 5, duration: Duration.hours(1) });
    expect(() => web.prepareFor('once', { at: new Date('2027-01-02T00:00:00Z'), capacity: 5, duration: Duration.hours(1) })).toThrow(/unique name/);
  });

  // https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutScheduledUpdateGroupAction.html: StartTime
  // "If you try to schedule your action in the past, Amazon EC2 Auto Scaling returns an error message."
  test('an event whose capacity would be requested in the past fails at synth, not at deploy', () => {
    const { web } = tier({ capacity: { min: 2, max: 10 } });
    expect(() => web.prepareFor('last-year', { at: new Date('2025-11-28T20:00:00Z'), capacity: 5, duration: Duration.hours(1) }))
      .toThrow(/Test\/Web: invalid prepareFor\(last-year\).at \("2025-11-28T20:00:00Z"\)\. Its capacity would be requested at 2025-11-28T19:45:00Z .*which has passed/);
    // Starting within the lead time counts as passed too: the request time is what Auto Scaling checks.
    expect(() => web.prepareFor('soon', { at: new Date(Date.now() + 5 * 60_000), capacity: 5, duration: Duration.hours(1) })).toThrow(/which has passed/);
    expect(() => web.prepareFor('later', { at: new Date(Date.now() + 60 * 60_000), capacity: 5, duration: Duration.hours(1) })).not.toThrow();
  });
});

describe('on-demand baseline, Spot above it', () => {
  test('Spot with three families, capacity rebalancing, and an interruption drain that may only deregister from this target group', () => {
    const { stack, web } = tier({ instanceType: new ec2.InstanceType('c6i.large'), capacity: { min: 2, max: 20, baseline: 2 } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      CapacityRebalance: true,
      MixedInstancesPolicy: Match.objectLike({
        InstancesDistribution: Match.objectLike({ OnDemandBaseCapacity: 2, OnDemandPercentageAboveBaseCapacity: 0, SpotAllocationStrategy: 'price-capacity-optimized' }),
        LaunchTemplate: Match.objectLike({ Overrides: [{ InstanceType: 'c6i.large' }, { InstanceType: 'c6a.large' }, { InstanceType: 'c5.large' }, { InstanceType: 'c5a.large' }] }),
      }),
    });
    expect(userDataOf(template, web)).toContain('run_step spot-drain start');
    const statements = resourcesOfType(template, 'AWS::IAM::ManagedPolicy').flatMap(([, p]) => p.Properties!.PolicyDocument.Statement);
    expect(statements).toContainEqual(expect.objectContaining({ Sid: 'LeaveTargetGroupOnSpotInterruption', Action: 'elasticloadbalancing:DeregisterTargets', Resource: { Ref: expect.stringMatching(/TargetGroup/) } }));
  });

  test('fewer than three families for Spot, or a baseline above max, is refused', () => {
    expect(() => tier({ capacity: { min: 2, max: 10, baseline: 2 } })).toThrow(/invalid capacity.baseline \("Spot above the baseline"\). Spot needs at least three same-size instance types/);
    expect(() => tier({ instanceType: new ec2.InstanceType('m7i.large'), capacity: { min: 2, max: 10, baseline: 12 } })).toThrow(/invalid capacity.baseline \(12\). It is greater than capacity.max \(10\)/);
  });
});

test('expectSpike warns when capacity.max is below what the declared spike needs', () => {
  const { stack, web } = tier({ capacity: { min: 2, max: 10 } });
  web.expectSpike({ factor: 15, absorbWithin: Duration.minutes(30), profile: SpikeProfile.step({ factor: 15 }) });
  // The warning comes at the call; the simulator's verdict at synth.
  const warnings = web.node.metadata.filter(m => m.type === 'aws:cdk:warning').map(m => String(m.data));
  expect(warnings.join('\n')).toMatch(/capacity.max \(10\) is below the 15 instances that a 15x spike needs .*\[ack: cdk-web-tiers:spikeAboveMaxCapacity\]/);
  expect(() => Template.fromStack(stack)).toThrow(/raise capacity.max from 10 to at least 15 \(with 15 the simulator absorbs the spike within 30 minutes/);
});
