import {
  SpikeAdjustmentType, SpikeComparison, SpikeHealthCheckType, SpikeMetric, SpikeProfile, SpikeSimulation, SpikeWarmPoolState,
} from '../../lib';
import { cpuTrackingModel, desiredChanges } from './models';

const step15 = SpikeProfile.step({ factor: 15, holdMinutes: 60 });
const spikeStart = step15.spikeStartSeconds;

describe('target tracking on CPU', () => {
  // Target tracking alarms need 3 datapoints (target-tracking-scaling-policy-overview.html), and each
  // datapoint is usable 120 s after its minute ends (METRIC_PUBLICATION_DELAY_SECONDS: ELB and EC2
  // send one-minute data; AWS documents no availability delay, the model takes the pessimistic end).
  test('scales out no earlier than 3 one-minute datapoints plus the publication delay after the spike', () => {
    const result = SpikeSimulation.fromModel(cpuTrackingModel()).run(step15);
    expect(result.summary.firstScaleOutSeconds).toBeGreaterThanOrEqual(180 + 120);
    expect(result.summary.firstScaleOutSeconds).toBeLessThan(240 + 120);
  });

  test('the publication delay is an input: 0 gives the undelayed alarm', () => {
    const result = SpikeSimulation.fromModel(cpuTrackingModel({ metricPublicationDelaySeconds: 0 })).run(step15);
    expect(result.summary.firstScaleOutSeconds).toBeGreaterThanOrEqual(180);
    expect(result.summary.firstScaleOutSeconds).toBeLessThan(240);
  });

  test('with basic monitoring, no earlier than 3 five-minute datapoints', () => {
    const model = cpuTrackingModel({ detailedMonitoring: false });
    const result = SpikeSimulation.fromModel({ ...model, targetTracking: [{ ...model.targetTracking[0], metric: { metric: SpikeMetric.CPU_UTILIZATION, periodSeconds: 300 } }] })
      .run(step15);
    expect(result.summary.firstScaleOutSeconds).toBeGreaterThanOrEqual(900);
  });

  test('at most doubles the serving fleet per cycle, because CPU saturates at 100 %', () => {
    const result = SpikeSimulation.fromModel(cpuTrackingModel()).run(step15);
    const changes = desiredChanges(result.samples).filter(c => c.seconds >= spikeStart && c.to > c.from);
    expect(changes.length).toBeGreaterThanOrEqual(3);
    for (const c of changes) {
      const inService = result.samples.find(s => s.seconds === c.seconds - 10)!.inService;
      expect(c.to).toBeLessThanOrEqual(2 * inService);
    }
    // 2 → 4 → 8 → 16 → 30: four cycles of alarm, boot and warm-up.
    expect(result.summary.minutesToAbsorb).toBeGreaterThan(15);
  });

  test('request count per target reaches the needed size in one action', () => {
    const model = cpuTrackingModel({
      targetTracking: [{ name: 'Requests', metric: { metric: SpikeMetric.REQUEST_COUNT_PER_TARGET, periodSeconds: 60 }, targetValue: 60 * 70, disableScaleIn: false }],
    });
    const result = SpikeSimulation.fromModel(model).run(step15);
    const first = desiredChanges(result.samples).find(c => c.seconds >= spikeStart)!;
    // 1500 requests/s at 70 requests/s per instance: 22 instances, at once.
    expect(first.to).toBe(22);
    // 3 datapoints + 120 s delay, 120 s boot, one passing check within 15 s.
    expect(result.summary.minutesToAbsorb).toBeLessThanOrEqual(7.5);
    // A late datapoint is applied to the fleet of its own period: no second action on stale data.
    expect(result.summary.peakInstances).toBe(22);
  });

  test('scales in only after 15 datapoints below the target', () => {
    // 5 minutes at 100 requests/s, 20 at 400, then 40 back at 100.
    const rows = [...Array(5).fill(6000), ...Array(20).fill(24000), ...Array(40).fill(6000)];
    const profile = SpikeProfile.fromCsv(rows.map((r, i) => `${i},${r}`).join('\n'));
    const result = SpikeSimulation.fromModel(cpuTrackingModel()).run(profile);
    const changes = desiredChanges(result.samples);
    const firstIn = changes.find(c => c.to < c.from);
    expect(firstIn).toBeDefined();
    const lastOut = changes.filter(c => c.to > c.from && c.seconds < firstIn!.seconds).pop()!;
    // The last scale-out read a datapoint above the target; 15 newer datapoints below 90 % of it must follow.
    expect(firstIn!.seconds - lastOut.seconds).toBeGreaterThanOrEqual(15 * 60);
  });
});

