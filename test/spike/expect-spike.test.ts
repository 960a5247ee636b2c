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
    expect(message).toMatch(/raise capacity.max from 10 to at least \d+/);
    expect(message).toContain('have capacity ready');
  });

  function synthError(_web: StatelessWebTier, stack: ReturnType<typeof newStack>): string {
    try {
      Template.fromStack(stack);
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  }

  test('the Fix never asks to raise capacity.max to less than it is (a tier with max 60 was told to raise it to 15)', () => {
    const { stack, web } = tier({ min: 2, max: 60 });
    web.expectSpike({ factor: 15, absorbWithin: Duration.minutes(3) });
    const message = synthError(web, stack);
    expect(message).toContain('does not absorb a TV ad 15x within 3 minutes');
    expect(message).not.toMatch(/raise capacity.max to at least 15\b/);
    const raise = /raise capacity.max from (\d+) to at least (\d+)/.exec(message);
    if (raise) expect(Number(raise[2])).toBeGreaterThan(Number(raise[1]));
    else expect(message).toContain('capacity.max (60) already covers the 15 instances the peak needs');
    // Ready capacity is counted: 15 at the peak, 13 more than the 2 it starts with.
    expect(message).toContain('have capacity ready: 15 instances at the peak, 13 more than the 2 the tier starts with');
  });

  test('the capacity.max the Fix names is one the simulator absorbs the spike with', () => {
    const first = tier({ min: 2, max: 10 });
    first.web.expectSpike({ factor: 15, absorbWithin: Duration.minutes(6) });
    const message = synthError(first.web, first.stack);
    const raise = /raise capacity.max from 10 to at least (\d+)/.exec(message);
    expect(raise).not.toBeNull();
    const fixed = tier({ min: 2, max: Number(raise![1]) });
    fixed.web.expectSpike({ factor: 15, absorbWithin: Duration.minutes(6) });
    expect(synthError(fixed.web, fixed.stack)).toBe('');
    const short = tier({ min: 2, max: Number(raise![1]) - 1 });
    short.web.expectSpike({ factor: 15, absorbWithin: Duration.minutes(6) });
    expect(synthError(short.web, short.stack)).toContain('does not absorb');
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
