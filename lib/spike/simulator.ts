/**
 * The spike simulator: a `ScalingModel` and a `SpikeProfile` in, capacity against demand out.
 * Pure computation, no AWS calls. Every AWS behaviour it reproduces is a constant of
 * `constants.ts` with the documentation page it comes from; what it leaves out is listed in the
 * README ("What the spike model leaves out").
 */
import { DEFAULT_AVAILABILITY_OBJECTIVE_PERCENT } from './constants';
import { ScalingModel, validateScalingModel } from './model';
import { SpikeProfile } from './profile';
import { SpikeRun } from './spike-run';

export { adjust } from './alarms';

/** Options of a simulation run. */
export interface SpikeRunOptions {
  /**
   * Demand before the spike (requests per second); shapes multiply it, CSV profiles ignore it.
   *
   * @default - the baseline the tier declares, else 100 requests per second (never derived from the group's size)
   */
  readonly baselineRequestsPerSecond?: number;
  /**
   * Simulation step in seconds (divides 60).
   *
   * @default 10
   */
  readonly stepSeconds?: number;
  /**
   * Wall-clock time at which the spike starts (ISO 8601), so that scheduled actions fire at the
   * right moment of the run. One-time actions before the run's start have already happened.
   *
   * @default - scheduled actions are left out (and the result's notes say so)
   */
  readonly spikeStartsAt?: string;
  /**
   * Minutes after the spike's start over which `shareOfRequestsOverCapacity` is measured.
   *
   * @default 30
   */
  readonly overCapacityWindowMinutes?: number;
}

/** The state of the simulation at one step. */
export interface SpikeSample {
  /** Seconds since the profile's start. */
  readonly seconds: number;
  /** Requests per second offered. */
  readonly demand: number;
  /** Requests per second the instances receiving traffic can serve (healthy targets, or all of them when the load balancer fails open). */
  readonly capacity: number;
  /** Requests per second beyond what the instances in service can serve (demand − in-service × per-instance rate, at least 0). */
  readonly overCapacity: number;
  /**
   * Requests per second that were not served: over capacity, or sent to too few targets while
   * overloaded ones had left routing (health-check flaps), or to none.
   *
   * @default - same as overCapacity
   */
  readonly unserved?: number;
  /** Instances in the group (booting, warming, serving). */
  readonly instances: number;
  /** Instances whose app answers (registered with the target group, healthy or not). */
  readonly inService: number;
  /** Instances receiving traffic. */
  readonly serving: number;
  /** The group's desired capacity. */
  readonly desired: number;
}

/** The numbers of a simulation. */
export interface SpikeSummary {
  /**
   * Minutes from the spike's start until the instances in service cover demand for good (through
   * the end of the peak); undefined (null in JSON) when that never happens. Health-check flaps
   * after capacity arrived do not count here (see `coverageLosses`, `minutesToServeAll`).
   *
   * @default - never
   */
  readonly minutesToAbsorb?: number;
  /**
   * Requests beyond what the instances in service could serve, divided by requests offered, in
   * the window after the spike's start. Health-check flaps are not in it: see `shareOfRequestsUnserved`.
   */
  readonly shareOfRequestsOverCapacity: number;
  /** Requests not served (over capacity, or lost to health-check flaps and routing), divided by requests offered, in the same window. */
  readonly shareOfRequestsUnserved: number;
  /** Most instances in the group at once. */
  readonly peakInstances: number;
  /** Instance-hours of the run (group instances and running warm-pool instances). */
  readonly instanceHours: number;
  /** Whether overload made the group replace instances that were alive. */
  readonly deathSpiral: boolean;
  /** How many live instances the group replaced because overload failed their health check. */
  readonly instancesReplacedUnderOverload: number;
  /**
   * Seconds from the spike's start to the first increase of desired capacity.
   *
   * @default - no scale-out
   */
  readonly firstScaleOutSeconds?: number;
  /** Instances that the peak demand needs at full load. */
  readonly instancesNeededAtPeak: number;
  /** Whether the group's maximum stopped a scale-out. */
  readonly maxCapacityReached: boolean;
  /**
   * Minutes from the spike's start until capacity first covers demand (it may lose it again:
   * see `coverageLosses`).
   *
   * @default - never
   */
  readonly minutesToFirstCover?: number;
  /**
   * Minutes from the spike's start until every request is served for good (through the end of
   * the peak), flaps included; at least `minutesToAbsorb`.
   *
   * @default - never
   */
  readonly minutesToServeAll?: number;
  /**
   * How many times requests went over capacity again, before the peak ended, after capacity had
   * arrived: overloaded targets failing their health checks and leaving routing (flaps). They do
   * not move `minutesToAbsorb`; the notes say when the result depends on them.
   */
  readonly coverageLosses: number;
  /** Instance-hours beyond what demand needed at each moment (instances above ceil(demand ÷ per-instance rate)). */
  readonly overProvisionedInstanceHours: number;
  /** Instances at the peak beyond what the peak demand needs (the overshoot of burst policies). */
  readonly extraInstancesAtPeak: number;
  /** Requests over capacity during the whole run. */
  readonly requestsOverCapacity: number;
  /** Requests not served during the whole run (over capacity or lost to flaps): what burns the error budget. */
  readonly requestsUnserved: number;
  /** The availability objective the error budget is counted against, in percent. */
  readonly availabilityObjectivePercent: number;
  /**
   * Share of a month's error budget that the run's unserved requests burn: those requests
   * divided by (1 - objective) × a month (30 days) of baseline demand.
   */
  readonly errorBudgetShareBurned: number;
}

