/**
 * The state of one simulation and one method per phase of a step. `simulate()` calls the phases
 * in order for each step; tests call them one at a time. Every AWS rule a phase applies is a
 * constant of `constants.ts` with the page and sentence it comes from.
 */
import { AlarmState, adjust, alarmFires, evaluateAlarm, newAlarmState } from './alarms';
import {
  DEFAULT_BASELINE_REQUESTS_PER_SECOND, HEALTH_REPLACEMENT_SHARE_OF_DESIRED, LOAD_BALANCER_IDLE_TIMEOUT_SECONDS, NEW_TARGET_PASSING_CHECKS,
  TARGET_TRACKING_SCALE_IN_DATAPOINTS, TARGET_TRACKING_SCALE_IN_RATIO, TARGET_TRACKING_SCALE_OUT_DATAPOINTS,
} from './constants';
import { MetricStore } from './metrics';
import {
  ScalingModel, SpikeAdjustmentType, SpikeHealthCheckType, SpikeInputError, SpikeMetric, SpikeScheduledActionModel, SpikeWarmPoolModel, SpikeWarmPoolState,
} from './model';
import { SpikeProfile } from './profile';
import { ScheduleTimeline, scheduleTimeline } from './schedule';

/** Where a target stands with the load balancer. */
export type TargetState = 'initial' | 'healthy' | 'unhealthy';

/** One instance of the group. */
export interface SimInstance {
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

/** An instance waiting in the warm pool, ready to leave it from `readyAt`. */
export interface PooledInstance {
  readonly readyAt: number;
}

/** What routing decided in a step. */
export interface Routing {
  readonly demand: number;
  readonly registered: SimInstance[];
  readonly routable: SimInstance[];
  /** Requests per second not served (over capacity, or routed to too few targets). */
  readonly unserved: number;
}

/** Options of a run that the phases need (see SpikeRunOptions). */
export interface SpikeRunSettings {
  readonly baselineRequestsPerSecond?: number;
  readonly stepSeconds?: number;
  readonly spikeStartsAt?: string;
}

/** The state of a simulation. */
export class SpikeRun {
  public readonly dt: number;
  public readonly rps: number;
  public readonly baseline: number;
  public readonly notes: string[];
  public readonly metrics: MetricStore;
  public readonly instances: SimInstance[] = [];
  public warmPool: PooledInstance[] = [];
  public min: number;
  public max: number;
  public desired: number;
  public stepIndex = 0;
  public replacedUnderOverload = 0;
  public maxReached = false;
  public firstScaleOut: number | undefined;
  public simpleCooldownUntil = -Infinity;
  /** The warm pool the run credits: none for a Spot group (WARM_POOL_HOLDS_SPOT). */
  public readonly pool: SpikeWarmPoolModel | undefined;
  private readonly warmStart: number;
  private readonly metricWarmup: number;
  private readonly schedule: ScheduleTimeline;
  private readonly ttOut: AlarmState[];
  private readonly ttIn: Array<number | undefined>;
  private readonly stepAlarms: AlarmState[];
  private readonly simpleAlarms: AlarmState[];

