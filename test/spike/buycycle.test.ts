/**
 * The Buycycle example against the 15x TV-ad profile: absorbed within 3 minutes with the
 * scheduled pre-scale, and within 3 minutes as a surprise too (warm pool, request-count steps);
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

  test('the same ad as a surprise (no schedule) is absorbed within 3 minutes: warm pool and request-count steps', () => {
    const result = simulation.run(tvAd);
    expect(result.summary.minutesToAbsorb).toBeLessThanOrEqual(3);
    expect(result.summary.deathSpiral).toBe(false);
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
    template.hasResourceProperties('AWS::AutoScaling::ScheduledAction', { StartTime: '2027-03-06T21:00:00Z', MinSize: 2 });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { HealthCheckType: 'EC2' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/ready',
      TargetGroupAttributes: Match.arrayWith([{ Key: 'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage', Value: '60' }]),
    });
  });
});
