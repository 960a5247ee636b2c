import { IConstruct } from 'constructs';
import { checkInteger, invalid, isResolved } from '../common/validation';
import { TierCapacity } from './tier';

/** A capacity with every value decided. */
export interface ResolvedCapacity {
  readonly min: number;
  readonly max: number;
  readonly desired?: number;
  /** On-demand instances; Spot above them. Undefined: all on demand. */
  readonly baseline?: number;
}

/**
 * Applies defaults to a `TierCapacity` and checks min ≤ desired ≤ max.
 */
export function resolveCapacity(scope: IConstruct, capacity: TierCapacity | undefined, defaults: { min: number; max: number }): ResolvedCapacity {
  const min = capacity?.min ?? defaults.min;
  const max = capacity?.max ?? Math.max(defaults.max, isResolved(min) ? min : 0);
  const desired = capacity?.desired;
  checkInteger(scope, 'CWT115', 'capacity.min', min, 0, 10_000);
  checkInteger(scope, 'CWT116', 'capacity.max', max, 1, 10_000);
  checkInteger(scope, 'CWT117', 'capacity.desired', desired, 0, 10_000);
  if (isResolved(min) && isResolved(max) && min > max) {
    invalid(scope, 'CWT118', 'capacity.min', min, `It is greater than capacity.max (${max}): set min ≤ max, for example { min: ${max}, max: ${min} }.`);
  }
  if (desired !== undefined && isResolved(desired) && ((isResolved(min) && desired < min) || (isResolved(max) && desired > max))) {
    invalid(scope, 'CWT119', 'capacity.desired', desired, `It must lie between capacity.min (${min}) and capacity.max (${max}); or leave it unset so scaling decides.`);
  }
  const baseline = capacity?.baseline;
  checkInteger(scope, 'CWT120', 'capacity.baseline', baseline, 0, 10_000);
  if (baseline !== undefined && isResolved(baseline) && isResolved(max) && baseline > max) {
    invalid(scope, 'CWT121', 'capacity.baseline', baseline, `It is greater than capacity.max (${max}): the on-demand baseline is part of the group, so set baseline ≤ max.`);
  }
  return { min, max, desired, baseline };
}