  constructor(public readonly model: ScalingModel, public readonly profile: SpikeProfile, settings: SpikeRunSettings = {}) {
    this.dt = settings.stepSeconds ?? 10;
    if (!Number.isInteger(this.dt) || this.dt < 1 || 60 % this.dt !== 0) {
      throw new SpikeInputError(`invalid stepSeconds (${this.dt}). Use a whole number of seconds that divides 60, for example 10.`);
    }
    this.rps = model.requestsPerSecondPerInstance;
    this.baseline = settings.baselineRequestsPerSecond ?? model.baselineRequestsPerSecond ?? DEFAULT_BASELINE_REQUESTS_PER_SECOND;
    if (!(this.baseline >= 0) || !Number.isFinite(this.baseline)) {
      throw new SpikeInputError(`invalid baselineRequestsPerSecond (${this.baseline}). Use a number of requests per second of at least 0.`);
    }
    this.notes = [...model.notes];
    this.metrics = new MetricStore(this.dt, model.metricPublicationDelaySeconds);
    this.pool = model.warmPool && !model.spot ? model.warmPool : undefined;
    if (model.warmPool && model.spot) {
      this.notes.push('The group runs Spot instances, which a warm pool cannot hold: the warm pool gets no credit in this run (AWS refuses a warm pool beside Spot).');
    }
    this.warmStart = this.pool?.state === SpikeWarmPoolState.RUNNING ? 0 : Math.min(model.warmStartSeconds, model.bootSeconds);
    this.metricWarmup = model.defaultInstanceWarmupSeconds
      ?? Math.max(0, ...model.targetTracking.map(p => p.estimatedInstanceWarmupSeconds ?? model.cooldownSeconds));
    this.min = model.minCapacity;
    this.max = model.maxCapacity;
    this.desired = model.desiredCapacity;
    this.ttOut = model.targetTracking.map(newAlarmState);
    this.ttIn = model.targetTracking.map(() => undefined);
    this.stepAlarms = model.stepScaling.map(newAlarmState);
    this.simpleAlarms = model.simpleScaling.map(newAlarmState);
    for (const m of [...model.targetTracking.map(x => x.metric), ...model.stepScaling.map(x => x.alarm.metric), ...model.simpleScaling.map(x => x.alarm.metric)]) {
      if (m.metric === SpikeMetric.UNSUPPORTED) this.notes.push(`A policy scales on ${m.description ?? 'a metric'} that the simulator does not model: it never acts in this run.`);
    }
    // The group starts in its steady state: instances serving, past warm-up, and a full warm pool.
    this.schedule = scheduleTimeline(model.scheduledActions, profile, settings.spikeStartsAt, this.notes);
    for (const a of this.schedule.before) this.applyAction(a);
    for (let i = 0; i < this.desired; i++) this.instances.push(this.newInstance(-3600, -3600, true));
    this.warmPool = Array.from({ length: this.poolTarget() }, () => ({ readyAt: -Infinity }));
  }

  /** Seconds since the profile's start of the current step. */
  public get t(): number {
    return this.stepIndex * this.dt;
  }

  /** Instances not terminated. */
  public live(): SimInstance[] {
    return this.instances.filter(i => !i.terminated);
  }

  /** Size the warm pool keeps: MaxGroupPreparedCapacity (default max) minus desired, at least its MinSize. */
  public poolTarget(): number {
    return this.pool ? Math.max(this.pool.minSize, (this.pool.maxGroupPreparedCapacity ?? this.max) - this.desired) : 0;
  }

  /** Phase 1: scheduled actions due in this step (already two minutes late). */
  public applyScheduledActions(t: number): void {
    for (const a of this.schedule.during) if (a.second >= t && a.second < t + this.dt) this.applyAction(a.action);
  }

  /**
   * Phase 2a: target tracking policies, on the datapoints usable now. Each wants the capacity
   * that brings its metric to the target, computed from the datapoint's own period.
   */
  public evaluateTargetTracking(t: number): void {
    const m = this.model;
    m.targetTracking.forEach((p, k) => {
      if (this.stepIndex % this.metrics.stepsPerPeriod(p.metric) !== 0) return;
      const out = this.metrics.usableDatapoints(p.metric, this.stepIndex, TARGET_TRACKING_SCALE_OUT_DATAPOINTS);
      const breachingOut = out.every(v => v !== undefined && v > p.targetValue);
      const wanted = this.metrics.wantedCapacity(p.metric, this.stepIndex, p.targetValue);
      if (alarmFires(this.ttOut[k], breachingOut, t) && wanted !== undefined && wanted > this.desired) this.setDesired(wanted, t);
      const inn = this.metrics.usableDatapoints(p.metric, this.stepIndex, TARGET_TRACKING_SCALE_IN_DATAPOINTS);
      const breachingIn = inn.every(v => v !== undefined && v < p.targetValue * TARGET_TRACKING_SCALE_IN_RATIO);
      this.ttIn[k] = breachingIn && wanted !== undefined ? Math.max(this.min, wanted) : undefined;
    });
    // Scale in only when every policy that may scale in agrees, by the least of their cuts, and never during warm-up.
    const voters = m.targetTracking.map((p, k) => ({ p, k })).filter(x => !x.p.disableScaleIn);
    const anyWarming = this.live().some(i => this.warming(i, t, this.metricWarmup));
    if (voters.length > 0 && voters.every(x => this.ttIn[x.k] !== undefined) && !anyWarming) {
      const proposal = Math.max(...voters.map(x => this.ttIn[x.k]!));
      if (proposal < this.desired) this.setDesired(proposal, t);
    }
  }

