import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SpikeProfile, StatelessWebTier } from '../../lib';
import { newStack, testCertificate, testSource, testVpc } from '../helpers';

function tier(capacity = { min: 2, max: 10 }) {
  const stack = newStack();
  const web = new StatelessWebTier(stack, 'Web', { vpc: testVpc(stack), source: testSource(), certificate: testCertificate(stack), capacity });
  return { stack, web };
}

describe('tier.expectSpike', () => {
  test('fails synth with the numbers and the fix when the tier cannot absorb the spike', () => {
    const { stack, web } = tier();
    web.expectSpike({ factor: 15, absorbWithin: Duration.minutes(3) });
    let message = '';
    try {
      Template.fromStack(stack);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('Test/Web: the spike simulator says this tier does not absorb a TV ad 15x within 3 minutes');
    // The boot the tier declares in its group's metadata (an image: no build at boot), the absolute default baseline.
    expect(message).toContain('(100 requests/s per instance, 96 s boot, baseline 100 requests/s)');
    expect(message).toMatch(/capacity covers demand (never|after [\d.]+ minutes), [\d.]+ % of requests over capacity in the first 30 minutes, peak \d+ instances/);
    expect(message).toContain('raise capacity.max to at least 15');
    expect(message).toContain('have capacity ready');
  });

  test('passes when the simulator shows the spike absorbed in time', () => {
    const { stack, web } = tier();
    // 1.8x of half the starting fleet fits the starting fleet.
    web.expectSpike({ factor: 1.8, absorbWithin: Duration.minutes(1), profile: SpikeProfile.step({ factor: 1.8 }) });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('bad options fail at the call, naming the tier and the option', () => {
    const { web } = tier();
    expect(() => web.expectSpike({ factor: 1, absorbWithin: Duration.minutes(3) })).toThrow('Test/Web: invalid expectSpike.factor (1). A spike multiplies the demand');
    expect(() => web.expectSpike({ factor: 15, absorbWithin: Duration.minutes(3), requestsPerSecondPerInstance: -1 })).toThrow(/invalid expectSpike.requestsPerSecondPerInstance \(-1\)/);
  });
});
