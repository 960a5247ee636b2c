/**
 * Property-based tests of the spike simulator (fast-check): over generated groups and profiles,
 * the results order the way capacity does. A user sizes by these numbers, so a change that should
 * help must never make the result worse:
 *
 * - more max capacity never slower,       - a longer boot never faster,
 * - a bigger factor never faster,         - a warm pool never slower,
 * - removing a scaling policy never faster, - enough starting capacity absorbs in 0,
 * - and the share of requests over capacity follows the same order.
 *
 * "Slower" compares minutesToAbsorb with never = infinity. The seed is fixed so that CI is
 * repeatable; FC_SEED=<n> explores others, and a failure prints the seed and the shrunk case.
 * Known open case (FC_SEED=7 FC_RUNS=200): simple scaling on a 2-of-2 CPU alarm, where a 1 s
 * shorter boot brings instances whose CPU resets the alarm to OK one evaluation earlier, so the
 * next scale-out waits for two fresh datapoints: the share over capacity rises from 14.4 % to
 * 15.5 % (the absorption time stays ordered). That is CloudWatch's alarm state machine, which the
 * model reproduces; it is reported here rather than generated away.
 */
import fc from 'fast-check';
import {
  ScalingModel, SpikeAdjustmentType, SpikeComparison, SpikeHealthCheckType, SpikeMetric, SpikeProfile, SpikeResult, SpikeSimulation, SpikeWarmPoolState,
} from '../../lib';

const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261206;
const RUNS = process.env.FC_RUNS ? Number(process.env.FC_RUNS) : 40;
const settings = { seed: SEED, numRuns: RUNS };

const requestsPerTarget = { metric: SpikeMetric.REQUEST_COUNT_PER_TARGET, periodSeconds: 60 };
const cpu = { metric: SpikeMetric.CPU_UTILIZATION, periodSeconds: 60 };

/** A policy of the kinds the library and plain CDK write. */
type PolicyKind = 'cpu-tracking' | 'request-tracking' | 'request-steps' | 'cpu-steps' | 'cpu-simple';

const policies = fc.uniqueArray(fc.constantFrom<PolicyKind>('cpu-tracking', 'request-tracking', 'request-steps', 'cpu-steps', 'cpu-simple'), { minLength: 1, maxLength: 3 });

const group = fc.record({
  min: fc.integer({ min: 1, max: 4 }),
  extraMax: fc.integer({ min: 0, max: 40 }),
  rps: fc.integer({ min: 50, max: 300 }),
  boot: fc.integer({ min: 20, max: 600 }),
  warmStart: fc.integer({ min: 0, max: 90 }),
  elb: fc.boolean(),
  interval: fc.integer({ min: 5, max: 30 }),
  healthy: fc.integer({ min: 2, max: 5 }),
  unhealthy: fc.integer({ min: 2, max: 5 }),
  failOpenPercent: fc.option(fc.integer({ min: 10, max: 100 }), { nil: undefined }),
  warmup: fc.integer({ min: 0, max: 300 }),
  policies,
});
type Group = typeof group extends fc.Arbitrary<infer T> ? T : never;

function modelOf(g: Group, overrides: Partial<ScalingModel> = {}): ScalingModel {
  const target = Math.round(g.rps * 60 * 0.7);
  return {
    name: 'Generated',
    minCapacity: g.min,
    maxCapacity: g.min + g.extraMax,
    desiredCapacity: g.min,
    healthCheckType: g.elb ? SpikeHealthCheckType.ELB : SpikeHealthCheckType.EC2,
    healthCheckGraceSeconds: 60,
    cooldownSeconds: 300,
    defaultInstanceWarmupSeconds: g.warmup,
    detailedMonitoring: true,
    targetTracking: [
      ...(g.policies.includes('cpu-tracking') ? [{ name: 'Cpu', metric: cpu, targetValue: 50, disableScaleIn: false }] : []),
      ...(g.policies.includes('request-tracking') ? [{ name: 'Requests', metric: requestsPerTarget, targetValue: target, disableScaleIn: false }] : []),
    ],
    stepScaling: [
      ...(g.policies.includes('request-steps') ? [{
        name: 'RequestSteps',
        alarm: { metric: requestsPerTarget, threshold: g.rps * 60, comparison: SpikeComparison.GREATER_THAN_OR_EQUAL, evaluationPeriods: 1, datapointsToAlarm: 1 },
        adjustmentType: SpikeAdjustmentType.PERCENT_CHANGE_IN_CAPACITY,
        steps: [{ lowerBound: 0, upperBound: g.rps * 60, adjustment: 100 }, { lowerBound: g.rps * 60, adjustment: 300 }],
        estimatedInstanceWarmupSeconds: 60,
      }] : []),
      ...(g.policies.includes('cpu-steps') ? [{
        name: 'CpuSteps',
        alarm: { metric: cpu, threshold: 70, comparison: SpikeComparison.GREATER_THAN_OR_EQUAL, evaluationPeriods: 1, datapointsToAlarm: 1 },
        adjustmentType: SpikeAdjustmentType.PERCENT_CHANGE_IN_CAPACITY,
        steps: [{ lowerBound: 0, upperBound: 15, adjustment: 100 }, { lowerBound: 15, adjustment: 200 }],
        estimatedInstanceWarmupSeconds: 60,
      }] : []),
    ],
    simpleScaling: g.policies.includes('cpu-simple') ? [{
      name: 'CpuSimple',
      alarm: { metric: cpu, threshold: 70, comparison: SpikeComparison.GREATER_THAN_OR_EQUAL, evaluationPeriods: 2, datapointsToAlarm: 2 },
      adjustmentType: SpikeAdjustmentType.CHANGE_IN_CAPACITY,
      adjustment: 2,
      cooldownSeconds: 120,
    }] : [],
    scheduledActions: [],
    targetGroup: {
      intervalSeconds: g.interval, timeoutSeconds: Math.min(5, g.interval - 1), healthyThreshold: g.healthy, unhealthyThreshold: g.unhealthy,
      slowStartSeconds: 0, failOpenHealthyPercentage: g.failOpenPercent, failOpenMinimumHealthyTargets: 1,
    },
    bootSeconds: g.boot,
    warmStartSeconds: g.warmStart,
    requestsPerSecondPerInstance: g.rps,
    notes: [],
    ...overrides,
  };
}