  /** Phase 2b: step scaling policies; a repeated alarm adds only what exceeds the capacity warming up. */
  public evaluateStepScaling(t: number): void {
    const m = this.model;
    const group = this.live();
    m.stepScaling.forEach((p, k) => {
      if (this.stepIndex % this.metrics.stepsPerPeriod(p.alarm.metric) !== 0) return;
      const { breaching, value } = evaluateAlarm(p.alarm, this.metrics.usableDatapoints(p.alarm.metric, this.stepIndex, p.alarm.evaluationPeriods));
      if (!alarmFires(this.stepAlarms[k], breaching, t) || value === undefined) return;
      const breach = value - p.alarm.threshold;
      const step = p.steps.find(s => (s.lowerBound === undefined || breach >= s.lowerBound) && (s.upperBound === undefined || breach < s.upperBound));
      if (!step) return;
      const warmup = p.estimatedInstanceWarmupSeconds ?? m.defaultInstanceWarmupSeconds ?? m.cooldownSeconds;
      const warmingCount = group.filter(i => this.warming(i, t, warmup)).length + Math.max(0, this.desired - group.length);
      // A percentage of a group whose every instance is still warming up is taken of one instance.
      const base = Math.max(0, this.desired - warmingCount);
      const target = adjust(p.adjustmentType, p.adjustmentType === SpikeAdjustmentType.PERCENT_CHANGE_IN_CAPACITY ? Math.max(1, base) : base, step.adjustment, p.minAdjustmentMagnitude);
      if (target > this.desired) this.setDesired(target, t);
      else if (target < this.desired && warmingCount === 0) this.setDesired(target, t);
    });
  }

  /** Phase 2c: simple scaling policies, with their cooldown starting once the activity's instances are in service. */
  public evaluateSimpleScaling(t: number): void {
    const m = this.model;
    m.simpleScaling.forEach((p, k) => {
      if (this.stepIndex % this.metrics.stepsPerPeriod(p.alarm.metric) !== 0) return;
      const { breaching } = evaluateAlarm(p.alarm, this.metrics.usableDatapoints(p.alarm.metric, this.stepIndex, p.alarm.evaluationPeriods));
      if (!alarmFires(this.simpleAlarms[k], breaching, t) || t < this.simpleCooldownUntil) return;
      const target = adjust(p.adjustmentType, this.desired, p.adjustment, undefined);
      if (target === this.desired) return;
      const scalesOut = target > this.desired;
      this.setDesired(target, t);
      this.simpleCooldownUntil = t + (scalesOut ? m.bootSeconds : 0) + (p.cooldownSeconds ?? m.cooldownSeconds);
    });
  }

  /** Phase 3: the group converges on its desired capacity, from the warm pool first, then cold launches; the pool refills. */
  public converge(t: number): void {
    const group = this.live();
    while (group.length < this.desired) {
      const ready = this.warmPool.findIndex(w => w.readyAt <= t);
      if (ready >= 0) {
        this.warmPool.splice(ready, 1);
        group.push(this.launch(t, t + this.warmStart));
      } else {
        group.push(this.launch(t, t + this.model.bootSeconds));
      }
    }
    if (group.length > this.desired) {
      // Booting instances go first, then the newest.
      const victims = [...group].sort((a, b) => Number(t >= a.inServiceAt) - Number(t >= b.inServiceAt) || b.launchedAt - a.launchedAt)
        .slice(0, group.length - this.desired);
      for (const v of victims) v.terminated = true;
    }
    if (this.pool) {
      const wanted = this.poolTarget();
      while (this.warmPool.length < wanted) this.warmPool.push({ readyAt: t + this.model.bootSeconds });
      if (this.warmPool.length > wanted) this.warmPool = this.warmPool.sort((a, b) => a.readyAt - b.readyAt).slice(0, wanted);
    }
  }