/** What a simulation returns. */
export interface SpikeResult {
  /** The profile's name. */
  readonly profile: string;
  /** The model simulated. */
  readonly model: ScalingModel;
  /** Demand before the spike (requests per second). */
  readonly baselineRequestsPerSecond: number;
  /** The numbers. */
  readonly summary: SpikeSummary;
  /** One sample per step. */
  readonly samples: SpikeSample[];
  /** What the run left out or noticed (unsupported metrics, scheduled actions without a date, max reached). */
  readonly notes: string[];
  /**
   * Second of the profile at which the spike starts (for charts).
   *
   * @default - 0
   */
  readonly spikeStartSeconds?: number;
}


/** Runs a model against a profile: one `SpikeRun`, stepped through the profile, then summarized. */
export function simulate(model: ScalingModel, profile: SpikeProfile, options: SpikeRunOptions = {}): SpikeResult {
  validateScalingModel(model);
  const run = new SpikeRun(model, profile, options);
  const dt = run.dt;
  const rps = run.rps;
  const steps = Math.ceil(profile.durationSeconds / dt);
  const windowEnd = profile.spikeStartSeconds + (options.overCapacityWindowMinutes ?? 30) * 60;
  const samples: SpikeSample[] = [];
  let offeredInWindow = 0;
  let overInWindow = 0;
  let unservedInWindow = 0;
  let overTotal = 0;
  let unservedTotal = 0;
  let instanceSeconds = 0;
  let overProvisionedSeconds = 0;
  let peakInstances = 0;
  let peakDemand = 0;
  while (run.stepIndex < steps) {
    const t = run.t;
    const routing = run.step();
    const instances = run.live().length;
    instanceSeconds += run.billedInstances(t) * dt;
    overProvisionedSeconds += Math.max(0, instances - Math.ceil(routing.demand / rps - 1e-9)) * dt;
    peakInstances = Math.max(peakInstances, instances);
    peakDemand = Math.max(peakDemand, routing.demand);
    const over = Math.max(0, routing.demand - routing.registered.length * rps);
    overTotal += over * dt;
    unservedTotal += routing.unserved * dt;
    if (t >= profile.spikeStartSeconds && t < windowEnd) {
      offeredInWindow += routing.demand * dt;
      overInWindow += over * dt;
      unservedInWindow += routing.unserved * dt;
    }
    samples.push({
      seconds: t,
      demand: routing.demand,
      capacity: routing.routable.length * rps,
      overCapacity: over,
      unserved: routing.unserved,
      instances,
      inService: routing.registered.length,
      serving: routing.routable.length,
      desired: run.desired,
    });
  }

  const notes = run.notes;
  const instancesNeededAtPeak = Math.ceil(peakDemand / rps - 1e-9);
  if (run.maxReached) {
    notes.push(model.maxCapacity >= instancesNeededAtPeak
      ? `The policies asked for more than maxCapacity (${model.maxCapacity}) instances although the peak needs ${instancesNeededAtPeak}: they overshoot (see overProvisionedInstanceHours), and maxCapacity capped them.`
      : `Scaling wanted more than maxCapacity (${model.maxCapacity}) instances; the peak needs ${instancesNeededAtPeak} at full load: raise maxCapacity.`);
  }
  const coverage = absorption(samples, profile, rps);
  if (coverage.losses > 0 && coverage.minutesToAbsorb !== undefined) {
    notes.push(`Capacity arrived after ${round(coverage.minutesToAbsorb)} minutes, then requests went unserved again ${coverage.losses} time(s) before the peak ended ` +
      '(overloaded targets failing their health checks and leaving routing: flaps); every request was served for good ' +
      `${coverage.minutesToServeAll === undefined ? 'never before the peak ended' : `only after ${round(coverage.minutesToServeAll)} minutes`}. ` +
      'The absorption time does not count the flaps; their requests are in shareOfRequestsUnserved and the error budget. ' +
      'Fix: let the target group fail open at a percentage of healthy targets, and keep the readiness check off the request queue.');
  }
  const objective = model.availabilityObjectivePercent ?? DEFAULT_AVAILABILITY_OBJECTIVE_PERCENT;
  const monthRequests = (profile.absolute ? profile.requestsPerSecondAt(0, run.baseline) : run.baseline) * 30 * 86_400;
  const budget = monthRequests * (1 - objective / 100);
  const summary: SpikeSummary = {
    minutesToAbsorb: coverage.minutesToAbsorb,
    shareOfRequestsOverCapacity: offeredInWindow === 0 ? 0 : overInWindow / offeredInWindow,
    shareOfRequestsUnserved: offeredInWindow === 0 ? 0 : unservedInWindow / offeredInWindow,
    peakInstances,
    instanceHours: instanceSeconds / 3600,
    deathSpiral: run.replacedUnderOverload > 0,
    instancesReplacedUnderOverload: run.replacedUnderOverload,
    firstScaleOutSeconds: run.firstScaleOut,
    instancesNeededAtPeak,
    maxCapacityReached: run.maxReached,
    minutesToFirstCover: coverage.minutesToFirstCover,
    minutesToServeAll: coverage.minutesToServeAll,
    coverageLosses: coverage.losses,
    overProvisionedInstanceHours: overProvisionedSeconds / 3600,
    extraInstancesAtPeak: Math.max(0, peakInstances - instancesNeededAtPeak),
    requestsOverCapacity: overTotal,
    requestsUnserved: unservedTotal,
    availabilityObjectivePercent: objective,
    errorBudgetShareBurned: budget > 0 ? unservedTotal / budget : unservedTotal > 0 ? Infinity : 0,
  };
  return { profile: profile.name, model, baselineRequestsPerSecond: run.baseline, summary, samples, notes, spikeStartSeconds: profile.spikeStartSeconds };
}

