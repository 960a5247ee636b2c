/** Alarm evaluation and adjustments, as CloudWatch and Auto Scaling apply them (constants.ts). */
import { ALARM_AUTO_SCALING_REPEAT_SECONDS } from './constants';
import { SpikeAdjustmentType, SpikeAlarmModel, SpikeComparison } from './model';

/** An alarm's state across evaluations. */
export interface AlarmState {
  inAlarm: boolean;
  lastInvokedAt: number;
}

/** A fresh alarm state (OK, never invoked). */
export function newAlarmState(): AlarmState {
  return { inAlarm: false, lastInvokedAt: -Infinity };
}

/**
 * Records an evaluation; true when the alarm's Auto Scaling action runs now: on the change to
 * ALARM, then once a minute while it stays there (ALARM_AUTO_SCALING_REPEAT_SECONDS).
 */
export function alarmFires(state: AlarmState, breaching: boolean, t: number): boolean {
  const changed = breaching !== state.inAlarm;
  state.inAlarm = breaching;
  if (!breaching) return false;
  if (changed || t - state.lastInvokedAt >= ALARM_AUTO_SCALING_REPEAT_SECONDS) {
    state.lastInvokedAt = t;
    return true;
  }
  return false;
}

/** Whether the alarm is breaching on its last datapoints (newest first), and the newest value. */
export function evaluateAlarm(alarm: SpikeAlarmModel, datapoints: Array<number | undefined>): { breaching: boolean; value?: number } {
  const breaches = datapoints.filter(v => v !== undefined && compare(v, alarm.comparison, alarm.threshold)).length;
  return { breaching: breaches >= alarm.datapointsToAlarm, value: datapoints[0] };
}

/** The alarm's comparison. */
export function compare(value: number, comparison: SpikeComparison, threshold: number): boolean {
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