describe('step and simple scaling', () => {
  const cpuAlarm = { metric: { metric: SpikeMetric.CPU_UTILIZATION, periodSeconds: 60 }, threshold: 70, comparison: SpikeComparison.GREATER_THAN_OR_EQUAL, evaluationPeriods: 1, datapointsToAlarm: 1 };

  test('a +400 % step on a one-datapoint alarm multiplies the fleet by five after one minute and the delay', () => {
    const model = cpuTrackingModel({
      targetTracking: [],
      stepScaling: [{ name: 'Step', alarm: cpuAlarm, adjustmentType: SpikeAdjustmentType.PERCENT_CHANGE_IN_CAPACITY, steps: [{ lowerBound: 0, adjustment: 400 }] }],
    });
    const result = SpikeSimulation.fromModel(model).run(step15);
    const first = desiredChanges(result.samples).find(c => c.seconds >= spikeStart)!;
    expect(first.seconds - spikeStart).toBeLessThanOrEqual(60 + 120 + 10);
    expect(first.to).toBe(10);
  });

  test('a repeated alarm adds only what exceeds the capacity already warming up', () => {
    const model = cpuTrackingModel({
      targetTracking: [],
      stepScaling: [{ name: 'Step', alarm: cpuAlarm, adjustmentType: SpikeAdjustmentType.CHANGE_IN_CAPACITY, steps: [{ lowerBound: 0, adjustment: 4 }] }],
    });
    const result = SpikeSimulation.fromModel(model).run(step15);
    const changes = desiredChanges(result.samples).filter(c => c.seconds >= spikeStart);
    // The alarm fires every minute, but the base excludes the warming instances: 2 + 4 = 6 until they are warm.
    expect(changes[0].to).toBe(6);
    const warm = model.bootSeconds + model.defaultInstanceWarmupSeconds!;
    expect(changes[1].seconds - changes[0].seconds).toBeGreaterThanOrEqual(warm);
  });

  test('simple scaling honours its cooldown after the instances are in service', () => {
    const model = cpuTrackingModel({
      targetTracking: [],
      simpleScaling: [{ name: 'Simple', alarm: cpuAlarm, adjustmentType: SpikeAdjustmentType.CHANGE_IN_CAPACITY, adjustment: 2, cooldownSeconds: 300 }],
    });
    const result = SpikeSimulation.fromModel(model).run(step15);
    const outs = desiredChanges(result.samples).filter(c => c.seconds >= spikeStart && c.to > c.from);
    expect(outs.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < outs.length; i++) {
      expect(outs[i].seconds - outs[i - 1].seconds).toBeGreaterThanOrEqual(model.bootSeconds + 300);
    }
  });
});

