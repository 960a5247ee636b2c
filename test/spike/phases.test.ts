/**
 * The simulator's phases one at a time: a SpikeRun is the state of a simulation, and each
 * method is one phase of a step. Each test names the AWS rule (constants.ts) it checks.
 */
import { SpikeRun } from '../../lib/spike/spike-run';
import { absorption } from '../../lib/spike/simulator';
import { SpikeHealthCheckType, SpikeProfile, SpikeSample, SpikeWarmPoolState } from '../../lib';
import { cpuTrackingModel } from './models';

const step15 = SpikeProfile.step({ factor: 15, holdMinutes: 30 });

describe('SpikeRun phases', () => {
  test('starts in the steady state: desired instances serving, a full warm pool, the default absolute baseline', () => {
    const run = new SpikeRun(cpuTrackingModel({ maxCapacity: 10, warmPool: { minSize: 0, state: SpikeWarmPoolState.STOPPED } }), step15);
    expect(run.live()).toHaveLength(2);
    expect(run.warmPool).toHaveLength(8); // WARM_POOL: max − desired
    expect(run.baseline).toBe(100); // DEFAULT_BASELINE_REQUESTS_PER_SECOND, never desired × rate ÷ 2
  });

  test('applyScheduledActions: an action fires two minutes after its time (SCHEDULED_ACTION_DELAY_SECONDS)', () => {
    const model = cpuTrackingModel({ scheduledActions: [{ name: 'A', startTime: '2026-03-01T20:00:00Z', desiredCapacity: 6, minCapacity: 6 }] });
    const run = new SpikeRun(model, step15, { spikeStartsAt: '2026-03-01T20:00:00Z' });
    run.applyScheduledActions(step15.spikeStartSeconds);
    expect(run.desired).toBe(2);
    run.applyScheduledActions(step15.spikeStartSeconds + 120);
    expect(run.desired).toBe(6);
  });

  test('evaluateTargetTracking: no datapoint is usable before its period ends and the publication delay passes (METRIC_PUBLICATION_DELAY_SECONDS)', () => {
    const run = new SpikeRun(cpuTrackingModel(), step15);
    // 3 minutes of 100 % CPU on 2 instances: breaching datapoints, but the newest is not yet published.
    for (let i = 0; i < 18; i++) run.metrics.push(100, 0, 0, 2);
    run.stepIndex = 18;
    run.evaluateTargetTracking(run.t);
    expect(run.desired).toBe(2);
    for (let i = 0; i < 12; i++) run.metrics.push(100, 0, 0, 2);
    run.stepIndex = 30; // 180 s of data + 120 s of delay
    run.evaluateTargetTracking(run.t);
    expect(run.desired).toBe(4); // 2 instances × 100 % ÷ 50 %
  });

  test('converge: launches come from the warm pool first (warm start), then cold (boot)', () => {
    const run = new SpikeRun(cpuTrackingModel({ maxCapacity: 5, warmPool: { minSize: 0, maxGroupPreparedCapacity: 3, state: SpikeWarmPoolState.STOPPED } }), step15);
    expect(run.warmPool).toHaveLength(1);
    run.setDesired(4, 300);
    run.converge(300);
    const launched = run.live().filter(i => i.launchedAt === 300).map(i => i.inServiceAt - 300).sort((a, b) => a - b);
    expect(launched).toEqual([40, 120]);
  });

  test('converge: a Spot group gets no warm-pool credit (WARM_POOL_HOLDS_SPOT)', () => {
    const run = new SpikeRun(cpuTrackingModel({ spot: true, warmPool: { minSize: 5, state: SpikeWarmPoolState.STOPPED } }), step15);
    expect(run.pool).toBeUndefined();
    expect(run.warmPool).toHaveLength(0);
    expect(run.notes.join(' ')).toMatch(/warm pool gets no credit/);
  });

  test('checkTargetHealth: a new target is healthy after one passing check (NEW_TARGET_PASSING_CHECKS), not the healthy threshold', () => {
    const run = new SpikeRun(cpuTrackingModel(), step15);
    run.setDesired(3, 0);
    run.converge(0);
    const fresh = run.live().find(i => i.launchedAt === 0)!;
    run.checkTargetHealth(fresh.inServiceAt + 15);
    expect(fresh.tg).toBe('healthy');
    expect(fresh.passes).toBe(1);
  });

  test('replaceUnhealthy: up to 10 % of desired at a time, at least one, and not while a launch is on its way (HEALTH_REPLACEMENT_SHARE_OF_DESIRED)', () => {
    const run = new SpikeRun(cpuTrackingModel({ healthCheckType: SpikeHealthCheckType.ELB, minCapacity: 20, desiredCapacity: 20, healthCheckGraceSeconds: 0 }), step15);
    for (const i of run.live()) i.tg = 'unhealthy';
    run.replaceUnhealthy(100);
    expect(run.replacedUnderOverload).toBe(2);
    run.converge(100); // the replacements boot
    run.replaceUnhealthy(110);
    expect(run.replacedUnderOverload).toBe(2);
  });

  test('route: below the fail-open percentage every registered target gets traffic', () => {
    const model = cpuTrackingModel();
    const run = new SpikeRun({ ...model, targetGroup: { ...model.targetGroup!, failOpenHealthyPercentage: 60 } }, step15);
    run.live()[0].tg = 'unhealthy';
    const routing = run.route(0);
    expect(routing.routable).toHaveLength(2);
  });
});

describe('absorption', () => {
  const sample = (seconds: number, demand: number, inService: number, unserved: number): SpikeSample =>
    ({ seconds, demand, capacity: 0, overCapacity: Math.max(0, demand - inService * 100), unserved, instances: inService, inService, serving: inService, desired: inService });

  test('a flap after capacity arrived is reported as such (coverageLosses, minutesToServeAll), not as the absorption time', () => {
    const profile = SpikeProfile.step({ factor: 15, holdMinutes: 10, leadMinutes: 0 });
    const samples = Array.from({ length: 60 }, (_, k) => {
      const t = k * 10;
      if (t < 120) return sample(t, 1500, 2, 1300);
      if (t >= 300 && t < 330) return sample(t, 1500, 16, 200); // the flap
      return sample(t, 1500, 16, 0);
    });
    const a = absorption(samples, profile, 100);
    expect(a.minutesToAbsorb).toBe(2);
    expect(a.losses).toBe(1);
    expect(a.minutesToServeAll).toBe(5.5);
  });
});