const shape = fc.record({ kind: fc.constantFrom('tv-ad', 'step'), factor: fc.integer({ min: 2, max: 30 }) });
type Shape = typeof shape extends fc.Arbitrary<infer T> ? T : never;
const profileOf = (s: Shape, factor = s.factor) => s.kind === 'step' ? SpikeProfile.step({ factor, holdMinutes: 30 }) : SpikeProfile.tvAd({ factor });

function run(model: ScalingModel, profile: SpikeProfile): SpikeResult {
  return SpikeSimulation.fromModel(model).run(profile, { baselineRequestsPerSecond: 100 });
}

const minutes = (r: SpikeResult) => r.summary.minutesToAbsorb ?? Infinity;
const share = (r: SpikeResult) => r.summary.shareOfRequestsOverCapacity;

/**
 * `better` is no slower than `worse`, and lets no larger share of requests over capacity.
 *
 * Strictly for groups that keep overloaded instances (EC2 health checks, the library's default).
 * With ELB health checks the group replaces them, at most 10 % of desired at a time and not while
 * a launch is in progress (HEALTH_REPLACEMENT_SHARE_OF_DESIRED): that throttle ties the death
 * spiral to boot time and policy timing, so a longer boot can lose fewer instances (replacements
 * wait longer, overloaded instances keep serving). That is AWS's rule, not noise to hide: for
 * those groups the property is that any break of the order comes from a run that replaced live
 * instances, and the result says so (deathSpiral, instancesReplacedUnderOverload).
 */
function noWorse(better: SpikeResult, worse: SpikeResult, g: Group): void {
  const ordered = minutes(better) <= minutes(worse) && share(better) <= share(worse) + 1e-9;
  if (g.elb && !ordered) {
    expect(better.summary.deathSpiral || worse.summary.deathSpiral).toBe(true);
    return;
  }
  expect(minutes(better)).toBeLessThanOrEqual(minutes(worse));
  expect(share(better)).toBeLessThanOrEqual(share(worse) + 1e-9);
}

describe('spike simulator properties', () => {
  test('more max capacity is never slower', () => {
    fc.assert(fc.property(group, shape, fc.integer({ min: 1, max: 30 }), (g, s, more) => {
      const model = modelOf(g);
      noWorse(run({ ...model, maxCapacity: model.maxCapacity + more }, profileOf(s)), run(model, profileOf(s)), g);
    }), settings);
  });

  test('a longer boot is never faster', () => {
    fc.assert(fc.property(group, shape, fc.integer({ min: 1, max: 600 }), (g, s, longer) => {
      noWorse(run(modelOf(g), profileOf(s)), run(modelOf({ ...g, boot: g.boot + longer }), profileOf(s)), g);
    }), settings);
  });

  test('a bigger factor is never faster', () => {
    fc.assert(fc.property(group, shape, fc.integer({ min: 1, max: 20 }), (g, s, bigger) => {
      noWorse(run(modelOf(g), profileOf(s)), run(modelOf(g), profileOf(s, s.factor + bigger)), g);
    }), settings);
  });

  test('a warm pool is never slower', () => {
    fc.assert(fc.property(group, shape, fc.integer({ min: 0, max: 20 }), fc.constantFrom(SpikeWarmPoolState.STOPPED, SpikeWarmPoolState.RUNNING), (g, s, minSize, state) => {
      const model = modelOf(g);
      const pooled = { ...model, warmPool: { minSize: Math.min(minSize, model.maxCapacity), state } };
      noWorse(run(pooled, profileOf(s)), run(model, profileOf(s)), g);
    }), settings);
  });

  test('removing a scaling policy is never faster', () => {
    fc.assert(fc.property(group.filter(g => g.policies.length >= 2), shape, fc.nat(), (g, s, pick) => {
      const removed = g.policies[pick % g.policies.length];
      const fewer = { ...g, policies: g.policies.filter(p => p !== removed) };
      noWorse(run(modelOf(g), profileOf(s)), run(modelOf(fewer), profileOf(s)), g);
    }), settings);
  });

  test('enough starting capacity absorbs in 0, with no request over capacity', () => {
    fc.assert(fc.property(group, shape, (g, s) => {
      const min = Math.ceil(100 * s.factor / g.rps);
      const result = run(modelOf({ ...g, min, extraMax: Math.max(g.extraMax, 0) }), profileOf(s));
      expect(result.summary.minutesToAbsorb).toBe(0);
      expect(result.summary.shareOfRequestsOverCapacity).toBe(0);
    }), settings);
  });
});