  /**
   * Phase 4: the load balancer's health checks. A new target is healthy after one passing check
   * (NEW_TARGET_PASSING_CHECKS); an unhealthy one needs the healthy threshold; a check fails when
   * the instance's queue makes it answer later than the timeout.
   */
  public checkTargetHealth(t: number): void {
    const tg = this.model.targetGroup;
    if (!tg) return;
    for (const i of this.live()) {
      if (t < i.inServiceAt) continue;
      while (i.nextCheckAt <= t) {
        const passes = i.backlog / this.rps < tg.timeoutSeconds;
        if (passes) {
          i.fails = 0;
          i.passes += 1;
          const needed = i.tg === 'initial' ? NEW_TARGET_PASSING_CHECKS : tg.healthyThreshold;
          if (i.tg !== 'healthy' && i.passes >= needed) { i.tg = 'healthy'; i.healthySince = i.nextCheckAt; }
        } else {
          i.passes = 0;
          i.fails += 1;
          if (i.tg !== 'unhealthy' && i.fails >= tg.unhealthyThreshold) i.tg = 'unhealthy';
        }
        i.nextCheckAt += tg.intervalSeconds;
      }
    }
  }

  /**
   * Phase 5: with ELB health checks, the group replaces unhealthy instances past the grace period,
   * up to 10 % of desired capacity at a time (at least one), and not while instances it launched
   * are still on their way (a scale-out or the previous replacement in progress).
   */
  public replaceUnhealthy(t: number): void {
    if (this.model.healthCheckType !== SpikeHealthCheckType.ELB || !this.model.targetGroup) return;
    const group = this.live();
    if (group.some(i => t < i.inServiceAt)) return;
    const batch = Math.max(1, Math.floor(HEALTH_REPLACEMENT_SHARE_OF_DESIRED * this.desired));
    const unhealthy = group.filter(i => i.tg === 'unhealthy' && t - i.inServiceAt >= this.model.healthCheckGraceSeconds).slice(0, batch);
    for (const i of unhealthy) {
      // The app never crashes in this model: an instance failing its check is alive but overloaded.
      i.terminated = true;
      this.replacedUnderOverload += 1;
    }
  }

  /** Phase 6: routing to healthy targets (slow start weighs new ones down), or to all registered ones when failing open; queues and timeouts. */
  public route(t: number): Routing {
    const tg = this.model.targetGroup;
    const group = this.live();
    const registered = group.filter(i => t >= i.inServiceAt);
    const healthy = registered.filter(i => i.tg === 'healthy');
    const failOpen = tg !== undefined && registered.length > 0 && (healthy.length < tg.failOpenMinimumHealthyTargets
      || (tg.failOpenHealthyPercentage !== undefined && healthy.length < registered.length * tg.failOpenHealthyPercentage / 100));
    const routable = failOpen ? registered : healthy;
    const weight = (i: SimInstance) => {
      if (!tg || tg.slowStartSeconds <= 0 || i.tg !== 'healthy') return 1;
      return Math.min(1, Math.max(0.05, (t - i.healthySince) / tg.slowStartSeconds));
    };
    const demand = this.profile.requestsPerSecondAt(t, this.baseline);
    const totalWeight = routable.reduce((s, i) => s + weight(i), 0);
    let over = routable.length === 0 ? demand : 0;
    for (const i of group) i.offered = 0;
    for (const i of routable) i.offered = demand * weight(i) / totalWeight;
    for (const i of registered) {
      const inflow = i.offered * this.dt + i.backlog;
      const served = Math.min(inflow, this.rps * this.dt);
      i.busy = served / (this.rps * this.dt);
      over += Math.max(0, i.offered - this.rps);
      // Requests that waited past the load balancer's idle timeout fail with 504.
      i.backlog = Math.min(inflow - served, this.rps * LOAD_BALANCER_IDLE_TIMEOUT_SECONDS);
    }
    return { demand, registered, routable, unserved: over };
  }