/**
 * When the spike is absorbed. Capacity is the instances in service (registered, booted), whatever
 * their health check says at the moment: `minutesToAbsorb` is the step after the last one, before
 * the peak ends, where they could not serve more than 99 % of demand. Overloaded targets that
 * fail their health checks and drop out of routing after capacity arrived (flaps) do not move it:
 * they are counted in `coverageLosses`, their requests in `shareOfRequestsUnserved` and the error
 * budget, and the time until every request is served for good in `minutesToServeAll` (never when
 * the flapping lasts to the end of the peak).
 */
export function absorption(samples: SpikeSample[], profile: SpikeProfile, rps: number): {
  minutesToAbsorb?: number; minutesToFirstCover?: number; minutesToServeAll?: number; losses: number;
} {
  const served = (s: SpikeSample) => (s.unserved ?? s.overCapacity) <= 0.01 * s.demand;
  const capacity = (s: SpikeSample) => s.inService * rps >= 0.99 * s.demand;
  const during = samples.filter(s => s.seconds >= profile.spikeStartSeconds && s.seconds < profile.peakEndSeconds);
  if (during.length === 0) return { minutesToAbsorb: 0, minutesToFirstCover: 0, minutesToServeAll: 0, losses: 0 };
  const step = samples.length > 1 ? samples[1].seconds - samples[0].seconds : 0;
  const forGood = (ok: (s: SpikeSample) => boolean): { index: number; minutes?: number } => {
    let last = -1;
    during.forEach((s, i) => { if (!ok(s)) last = i; });
    if (last === during.length - 1) return { index: during.length };
    return { index: last + 1, minutes: last < 0 ? 0 : (during[last].seconds + step - profile.spikeStartSeconds) / 60 };
  };
  const all = forGood(served);
  const cap = forGood(s => capacity(s) || served(s));
  const firstUnserved = during.findIndex(s => !served(s));
  const firstCover = firstUnserved < 0 ? 0 : during.findIndex((s, i) => i > firstUnserved && served(s));
  const minutesToFirstCover = firstUnserved < 0 ? 0 : firstCover < 0 ? undefined : (during[firstCover - 1].seconds + step - profile.spikeStartSeconds) / 60;
  let losses = 0;
  for (let i = Math.max(1, cap.index); i < during.length; i++) if (served(during[i - 1]) && !served(during[i])) losses += 1;
  if (cap.index < during.length && !served(during[cap.index])) losses += 1;
  return { minutesToAbsorb: cap.minutes, minutesToFirstCover, minutesToServeAll: all.minutes, losses };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