describe('warm pools', () => {
  const stepModel = () => cpuTrackingModel({
    targetTracking: [],
    stepScaling: [{
      name: 'Step',
      alarm: { metric: { metric: SpikeMetric.CPU_UTILIZATION, periodSeconds: 60 }, threshold: 70, comparison: SpikeComparison.GREATER_THAN_OR_EQUAL, evaluationPeriods: 1, datapointsToAlarm: 1 },
      adjustmentType: SpikeAdjustmentType.PERCENT_CHANGE_IN_CAPACITY,
      steps: [{ lowerBound: 0, adjustment: 1000 }],
    }],
    maxCapacity: 30,
  });

  test('instances from a stopped warm pool serve sooner than cold launches', () => {
    const cold = SpikeSimulation.fromModel(stepModel()).run(step15);
    const warm = SpikeSimulation.fromModel({ ...stepModel(), warmPool: { minSize: 20, state: SpikeWarmPoolState.STOPPED } }).run(step15);
    expect(warm.summary.minutesToAbsorb).toBeLessThan(cold.summary.minutesToAbsorb!);
    expect(warm.summary.shareOfRequestsOverCapacity).toBeLessThan(cold.summary.shareOfRequestsOverCapacity);
  });

  test('a running pool is faster still, and costs instance-hours while it waits', () => {
    const stopped = SpikeSimulation.fromModel({ ...stepModel(), warmPool: { minSize: 20, state: SpikeWarmPoolState.STOPPED } }).run(step15);
    const running = SpikeSimulation.fromModel({ ...stepModel(), warmStartSeconds: 0, warmPool: { minSize: 20, state: SpikeWarmPoolState.RUNNING } }).run(step15);
    expect(running.summary.minutesToAbsorb).toBeLessThanOrEqual(stopped.summary.minutesToAbsorb!);
    expect(running.summary.instanceHours).toBeGreaterThan(stopped.summary.instanceHours);
  });
});

describe('overload and health checks', () => {
  test('ELB health checks replace overloaded instances: the death spiral', () => {
    const result = SpikeSimulation.fromModel(cpuTrackingModel({ healthCheckType: SpikeHealthCheckType.ELB })).run(step15);
    expect(result.summary.deathSpiral).toBe(true);
    expect(result.summary.instancesReplacedUnderOverload).toBeGreaterThan(0);
  });

  test('EC2 health checks keep overloaded instances alive', () => {
    const result = SpikeSimulation.fromModel(cpuTrackingModel({ healthCheckType: SpikeHealthCheckType.EC2 })).run(step15);
    expect(result.summary.deathSpiral).toBe(false);
  });

  test('no spiral when demand stays within capacity', () => {
    const result = SpikeSimulation.fromModel(cpuTrackingModel({ healthCheckType: SpikeHealthCheckType.ELB }))
      .run(SpikeProfile.step({ factor: 1.8 }));
    expect(result.summary.deathSpiral).toBe(false);
    expect(result.summary.minutesToAbsorb).toBe(0);
  });

  test('failing open spreads the load over every target instead of the few healthy ones', () => {
    const base = cpuTrackingModel({ healthCheckType: SpikeHealthCheckType.EC2 });
    const closed = SpikeSimulation.fromModel(base).run(step15);
    const open = SpikeSimulation.fromModel({ ...base, targetGroup: { ...base.targetGroup!, failOpenHealthyPercentage: 100 } }).run(step15);
    expect(open.summary.shareOfRequestsUnserved).toBeLessThan(closed.summary.shareOfRequestsUnserved);
  });
});

