/**
 * The spike simulator: a `ScalingModel` and a `SpikeProfile` in, capacity against demand out.
 * Pure computation, no AWS calls. Every AWS behaviour it reproduces is a constant of
 * `constants.ts` with the documentation page it comes from; what it leaves out is listed in the
 * README ("What the spike model leaves out").
 */
import {
  ALARM_AUTO_SCALING_REPEAT_SECONDS, LOAD_BALANCER_IDLE_TIMEOUT_SECONDS, TARGET_TRACKING_SCALE_IN_DATAPOINTS,
  TARGET_TRACKING_SCALE_IN_RATIO, TARGET_TRACKING_SCALE_OUT_DATAPOINTS,
} from './constants';
import { cronMatches } from './cron';
import {
  ScalingModel, SpikeAdjustmentType, SpikeAlarmModel, SpikeComparison, SpikeHealthCheckType, SpikeInputError, SpikeMetric,
  SpikeMetricModel, SpikeScheduledActionModel, SpikeWarmPoolState, validateScalingModel,
} from './model';
import { SpikeProfile } from './profile';

/** Options of a simulation run. */
export interface SpikeRunOptions {
  /**
   * Demand before the spike (requests per second); shapes multiply it, CSV profiles ignore it.
   *
   * @default - half of what the group's starting instances serve (desired × requestsPerSecondPerInstance ÷ 2)
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
  /** Requests per second that found no capacity (queued past their time, failed or refused). */
  readonly overCapacity: number;
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
   * Minutes from the spike's start until capacity covers demand for good (through the end of the
   * peak); undefined (null in JSON) when it never does.
   *
   * @default - never
   */
  readonly minutesToAbsorb?: number;
  /** Requests over capacity divided by requests offered, in the window after the spike's start. */
  readonly shareOfRequestsOverCapacity: number;
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
}

type TargetState = 'initial' | 'healthy' | 'unhealthy';

interface Instance {
  readonly launchedAt: number;
  /** The app answers and the instance is registered with the target group. */
  readonly inServiceAt: number;
  tg: TargetState;
  passes: number;
  fails: number;
  nextCheckAt: number;
  healthySince: number;
  /** Requests waiting on the instance. */
  backlog: number;
  /** Requests per second routed to it during the current step. */
  offered: number;
  /** Share of the step it was busy (CPU, 0..1). */
  busy: number;
  terminated: boolean;
}

interface PooledInstance {
  readonly readyAt: number;
}

interface AlarmState {
  inAlarm: boolean;
  lastInvokedAt: number;
}

