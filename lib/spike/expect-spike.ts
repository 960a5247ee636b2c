import { Duration } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { checkRange, invalid } from '../common/validation';
import { SpikeInputError } from './model';
import { SpikeProfile } from './profile';
import { SpikeResult } from './simulator';
import { SpikeSimulation } from './spike-simulation';

/**
 * A spike a tier must absorb, checked by the spike simulator at synth time
 * (`tier.expectSpike(...)`).
 */
export interface ExpectSpikeOptions {
  /** Peak demand as a multiple of the demand before the spike (above 1). */
  readonly factor: number;
  /** Capacity must cover demand this soon after the spike starts, and stay above it through the peak. */
  readonly absorbWithin: Duration;
  /**
   * The shape of the spike.
   *
   * @default SpikeProfile.tvAd({ factor })
   */
  readonly profile?: SpikeProfile;
  /**
   * Requests per second one instance serves at full CPU.
   *
   * @default - the tier's `requestsPerSecondPerInstance` when it declares one, else 100
   */
  readonly requestsPerSecondPerInstance?: number;
  /**
   * Seconds from launch until the app answers.
   *
   * @default - the boot time the tier declares in its group's metadata, else 120
   */
  readonly bootSeconds?: number;
  /**
   * Demand before the spike, in requests per second.
   *
   * @default - the baseline the tier declares, else 100 requests per second
   */
  readonly baselineRequestsPerSecond?: number;
  /**
   * When the spike starts (ISO 8601), so that the tier's scheduled actions take part.
   *
   * @default - scheduled actions are left out
   */
  readonly spikeStartsAt?: string;
}

/** Checks the options when `expectSpike` is called, so that mistakes point at the call. */
export function validateExpectSpike(scope: IConstruct, options: ExpectSpikeOptions): void {
  if (!(options.factor > 1)) invalid(scope, 'expectSpike.factor', options.factor, 'A spike multiplies the demand: use a number above 1, for example 15.');
  if (options.absorbWithin.isUnresolved() || options.absorbWithin.toSeconds() <= 0) {
    invalid(scope, 'expectSpike.absorbWithin', options.absorbWithin.toString(), 'Use a positive duration, for example Duration.minutes(3).');
  }
  checkRange(scope, 'expectSpike.requestsPerSecondPerInstance', options.requestsPerSecondPerInstance, Number.MIN_VALUE, 1e9,
    'An instance serves a positive number of requests per second: measure one instance under load, for example 100.');
  checkRange(scope, 'expectSpike.bootSeconds', options.bootSeconds, 0, 3600, 'Use the seconds from launch until the app answers, 0 to 3600.');
}

/** Runs the simulator on a construct's group; returns the synth errors when the spike is not absorbed in time. */
export function spikeExpectationErrors(scope: IConstruct, options: ExpectSpikeOptions, defaultRequestsPerSecond?: number): string[] {
  let result: SpikeResult;
  const profile = options.profile ?? SpikeProfile.tvAd({ factor: options.factor });
  try {
    result = SpikeSimulation.of(scope, {
      requestsPerSecondPerInstance: options.requestsPerSecondPerInstance ?? defaultRequestsPerSecond,
      bootSeconds: options.bootSeconds,
    }).run(profile, { baselineRequestsPerSecond: options.baselineRequestsPerSecond, spikeStartsAt: options.spikeStartsAt });
  } catch (e) {
    if (e instanceof SpikeInputError) return [`${scope.node.path}: expectSpike cannot simulate this tier: ${e.message}`];
    throw e;
  }
  const s = result.summary;
  const within = options.absorbWithin.toSeconds() / 60;
  if (s.minutesToAbsorb !== undefined && s.minutesToAbsorb <= within) return [];
  const fixes: string[] = [];
  if (s.maxCapacityReached || result.model.maxCapacity < s.instancesNeededAtPeak) {
    fixes.push(`raise capacity.max to at least ${s.instancesNeededAtPeak} (the peak needs ${s.instancesNeededAtPeak} instances at ${result.model.requestsPerSecondPerInstance} requests/s each)`);
  }
  if (s.deathSpiral) {
    fixes.push(`stop replacing overloaded instances (${s.instancesReplacedUnderOverload} live instances were replaced): keep the load balancer check for readiness and let only a liveness check replace instances, and let the target group fail open`);
  }
  fixes.push('react to the whole spike at once: declare requestsPerSecondPerInstance so that the tier tracks request count, or add step scaling with large steps');
  fixes.push('have capacity ready: a warm pool, or tier.prepareFor(...) / scaling.scheduled before a known event');
  return [
    `${scope.node.path}: the spike simulator says this tier does not absorb a ${profile.name} within ${round(within)} minutes ` +
    `(${result.model.requestsPerSecondPerInstance} requests/s per instance, ${result.model.bootSeconds} s boot, baseline ${round(result.baselineRequestsPerSecond)} requests/s): ` +
    `capacity covers demand ${s.minutesToAbsorb === undefined ? 'never' : `after ${round(s.minutesToAbsorb)} minutes`}, ` +
    `${round(s.shareOfRequestsOverCapacity * 100)} % of requests over capacity in the first 30 minutes, peak ${s.peakInstances} instances. ` +
    `Fix: ${fixes.join('; ')}.` + (result.notes.length ? ` Notes: ${result.notes.join(' ')}` : ''),
  ];
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
