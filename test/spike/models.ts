/** Hand-written scaling models for the simulator tests. */
import { ScalingModel, SpikeHealthCheckType, SpikeMetric } from '../../lib';

/** A 2-instance group with CPU target tracking at 50 %, detailed monitoring and an ALB target group. */
export function cpuTrackingModel(overrides: Partial<ScalingModel> = {}): ScalingModel {
  return {
    name: 'Test',
    minCapacity: 2,
    maxCapacity: 100,
    desiredCapacity: 2,
    healthCheckType: SpikeHealthCheckType.EC2,
    healthCheckGraceSeconds: 300,
    cooldownSeconds: 300,
    defaultInstanceWarmupSeconds: 180,
    detailedMonitoring: true,
    targetTracking: [{ name: 'Cpu', metric: { metric: SpikeMetric.CPU_UTILIZATION, periodSeconds: 60 }, targetValue: 50, disableScaleIn: false }],
    stepScaling: [],
    simpleScaling: [],
    scheduledActions: [],
    targetGroup: {
      intervalSeconds: 15, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 3,
      slowStartSeconds: 0, failOpenMinimumHealthyTargets: 1,
    },
    bootSeconds: 120,
    warmStartSeconds: 40,
    requestsPerSecondPerInstance: 100,
    notes: [],
    ...overrides,
  };
}

/** Seconds (since the profile's start) at which desired capacity changed, with the new value. */
export function desiredChanges(samples: Array<{ seconds: number; desired: number }>): Array<{ seconds: number; from: number; to: number }> {
  const changes: Array<{ seconds: number; from: number; to: number }> = [];
  for (let i = 1; i < samples.length; i++) {
    if (samples[i].desired !== samples[i - 1].desired) changes.push({ seconds: samples[i].seconds, from: samples[i - 1].desired, to: samples[i].desired });
  }
  return changes;
}