/** Runs a model against a profile. */
export function simulate(model: ScalingModel, profile: SpikeProfile, options: SpikeRunOptions = {}): SpikeResult {
  validateScalingModel(model);
  const dt = options.stepSeconds ?? 10;
  if (!Number.isInteger(dt) || dt < 1 || 60 % dt !== 0) {
    throw new SpikeInputError(`invalid stepSeconds (${dt}). Use a whole number of seconds that divides 60, for example 10.`);
  }
  const rps = model.requestsPerSecondPerInstance;
  const baseline = options.baselineRequestsPerSecond ?? model.desiredCapacity * rps / 2;
  if (!(baseline >= 0) || !Number.isFinite(baseline)) {
    throw new SpikeInputError(`invalid baselineRequestsPerSecond (${baseline}). Use a number of requests per second of at least 0.`);
  }
  const windowMinutes = options.overCapacityWindowMinutes ?? 30;
  const notes = [...model.notes];
  const tg = model.targetGroup;
  const pool = model.warmPool;
  const warmStart = pool?.state === SpikeWarmPoolState.RUNNING ? 0 : model.warmStartSeconds;
  const metricWarmup = model.defaultInstanceWarmupSeconds
    ?? Math.max(0, ...model.targetTracking.map(p => p.estimatedInstanceWarmupSeconds ?? model.cooldownSeconds));

  let min = model.minCapacity;
  let max = model.maxCapacity;
  let desired = model.desiredCapacity;
  const instances: Instance[] = [];
  let replacedUnderOverload = 0;
  let maxReached = false;
  let firstScaleOut: number | undefined;
  let simpleCooldownUntil = -Infinity;

  // Metric samples per step, turned into datapoints of any period on demand.
  const cpuSamples: Array<number | undefined> = [];
  const requestsPerTargetSamples: number[] = [];
  const requestSamples: number[] = [];

  const newInstance = (launchedAt: number, inServiceAt: number, ready: boolean): Instance => ({
    launchedAt,
    inServiceAt,
    tg: ready || !tg ? 'healthy' : 'initial',
    passes: 0,
    fails: 0,
    nextCheckAt: inServiceAt + (tg?.intervalSeconds ?? 0),
    healthySince: ready ? -Infinity : inServiceAt,
    backlog: 0,
    offered: 0,
    busy: 0,
    terminated: false,
  });
  // The group starts in its steady state: instances serving, past warm-up, and a full warm pool.
  for (let i = 0; i < desired; i++) instances.push(newInstance(-3600, -3600, true));
  const poolTarget = () => pool ? Math.max(pool.minSize, (pool.maxGroupPreparedCapacity ?? max) - desired) : 0;
  let warmPool: PooledInstance[] = Array.from({ length: poolTarget() }, () => ({ readyAt: -Infinity }));

  const live = () => instances.filter(i => !i.terminated);
  const warming = (i: Instance, t: number, warmup: number) => t < i.inServiceAt + warmup;

  // Scheduled actions: a wall clock for the run, and the actions that already happened before it.
  const schedule = scheduleTimeline(model.scheduledActions, profile, options.spikeStartsAt, notes);
  const applyAction = (a: SpikeScheduledActionModel) => {
    if (a.minCapacity !== undefined) min = a.minCapacity;
    if (a.maxCapacity !== undefined) max = a.maxCapacity;
    if (a.desiredCapacity !== undefined) desired = a.desiredCapacity;
    desired = Math.min(max, Math.max(min, desired));
  };
  for (const a of schedule.before) applyAction(a);
  if (schedule.before.length > 0) {
    // Actions before the run had time to take effect: the group starts at their size.
    while (live().length < desired) instances.push(newInstance(-3600, -3600, true));
    warmPool = Array.from({ length: poolTarget() }, () => ({ readyAt: -Infinity }));
  }

  const datapoint = (metric: SpikeMetricModel, endStep: number): number | undefined => {
    const n = Math.max(1, Math.round(metric.periodSeconds / dt));
    if (endStep - n < 0) return undefined;
    if (metric.metric === SpikeMetric.CPU_UTILIZATION) {
      const values = cpuSamples.slice(endStep - n, endStep).filter((v): v is number => v !== undefined);
      return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
    }
    const source = metric.metric === SpikeMetric.REQUEST_COUNT_PER_TARGET ? requestsPerTargetSamples
      : metric.metric === SpikeMetric.REQUEST_COUNT ? requestSamples : undefined;
    if (!source) return undefined;
    return source.slice(endStep - n, endStep).reduce((a, b) => a + b, 0);
  };
  const lastDatapoints = (metric: SpikeMetricModel, step: number, count: number): Array<number | undefined> => {
    const n = Math.max(1, Math.round(metric.periodSeconds / dt));
    return Array.from({ length: count }, (_, k) => datapoint(metric, step - k * n));
  };

  const ttOutState = model.targetTracking.map(() => ({ inAlarm: false, lastInvokedAt: -Infinity } as AlarmState));
  const ttInState: Array<number | undefined> = model.targetTracking.map(() => undefined);
  const stepState = model.stepScaling.map(() => ({ inAlarm: false, lastInvokedAt: -Infinity } as AlarmState));
  const simpleState = model.simpleScaling.map(() => ({ inAlarm: false, lastInvokedAt: -Infinity } as AlarmState));
  for (const p of [...model.targetTracking.map(x => x.metric), ...model.stepScaling.map(x => x.alarm.metric), ...model.simpleScaling.map(x => x.alarm.metric)]) {
    if (p.metric === SpikeMetric.UNSUPPORTED) notes.push(`A policy scales on ${p.description ?? 'a metric'} that the simulator does not model: it never acts in this run.`);
  }

  const setDesired = (value: number, t: number) => {
    const wanted = Math.round(value);
    const next = Math.min(max, Math.max(min, wanted));
    if (wanted > max && next >= desired) maxReached = true;
    if (next > desired && firstScaleOut === undefined && t >= profile.spikeStartSeconds) firstScaleOut = t - profile.spikeStartSeconds;
    desired = next;
  };

  /** Evaluates an alarm at a period boundary; true when its Auto Scaling action runs now. */
  const alarmFires = (state: AlarmState, breaching: boolean, t: number): boolean => {
    const changed = breaching !== state.inAlarm;
    state.inAlarm = breaching;
    if (!breaching) return false;
    if (changed || t - state.lastInvokedAt >= ALARM_AUTO_SCALING_REPEAT_SECONDS) {
      state.lastInvokedAt = t;
      return true;
    }
    return false;
  };

  const samples: SpikeSample[] = [];
  const steps = Math.ceil(profile.durationSeconds / dt);
  const windowEnd = profile.spikeStartSeconds + windowMinutes * 60;
  let offeredInWindow = 0;
  let overInWindow = 0;
  let instanceSeconds = 0;
  let peakInstances = 0;
  let peakDemand = 0;

  for (let step = 0; step < steps; step++) {
    const t = step * dt;

    // 1. Scheduled actions due in this step.
    for (const a of schedule.during.filter(x => x.second >= t && x.second < t + dt)) applyAction(a.action);

    // 2. Scaling policies, on the datapoints completed by now.
    const groupNow = live();
    const servingNow = groupNow.filter(i => t >= i.inServiceAt);
    // Target tracking sizes the group from the instances its metric covers; instances still warming up count as capacity on their way.
    const metricBase = (model.defaultInstanceWarmupSeconds === undefined ? servingNow : servingNow.filter(i => !warming(i, t, metricWarmup))).length;
    const routedTargets = servingNow.filter(i => i.offered > 0).length;
    model.targetTracking.forEach((p, k) => {
      const n = Math.max(1, Math.round(p.metric.periodSeconds / dt));
      if (step % n !== 0) return;
      const out = lastDatapoints(p.metric, step, TARGET_TRACKING_SCALE_OUT_DATAPOINTS);
      const breachingOut = out.every(v => v !== undefined && v > p.targetValue);
      const base = p.metric.metric === SpikeMetric.CPU_UTILIZATION ? metricBase : Math.max(routedTargets, 1);
      if (alarmFires(ttOutState[k], breachingOut, t)) {
        const wanted = p.metric.metric === SpikeMetric.REQUEST_COUNT ? Math.ceil(out[0]! / p.targetValue) : Math.ceil(base * out[0]! / p.targetValue);
        if (wanted > desired) setDesired(wanted, t);
      }
      const inn = lastDatapoints(p.metric, step, TARGET_TRACKING_SCALE_IN_DATAPOINTS);
      const breachingIn = inn.every(v => v !== undefined && v < p.targetValue * TARGET_TRACKING_SCALE_IN_RATIO);
      ttInState[k] = breachingIn ? Math.max(min, Math.ceil(base * inn[0]! / p.targetValue)) : undefined;
    });
    // Scale in only when every policy that may scale in agrees, by the least of their cuts, and never during warm-up.
    const voters = model.targetTracking.map((p, k) => ({ p, k })).filter(x => !x.p.disableScaleIn);
    const anyWarming = groupNow.some(i => warming(i, t, metricWarmup));
    if (voters.length > 0 && voters.every(x => ttInState[x.k] !== undefined) && !anyWarming) {
      const proposal = Math.max(...voters.map(x => ttInState[x.k]!));
      if (proposal < desired) setDesired(proposal, t);
    }

    model.stepScaling.forEach((p, k) => {
      const n = Math.max(1, Math.round(p.alarm.metric.periodSeconds / dt));
      if (step % n !== 0) return;
      const { breaching, value } = evaluateAlarm(p.alarm, lastDatapoints(p.alarm.metric, step, p.alarm.evaluationPeriods));
      if (!alarmFires(stepState[k], breaching, t) || value === undefined) return;
      const breach = value - p.alarm.threshold;
      const stepFound = p.steps.find(s => (s.lowerBound === undefined || breach >= s.lowerBound) && (s.upperBound === undefined || breach < s.upperBound));
      if (!stepFound) return;
      const warmup = p.estimatedInstanceWarmupSeconds ?? model.defaultInstanceWarmupSeconds ?? model.cooldownSeconds;
      const warmingCount = groupNow.filter(i => warming(i, t, warmup)).length + Math.max(0, desired - groupNow.length);
      const base = Math.max(0, desired - warmingCount);
      const target = adjust(p.adjustmentType, base, stepFound.adjustment, p.minAdjustmentMagnitude);
      if (target > desired) setDesired(target, t);
      else if (target < desired && warmingCount === 0) setDesired(target, t);
    });

    model.simpleScaling.forEach((p, k) => {
      const n = Math.max(1, Math.round(p.alarm.metric.periodSeconds / dt));
      if (step % n !== 0) return;
      const { breaching } = evaluateAlarm(p.alarm, lastDatapoints(p.alarm.metric, step, p.alarm.evaluationPeriods));
      if (!alarmFires(simpleState[k], breaching, t) || t < simpleCooldownUntil) return;
      const target = adjust(p.adjustmentType, desired, p.adjustment, undefined);
      if (target === desired) return;
      const scalesOut = target > desired;
      setDesired(target, t);
      // The cooldown starts once the activity's instances are in service.
      simpleCooldownUntil = t + (scalesOut ? model.bootSeconds : 0) + (p.cooldownSeconds ?? model.cooldownSeconds);
    });

    // 3. The group converges on its desired capacity: from the warm pool first, then cold launches.
    let group = live();
    while (group.length < desired) {
      const readyIndex = warmPool.findIndex(w => w.readyAt <= t);
      if (readyIndex >= 0) {
        warmPool.splice(readyIndex, 1);
        group.push(pushInstance(instances, newInstance(t, t + warmStart, false)));
      } else {
        group.push(pushInstance(instances, newInstance(t, t + model.bootSeconds, false)));
      }
    }
    if (group.length > desired) {
      // Booting instances go first, then the newest.
      const victims = [...group].sort((a, b) => Number(t >= a.inServiceAt) - Number(t >= b.inServiceAt) || b.launchedAt - a.launchedAt)
        .slice(0, group.length - desired);
      for (const v of victims) v.terminated = true;
      group = live();
    }
    if (pool) {
      const wanted = poolTarget();
      while (warmPool.length < wanted) warmPool.push({ readyAt: t + model.bootSeconds });
      if (warmPool.length > wanted) warmPool = warmPool.sort((a, b) => a.readyAt - b.readyAt).slice(0, wanted);
    }

    // 4. Load balancer health checks, and replacement of unhealthy instances with ELB health checks.
    const timeout = tg?.timeoutSeconds ?? Infinity;
    for (const i of group) {
      if (!tg || t < i.inServiceAt) continue;
      while (i.nextCheckAt <= t) {
        const latency = i.backlog / rps;
        const passes = latency < timeout;
        if (passes) {
          i.fails = 0;
          i.passes += 1;
          if (i.tg !== 'healthy' && i.passes >= tg.healthyThreshold) { i.tg = 'healthy'; i.healthySince = i.nextCheckAt; }
        } else {
          i.passes = 0;
          i.fails += 1;
          if (i.tg !== 'unhealthy' && i.fails >= tg.unhealthyThreshold) i.tg = 'unhealthy';
        }
        i.nextCheckAt += tg.intervalSeconds;
      }
      if (model.healthCheckType === SpikeHealthCheckType.ELB && i.tg === 'unhealthy' && t - i.inServiceAt >= model.healthCheckGraceSeconds) {
        // The app never crashes in this model: an instance failing its check is alive but overloaded.
        i.terminated = true;
        replacedUnderOverload += 1;
      }
    }
    group = live();

    // 5. Routing: healthy targets (slow start weighs new ones down), or all of them when failing open.
    const registered = group.filter(i => t >= i.inServiceAt);
    const healthy = registered.filter(i => i.tg === 'healthy');
    const failOpen = tg !== undefined && registered.length > 0 && (healthy.length < tg.failOpenMinimumHealthyTargets
      || (tg.failOpenHealthyPercentage !== undefined && healthy.length < registered.length * tg.failOpenHealthyPercentage / 100));
    const routable = failOpen ? registered : healthy;
    const weight = (i: Instance) => {
      if (!tg || tg.slowStartSeconds <= 0 || i.tg !== 'healthy') return 1;
      return Math.min(1, Math.max(0.05, (t - i.healthySince) / tg.slowStartSeconds));
    };
    const demand = profile.requestsPerSecondAt(t, baseline);
    peakDemand = Math.max(peakDemand, demand);
    const totalWeight = routable.reduce((s, i) => s + weight(i), 0);
    let over = routable.length === 0 ? demand : 0;
    for (const i of group) i.offered = 0;
    for (const i of routable) i.offered = demand * weight(i) / totalWeight;
    for (const i of group) {
      if (t < i.inServiceAt) continue;
      const inflow = i.offered * dt + i.backlog;
      const served = Math.min(inflow, rps * dt);
      i.busy = served / (rps * dt);
      over += Math.max(0, i.offered - rps);
      // Requests that waited past the load balancer's idle timeout fail with 504.
      i.backlog = Math.min(inflow - served, rps * LOAD_BALANCER_IDLE_TIMEOUT_SECONDS);
    }

    // 6. Metrics: with a default instance warm-up, instances warming up are left out of the group's aggregated CPU.
    const cpuInstances = model.defaultInstanceWarmupSeconds === undefined ? registered : registered.filter(i => !warming(i, t, metricWarmup));
    cpuSamples.push(cpuInstances.length === 0 ? undefined : 100 * cpuInstances.reduce((s, i) => s + i.busy, 0) / cpuInstances.length);
    const targetsWithTraffic = routable.length;
    requestsPerTargetSamples.push(targetsWithTraffic === 0 ? 0 : demand * dt / targetsWithTraffic);
    requestSamples.push(demand * dt);

    // 7. Bookkeeping.
    const billed = group.length + (pool?.state === SpikeWarmPoolState.RUNNING ? warmPool.length : warmPool.filter(w => w.readyAt > t).length);
    instanceSeconds += billed * dt;
    peakInstances = Math.max(peakInstances, group.length);
    if (t >= profile.spikeStartSeconds && t < windowEnd) {
      offeredInWindow += demand * dt;
      overInWindow += over * dt;
    }
    samples.push({
      seconds: t,
      demand,
      capacity: routable.length * rps,
      overCapacity: over,
      instances: group.length,
      inService: registered.length,
      serving: routable.length,
      desired,
    });
  }

  const instancesNeededAtPeak = Math.ceil(peakDemand / rps);
  if (maxReached) {
    notes.push(`Scaling wanted more than maxCapacity (${model.maxCapacity}) instances; the peak needs ${instancesNeededAtPeak} at full load.`);
  }
  const summary: SpikeSummary = {
    minutesToAbsorb: minutesToAbsorb(samples, profile),
    shareOfRequestsOverCapacity: offeredInWindow === 0 ? 0 : overInWindow / offeredInWindow,
    peakInstances,
    instanceHours: instanceSeconds / 3600,
    deathSpiral: replacedUnderOverload > 0,
    instancesReplacedUnderOverload: replacedUnderOverload,
    firstScaleOutSeconds: firstScaleOut,
    instancesNeededAtPeak,
    maxCapacityReached: maxReached,
  };
  return { profile: profile.name, model, baselineRequestsPerSecond: baseline, summary, samples, notes };
}

