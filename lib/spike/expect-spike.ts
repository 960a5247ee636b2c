import { Duration } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { checkRange, invalid } from '../common/validation';
import { ScalingModel, SpikeInputError } from './model';
import { SpikeProfile } from './profile';
import { simulate, SpikeResult, SpikeRunOptions } from './simulator';
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
  let simulation: SpikeSimulation;
  const profile = options.profile ?? SpikeProfile.tvAd({ factor: options.factor });
  const runOptions = { baselineRequestsPerSecond: options.baselineRequestsPerSecond, spikeStartsAt: options.spikeStartsAt };
  try {
    simulation = SpikeSimulation.of(scope, {
      requestsPerSecondPerInstance: options.requestsPerSecondPerInstance ?? defaultRequestsPerSecond,
      bootSeconds: options.bootSeconds,
    });
    result = simulation.run(profile, runOptions);
  } catch (e) {
    if (e instanceof SpikeInputError) return [`${scope.node.path}: expectSpike cannot simulate this tier: ${e.message}`];
    throw e;
  }
  const s = result.summary;
  const within = options.absorbWithin.toSeconds() / 60;
  if (s.minutesToAbsorb !== undefined && s.minutesToAbsorb <= within) return [];
  const fixes: string[] = [];
  const model = result.model;
  const needed = s.instancesNeededAtPeak;
  if (s.maxCapacityReached || model.maxCapacity < needed) {
    // The fix is a number the simulator checked: the smallest capacity.max that absorbs the spike in time.
    const enough = smallestAbsorbingMax(simulation.model, profile, runOptions, within);
    if (enough !== undefined) {
      fixes.push(`raise capacity.max from ${model.maxCapacity} to at least ${enough} (with ${enough} the simulator absorbs the spike within ${round(within)} minutes; ` +
        `the peak alone needs ${needed} instances at ${model.requestsPerSecondPerInstance} requests/s each)`);
    } else if (model.maxCapacity < needed) {
      fixes.push(`raise capacity.max from ${model.maxCapacity} to at least ${needed} (the peak needs ${needed} instances at ${model.requestsPerSecondPerInstance} requests/s each), ` +
        'and have capacity arrive sooner (below): a higher maximum alone does not absorb it in time');
    } else {
      fixes.push(`capacity.max (${model.maxCapacity}) already covers the ${needed} instances the peak needs and a higher maximum does not absorb it in time: capacity arrives too late (below)`);
    }
  }
  if (s.deathSpiral) {
    fixes.push(`stop replacing overloaded instances (${s.instancesReplacedUnderOverload} live instances were replaced): keep the load balancer check for readiness and let only a liveness check replace instances, and let the target group fail open`);
  }
  fixes.push('react to the whole spike at once: declare requestsPerSecondPerInstance so that the tier tracks request count, or add step scaling with large steps');
  const more = Math.max(0, needed - model.desiredCapacity);
  fixes.push(more > 0
    ? `have capacity ready: ${needed} instances at the peak, ${more} more than the ${model.desiredCapacity} the tier starts with ` +
      `(tier.prepareFor(name, { capacity: ${needed}, ... }) or scaling.scheduled before a known event, or a warm pool of ${more})`
    : 'have capacity ready: a warm pool, or tier.prepareFor(...) / scaling.scheduled before a known event');
  return [
    `${scope.node.path}: the spike simulator says this tier does not absorb a ${profile.name} within ${round(within)} minutes ` +
    `(${result.model.requestsPerSecondPerInstance} requests/s per instance, ${result.model.bootSeconds} s boot, baseline ${round(result.baselineRequestsPerSecond)} requests/s): ` +
    `capacity covers demand ${s.minutesToAbsorb === undefined ? 'never' : `after ${round(s.minutesToAbsorb)} minutes`}, ` +
    `${round(s.shareOfRequestsOverCapacity * 100)} % of requests over capacity in the first 30 minutes, peak ${s.peakInstances} instances. ` +
    `Fix: ${fixes.join('; ')}.` + (result.notes.length ? ` Notes: ${result.notes.join(' ')}` : ''),
  ];
}

/** The smallest maximum capacity (above the model's, up to 10,000) with which the spike is absorbed within `within` minutes. */
function smallestAbsorbingMax(model: ScalingModel, profile: SpikeProfile, options: SpikeRunOptions, within: number): number | undefined {
  const absorbs = (max: number) => {
    const m = simulate({ ...model, maxCapacity: max }, profile, options).summary.minutesToAbsorb;
    return m !== undefined && m <= within;
  };
  let low = model.maxCapacity;
  let high = Math.min(10_000, Math.max(model.maxCapacity * 2, 16));
  while (!absorbs(high)) {
    if (high >= 10_000) return undefined;
    low = high;
    high = Math.min(10_000, high * 2);
  }
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (absorbs(mid)) high = mid;
    else low = mid;
  }
  return high;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
