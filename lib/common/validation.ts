import { Annotations, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ErrorCode } from './error-codes';
import { describeValue, TierValidationError } from './errors';

export { TierValidationError } from './errors';
export type { ErrorCode } from './error-codes';

/**
 * Throws a {@link TierValidationError} with a stable code: the message names the construct path,
 * the prop, the offending value and the fix, so the user never has to wait for a CloudFormation
 * rollback to learn what was wrong.
 */
export function invalid(scope: IConstruct, code: ErrorCode, prop: string, value: unknown, fix: string): never;
export function invalid(scope: IConstruct, ...args: [ErrorCode, string, unknown, string] | [string, unknown, string]): never {
  const [code, prop, value, fix] = args.length === 4 ? args : ['', ...args];
  throw new TierValidationError(code, scope.node.path, prop as string, describe(value), fix);
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

/** Validates a number that must lie in [min, max]; tokens are skipped. */
export function checkRange(scope: IConstruct, code: ErrorCode, prop: string, value: number | undefined, min: number, max: number, fix?: string): void;
export function checkRange(scope: IConstruct, ...args: unknown[]): void {
  const [code, prop, value, min, max, fix] = (typeof args[1] === 'string' ? args : ['', ...args]) as [ErrorCode, string, number | undefined, number, number, string?];
  if (value === undefined || Token.isUnresolved(value)) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throwWith(scope, code, prop, value, fix ?? `Use a number between ${min} and ${max}.`);
  }
}

/** Validates a whole number in [min, max]; tokens are skipped. */
export function checkInteger(scope: IConstruct, code: ErrorCode, prop: string, value: number | undefined, min: number, max: number): void;
export function checkInteger(scope: IConstruct, ...args: unknown[]): void {
  const [code, prop, value, min, max] = (typeof args[1] === 'string' ? args : ['', ...args]) as [ErrorCode, string, number | undefined, number, number];
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throwWith(scope, code, prop, value, `Use a whole number between ${min} and ${max}.`);
  }
}

/** The primitive kinds a JavaScript or Python caller can get wrong; 'array' is an Array, 'object' any other non-null object. */
export type OptionKind = 'number' | 'string' | 'boolean' | 'object' | 'array' | 'function';

/**
 * Checks that a required option is given (for JavaScript and Python callers, which the compiler
 * does not check): undefined and null fail.
 */
export function requireProp<T>(scope: IConstruct | undefined, code: ErrorCode, prop: string, value: T | undefined | null, example?: string): asserts value is T {
  if (value === undefined || value === null) {
    throwWith(scope, code, prop, undefined, `It is required${example ? `: give it, for example ${example}` : '.'}`);
  }
}

/**
 * Checks an option's primitive type when it is given (undefined passes: combine with
 * {@link requireProp} for required options). Tokens pass as the type they stand for.
 */
export function checkType(scope: IConstruct | undefined, code: ErrorCode, prop: string, value: unknown, kind: OptionKind): void {
  if (value === undefined || isKind(value, kind)) return;
  throwWith(scope, code, prop, value, `Give ${article(kind)} ${kind}, not ${kindOf(value)}.`);
}

/**
 * Checks the top-level options of a props object in one call (scope undefined for static
 * factories: the error then names no construct): each entry names an option and its
 * kind, with a trailing '!' when it is required. Missing props (undefined or null) fail when any
 * option is required; null stands for "not set" in an optional option, as in `??` defaults. Codes: CWT101 (missing), CWT102 (wrong type), shared by every construct.
 *
 * @example checkOptions(this, 'props', props, { vpc: 'object!', appPort: 'number' })
 */
export function checkOptions(scope: IConstruct | undefined, what: string, options: unknown, spec: Record<string, `${OptionKind}` | `${OptionKind}!`>): void {
  const anyRequired = Object.values(spec).some((k) => k.endsWith('!'));
  if (options === undefined || options === null) {
    if (anyRequired) throwWith(scope, 'CWT101', what, undefined, `It is required: give ${what} with ${requiredNames(spec)}.`);
    return;
  }
  if (typeof options !== 'object' || Array.isArray(options)) {
    throwWith(scope, 'CWT102', what, options, `Give an object, not ${kindOf(options)}.`);
  }
  const prefix = what === 'props' ? '' : `${what}.`;
  for (const [key, kindSpec] of Object.entries(spec)) {
    const required = kindSpec.endsWith('!');
    const kind = (required ? kindSpec.slice(0, -1) : kindSpec) as OptionKind;
    const value: unknown = (options as Record<string, unknown>)[key];
    if (required) requireProp(scope, 'CWT101', prefix + key, value);
    if (value !== null) checkType(scope, 'CWT102', prefix + key, value, kind);
  }
}

function requiredNames(spec: Record<string, string>): string {
  return Object.entries(spec).filter(([, k]) => k.endsWith('!')).map(([n]) => n).join(', ');
}

function isKind(value: unknown, kind: OptionKind): boolean {
  switch (kind) {
    case 'array': return Array.isArray(value);
    case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value);
    default: return typeof value === kind;
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const t = typeof value;
  return `${article(t)} ${t}`;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

function throwWith(scope: IConstruct | undefined, code: ErrorCode | '', prop: string, value: unknown, fix: string): never {
  throw new TierValidationError(code, scope?.node.path ?? '', prop, describe(value), fix);
}

function describe(value: unknown): string {
  return describeValue(value, (s) => Token.isUnresolved(s));
}
