/**
 * The Buycycle example against the 15x TV-ad profile: absorbed within 3 minutes with the
 * scheduled pre-scale, and within 3 minutes as a surprise too (capacity standing by);
 * no death spiral. Plus what makes it so in its template.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BuycycleStack, TV_SLOT } from '../../examples/buycycle';
import { SpikeProfile, SpikeSimulation } from '../../lib';

describe('Buycycle', () => {
  const app = new App({ context: { 'aws:cdk:enable-path-metadata': true } });
  const stack = new BuycycleStack(app, 'Buycycle', { env: { region: 'us-east-1' } });
  const template = Template.fromStack(stack);
  const simulation = SpikeSimulation.fromTemplate(template.toJSON(), 'Web', { bootSeconds: 60, requestsPerSecondPerInstance: 150 });
  const tvAd = SpikeProfile.tvAd({ factor: 15 });

  test('the model read from the template is the one read from the construct', () => {
    expect(simulation.model).toEqual(SpikeSimulation.of(stack.web, { bootSeconds: 60 }).model);
  });

  test('a 15x TV ad at the scheduled slot is absorbed within 3 minutes, without a death spiral', () => {
    const result = simulation.run(tvAd, { spikeStartsAt: TV_SLOT });
    expect(result.summary.minutesToAbsorb).toBeLessThanOrEqual(3);
    expect(result.summary.deathSpiral).toBe(false);
    expect(result.summary.shareOfRequestsOverCapacity).toBeLessThan(0.01);
  });

  // An unannounced ad is detected no sooner than 3 one-minute datapoints... in fact one: the
  // request burst alarm needs 1 datapoint, usable 120 s after its minute (METRIC_PUBLICATION_DELAY_SECONDS),
  // so reactive capacity arrives after more than 3 minutes; Buycycle keeps 10 instances standing.
  // The warm pool gets no credit: AWS refuses a warm pool beside Spot (WARM_POOL_HOLDS_SPOT).
  test('the same ad as a surprise (no schedule) is absorbed within 3 minutes by the capacity standing by', () => {
    const result = simulation.run(tvAd);
    expect(result.summary.minutesToAbsorb).toBeLessThanOrEqual(3);
    expect(result.summary.deathSpiral).toBe(false);
    expect(result.notes.join('\n')).toMatch(/warm pool gets no credit/);
  });

  test('cost next to speed: instance-hours, the burst policies\' overshoot, and the error budget against its 99.9 % objective', () => {
    const result = simulation.run(tvAd);
    expect(result.summary.instanceHours).toBeGreaterThan(0);
    expect(result.summary.extraInstancesAtPeak).toBeGreaterThanOrEqual(0);
    expect(result.summary.overProvisionedInstanceHours).toBeGreaterThan(0);
    expect(result.summary.errorBudgetShareBurned).toBeLessThan(0.01);
  });

  test('declares an availability objective and gets the SLO burn-rate alarms', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    // Multiwindow burn rates of a 99.9 % objective: 14.4x, 6x and 1x of a 0.1 % error ratio.
    expect(alarms.filter(a => /burn rate alert: requests answered with 5xx above (1\.44|0\.6|0\.1) %/.test(JSON.stringify(a))).length).toBe(6);
  });

  test('on-demand baseline, Spot above it over three families, capacity rebalancing', () => {
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      CapacityRebalance: true,
      MixedInstancesPolicy: {
        InstancesDistribution: { OnDemandBaseCapacity: 2, OnDemandPercentageAboveBaseCapacity: 0, SpotAllocationStrategy: 'price-capacity-optimized' },
        LaunchTemplate: { Overrides: [{ InstanceType: 'm7i.large' }, { InstanceType: 'm7a.large' }, { InstanceType: 'm5.large' }, { InstanceType: 'm5a.large' }] },
      },
    });
  });

  test('warm pool, pre-scaling before the slot, truthful health', () => {
    template.hasResourceProperties('AWS::AutoScaling::WarmPool', { MinSize: 10, PoolState: 'Stopped' });
    template.hasResourceProperties('AWS::AutoScaling::ScheduledAction', { StartTime: '2027-03-06T19:45:00Z', MinSize: 20, DesiredCapacity: 20 });
    template.hasResourceProperties('AWS::AutoScaling::ScheduledAction', { StartTime: '2027-03-06T21:00:00Z', MinSize: 10 });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { HealthCheckType: 'EC2' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/ready',
      TargetGroupAttributes: Match.arrayWith([{ Key: 'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage', Value: '60' }]),
    });
  });
});