function pushInstance(list: Instance[], i: Instance): Instance {
  list.push(i);
  return i;
}

/** Whether the alarm is breaching on its last datapoints, and the newest value. */
function evaluateAlarm(alarm: SpikeAlarmModel, datapoints: Array<number | undefined>): { breaching: boolean; value?: number } {
  const breaches = datapoints.filter(v => v !== undefined && compare(v, alarm.comparison, alarm.threshold)).length;
  return { breaching: breaches >= alarm.datapointsToAlarm, value: datapoints[0] };
}

function compare(value: number, comparison: SpikeComparison, threshold: number): boolean {
  switch (comparison) {
    case SpikeComparison.GREATER_THAN: return value > threshold;
    case SpikeComparison.GREATER_THAN_OR_EQUAL: return value >= threshold;
    case SpikeComparison.LESS_THAN: return value < threshold;
    case SpikeComparison.LESS_THAN_OR_EQUAL: return value <= threshold;
  }
}

/** New capacity after an adjustment (PercentChangeInCapacity rounds toward zero, at least 1 or the minimum magnitude). */
export function adjust(type: SpikeAdjustmentType, current: number, adjustment: number, minMagnitude: number | undefined): number {
  switch (type) {
    case SpikeAdjustmentType.EXACT_CAPACITY: return adjustment;
    case SpikeAdjustmentType.CHANGE_IN_CAPACITY: return current + adjustment;
    case SpikeAdjustmentType.PERCENT_CHANGE_IN_CAPACITY: {
      const raw = current * adjustment / 100;
      let delta = Math.abs(raw) < 1 ? Math.sign(raw) : Math.trunc(raw);
      if (minMagnitude !== undefined && Math.abs(delta) < minMagnitude) delta = Math.sign(raw) * minMagnitude;
      return current + delta;
    }
  }
}