  /** Phase 7: metrics of the step; with a default instance warm-up, warming instances are left out of the group's CPU. */
  public recordMetrics(t: number, routing: Routing): void {
    const cpuInstances = this.model.defaultInstanceWarmupSeconds === undefined ? routing.registered : routing.registered.filter(i => !this.warming(i, t, this.metricWarmup));
    const cpu = cpuInstances.length === 0 ? undefined : 100 * cpuInstances.reduce((s, i) => s + i.busy, 0) / cpuInstances.length;
    // With no target to route to, the load balancer still counts the requests: they weigh on the one target that will come.
    const perTarget = routing.demand * this.dt / Math.max(1, routing.routable.length);
    this.metrics.push(cpu, perTarget, routing.demand * this.dt, cpuInstances.length);
  }

  /** Instances billed in this step: the group, plus a running pool, plus pool instances still booting. */
  public billedInstances(t: number): number {
    const pooled = this.pool?.state === SpikeWarmPoolState.RUNNING ? this.warmPool.length : this.warmPool.filter(w => w.readyAt > t).length;
    return this.live().length + pooled;
  }

  /** Runs every phase of the current step, in order, and moves to the next; returns the step's routing. */
  public step(): Routing {
    const t = this.t;
    this.applyScheduledActions(t);
    this.evaluateTargetTracking(t);
    this.evaluateStepScaling(t);
    this.evaluateSimpleScaling(t);
    this.converge(t);
    this.checkTargetHealth(t);
    this.replaceUnhealthy(t);
    const routing = this.route(t);
    this.recordMetrics(t, routing);
    this.stepIndex += 1;
    return routing;
  }

  /** Sets desired capacity within min and max, and notes a scale-out stopped by max. */
  public setDesired(value: number, t: number): void {
    const wanted = Math.round(value);
    const next = Math.min(this.max, Math.max(this.min, wanted));
    if (wanted > this.max && next >= this.desired) this.maxReached = true;
    if (next > this.desired && this.firstScaleOut === undefined && t >= this.profile.spikeStartSeconds) this.firstScaleOut = t - this.profile.spikeStartSeconds;
    this.desired = next;
  }

  private applyAction(a: SpikeScheduledActionModel): void {
    if (a.minCapacity !== undefined) this.min = a.minCapacity;
    if (a.maxCapacity !== undefined) this.max = a.maxCapacity;
    if (a.desiredCapacity !== undefined) this.desired = a.desiredCapacity;
    this.desired = Math.min(this.max, Math.max(this.min, this.desired));
  }

  private warming(i: SimInstance, t: number, warmup: number): boolean {
    return t < i.inServiceAt + warmup;
  }

  private launch(launchedAt: number, inServiceAt: number): SimInstance {
    const i = this.newInstance(launchedAt, inServiceAt, false);
    this.instances.push(i);
    return i;
  }

  private newInstance(launchedAt: number, inServiceAt: number, ready: boolean): SimInstance {
    const tg = this.model.targetGroup;
    return {
      launchedAt,
      inServiceAt,
      tg: ready || !tg ? 'healthy' : 'initial',
      passes: 0,
      fails: 0,
      // The first check comes up to one interval after registration (the pessimistic end).
      nextCheckAt: inServiceAt + (tg?.intervalSeconds ?? 0),
      healthySince: ready ? -Infinity : inServiceAt,
      backlog: 0,
      offered: 0,
      busy: 0,
      terminated: false,
    };
  }
}
