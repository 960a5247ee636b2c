import { Annotations, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Thrown at synth time when a prop (or a combination of props) cannot work.
 *
 * The message always names the construct path, the prop, the offending value and the fix, so the
 * user never has to wait for a CloudFormation rollback to learn what was wrong.
 */
export class TierValidationError extends Error {
  constructor(scope: IConstruct, prop: string, value: unknown, fix: string) {
    super(`${scope.node.path}: invalid ${prop} (${describe(value)}). ${fix}`);
    this.name = 'TierValidationError';
  }
}

/** Throws a {@link TierValidationError}. */
export function invalid(scope: IConstruct, prop: string, value: unknown, fix: string): never {
  throw new TierValidationError(scope, prop, value, fix);
}

/** True when a value is known at synth time (not a CloudFormation token). */
export function isResolved(value: unknown): boolean {
  return value !== undefined && !Token.isUnresolved(value);
}

/**
 * Adds a warning that users can acknowledge with
 * `Annotations.of(scope).acknowledgeWarning('cdk-web-tiers:<id>')`.
 */
export function warn(scope: IConstruct, id: string, message: string): void {
  Annotations.of(scope).addWarningV2(`cdk-web-tiers:${id}`, message);
}

/** Validates an integer that must lie in [min, max]; tokens are skipped. */
export function checkRange(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number, fix?: string): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isFinite(value) || value < min || value > max) {
    invalid(scope, prop, value, fix ?? `Use a number between ${min} and ${max}.`);
  }
}

/** Validates an integer that must be a whole number in [min, max]; tokens are skipped. */
export function checkInteger(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    invalid(scope, prop, value, `Use a whole number between ${min} and ${max}.`);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'not set';
  if (typeof value === 'string') return Token.isUnresolved(value) ? 'a token' : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? String(value);
}