describe('limits and schedules', () => {
  test('minutesToAbsorb is undefined when maxCapacity is below the need, and the notes say so', () => {
    const result = SpikeSimulation.fromModel(cpuTrackingModel({ maxCapacity: 10 })).run(step15);
    expect(result.summary.minutesToAbsorb).toBeUndefined();
    expect(result.summary.maxCapacityReached).toBe(true);
    expect(result.notes.join('\n')).toMatch(/maxCapacity \(10\).*needs 15/);
  });

  test('a scheduled action before the spike has the capacity ready', () => {
    const model = cpuTrackingModel({
      scheduledActions: [{ name: 'PreScale', startTime: '2026-03-01T19:45:00Z', minCapacity: 20, desiredCapacity: 20 }],
    });
    const result = SpikeSimulation.fromModel(model).run(step15, { spikeStartsAt: '2026-03-01T20:00:00Z' });
    expect(result.summary.minutesToAbsorb).toBe(0);
    const without = SpikeSimulation.fromModel(model).run(step15);
    expect(without.summary.minutesToAbsorb).toBeGreaterThan(0);
    expect(without.notes.join('\n')).toMatch(/1 scheduled action\(s\) left out/);
  });

  // SCHEDULED_ACTION_DELAY_SECONDS: actions may run up to two minutes late; the model takes two.
  test('a recurring action fires two minutes after its cron minute during the run', () => {
    const model = cpuTrackingModel({
      scheduledActions: [{ name: 'Evening', recurrence: '58 19 * * *', startTime: '2026-03-01T00:00:00Z', desiredCapacity: 20, minCapacity: 20 }],
    });
    const result = SpikeSimulation.fromModel(model).run(step15, { spikeStartsAt: '2026-03-01T20:00:00Z' });
    const change = desiredChanges(result.samples)[0];
    expect(change.seconds).toBe(spikeStart - 120 + 120);
    expect(change.to).toBe(20);
  });
});

describe('bad input', () => {
  test('a factor of 1 or less', () => {
    expect(() => SpikeProfile.tvAd({ factor: 1 })).toThrow(/invalid factor \(1\).*above 1/);
    expect(() => SpikeProfile.step({ factor: 0.5 })).toThrow(/invalid factor/);
  });

  test('a negative or zero per-instance capacity', () => {
    expect(() => SpikeSimulation.fromModel(cpuTrackingModel({ requestsPerSecondPerInstance: -5 }))).toThrow(/invalid requestsPerSecondPerInstance \(-5\)/);
    expect(() => SpikeSimulation.fromModel(cpuTrackingModel({ minCapacity: -1 }))).toThrow(/invalid minCapacity \(-1\)/);
  });

  test('a warm pool larger than the group maximum', () => {
    expect(() => SpikeSimulation.fromModel(cpuTrackingModel({ maxCapacity: 10, warmPool: { minSize: 12, state: SpikeWarmPoolState.STOPPED } })))
      .toThrow(/invalid warmPool.minSize \(12\). It is larger than the group's maxCapacity \(10\)/);
  });

  test('a CSV with a missing minute or an empty value', () => {
    expect(() => SpikeProfile.fromCsv('timestamp,requests\n2026-03-01T20:00:00Z,100\n2026-03-01T20:02:00Z,900\n'))
      .toThrow(/line 3: a gap of 120 seconds/);
    expect(() => SpikeProfile.fromCsv('0,100\n1,\n2,300\n')).toThrow(/line 2.*Fill the minute in/);
  });

  test('a step that does not divide a minute', () => {
    expect(() => SpikeSimulation.fromModel(cpuTrackingModel()).run(step15, { stepSeconds: 7 })).toThrow(/invalid stepSeconds \(7\)/);
  });
});

describe('profiles', () => {
  test('a CSV of requests per minute is replayed as absolute demand', () => {
    const profile = SpikeProfile.fromCsv('minute,requests\n0,6000\n1,6000\n2,90000\n3,90000\n');
    expect(profile.spikeStartSeconds).toBe(120);
    expect(profile.requestsPerSecondAt(30, 1)).toBe(100);
    expect(profile.requestsPerSecondAt(150, 1)).toBe(1500);
  });

  test('stages for a load generator cover the whole profile', () => {
    const profile = SpikeProfile.tvAd({ factor: 15 });
    const stages = profile.toStages(100);
    expect(stages.reduce((s, x) => s + x.durationSeconds, 0)).toBeGreaterThanOrEqual(profile.durationSeconds);
    expect(Math.max(...stages.map(s => s.endRequestsPerSecond))).toBe(1500);
  });
});