/**
 * Minutes from the spike's start until capacity covers demand for good (through the end of the
 * peak): the step after the last one, before the peak ends, with more than 1 % of demand over capacity.
 */
function minutesToAbsorb(samples: SpikeSample[], profile: SpikeProfile): number | undefined {
  const covered = (s: SpikeSample) => s.overCapacity <= 0.01 * s.demand;
  const during = samples.filter(s => s.seconds >= profile.spikeStartSeconds && s.seconds < profile.peakEndSeconds);
  if (during.length === 0) return 0;
  if (!covered(during[during.length - 1])) return undefined;
  let last: SpikeSample | undefined;
  for (const s of during) if (!covered(s)) last = s;
  if (!last) return 0;
  const step = samples.length > 1 ? samples[1].seconds - samples[0].seconds : 0;
  return (last.seconds + step - profile.spikeStartSeconds) / 60;
}

interface ScheduleTimeline {
  readonly before: SpikeScheduledActionModel[];
  readonly during: Array<{ second: number; action: SpikeScheduledActionModel }>;
}

/** Places scheduled actions on the run's clock (none without a date for the spike). */
function scheduleTimeline(actions: SpikeScheduledActionModel[], profile: SpikeProfile, spikeStartsAt: string | undefined, notes: string[]): ScheduleTimeline {
  if (actions.length === 0) return { before: [], during: [] };
  if (spikeStartsAt === undefined) {
    notes.push(`${actions.length} scheduled action(s) left out: give the spike's date and time (spikeStartsAt, --at) to simulate them.`);
    return { before: [], during: [] };
  }
  const spikeMs = Date.parse(spikeStartsAt);
  if (!Number.isFinite(spikeMs)) {
    throw new SpikeInputError(`invalid spikeStartsAt (${JSON.stringify(spikeStartsAt)}). Use an ISO 8601 date and time, for example 2026-03-01T20:00:00Z.`);
  }
  const startMs = spikeMs - profile.spikeStartSeconds * 1000;
  const endMs = startMs + profile.durationSeconds * 1000;
  const before: Array<{ ms: number; action: SpikeScheduledActionModel }> = [];
  const during: Array<{ second: number; action: SpikeScheduledActionModel }> = [];
  for (const action of actions) {
    if (action.recurrence) {
      // The most recent firing in the week before the run set the group's state; later ones fire during it.
      const from = Math.floor((startMs - 7 * 24 * 3600_000) / 60_000) * 60_000;
      let latestBefore: number | undefined;
      for (let ms = from; ms < endMs; ms += 60_000) {
        if (action.startTime && ms < Date.parse(action.startTime)) continue;
        if (!cronMatches(action.recurrence, new Date(ms), action.timeZone)) continue;
        if (ms < startMs) latestBefore = ms;
        else during.push({ second: (ms - startMs) / 1000, action });
      }
      if (latestBefore !== undefined) before.push({ ms: latestBefore, action });
    } else if (action.startTime) {
      const ms = Date.parse(action.startTime);
      if (!Number.isFinite(ms)) throw new SpikeInputError(`invalid startTime (${JSON.stringify(action.startTime)}) of scheduled action ${action.name}. Use ISO 8601.`);
      if (ms < startMs) before.push({ ms, action });
      else if (ms < endMs) during.push({ second: (ms - startMs) / 1000, action });
    }
  }
  return { before: before.sort((a, b) => a.ms - b.ms).map(b => b.action), during };
}
