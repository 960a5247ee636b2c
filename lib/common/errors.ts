// No aws-cdk-lib import here: the spike model (pure) and the CLI use this file too.
import { ERROR_CODES, ErrorCode } from './error-codes';

/** The prefix of a message whose error has no construct (a static factory, a cron expression, a profile). */
const NO_CONSTRUCT = 'cdk-web-tiers';

/**
 * The one error cdk-web-tiers throws for input that cannot work: a missing or mistyped option, a
 * value out of range, or a combination of props that AWS or the instance would refuse later.
 *
 * Its message reads `[CWTnnn] <construct path>: invalid <prop> (<value>). <fix>`; `code` is stable
 * (once published it never changes meaning) and README.md lists every code.
 */
export class TierValidationError extends Error {
  /** Tells a TierValidationError from any other error, across copies of the library. */
  public static isTierValidationError(x: unknown): x is TierValidationError {
    return x instanceof TierValidationError || (typeof x === 'object' && x !== null && (x as { name?: unknown }).name === 'TierValidationError'
      && typeof (x as { code?: unknown }).code === 'string');
  }

  /** The stable code, `CWT` and three digits (see ERROR_CODES). */
  public readonly code: string;
  /** The path of the construct whose input is wrong, '' when no construct is involved. */
  public readonly constructPath: string;
  /** The option (prop or method argument) that is wrong, for example `capacity.min`. */
  public readonly prop: string;
  /** The wrong value as the message shows it (`not set` when it is missing). */
  public readonly value: string;
  /** What to do instead. */
  public readonly fix: string;

  constructor(code: string, constructPath: string, prop: string, value: string, fix: string) {
    super(`${code ? `[${code}] ` : ''}${constructPath || NO_CONSTRUCT}: invalid ${prop} (${value}). ${fix}`);
    this.name = 'TierValidationError';
    this.code = code;
    this.constructPath = constructPath;
    this.prop = prop;
    this.value = value;
    this.fix = fix;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** The description of a code, undefined for a code that does not exist. */
export function describeErrorCode(code: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, code) ? ERROR_CODES[code as ErrorCode] : undefined;
}

/**
 * Describes a value for a message: `not set` for undefined, strings quoted, numbers and booleans as
 * they are, anything else as JSON. `isToken` lets callers with aws-cdk-lib say `a token`.
 */
export function describeValue(value: unknown, isToken?: (s: string) => boolean): string {
  if (value === undefined) return 'not set';
  if (typeof value === 'string') return isToken?.(value) ? 'a token' : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Throws a TierValidationError that names no construct (static factories, cron parsing, profiles). */
export function invalidInput(code: ErrorCode, prop: string, value: unknown, fix: string): never {
  throw new TierValidationError(code, '', prop, describeValue(value), fix);
}

/**
 * Questions about the errors cdk-web-tiers throws, for every language (the error class itself is
 * not part of the jsii API, since jsii cannot expose a subclass of Error; TypeScript users may
 * catch it as an Error and read its `code`, `constructPath`, `prop`, `value` and `fix`).
 *
 * A validation error's message reads `[CWTnnn] <construct path>: invalid <prop> (<value>). <fix>`.
 */
export class TierErrors {
  /** True when `x` is a validation error thrown by cdk-web-tiers. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any value a caller caught (jsii: any)
  public static isTierValidationError(x: any): boolean {
    return TierValidationError.isTierValidationError(x);
  }

  /** The stable code (`CWT` and three digits) of a cdk-web-tiers validation error, undefined for any other value. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any value a caller caught (jsii: any)
  public static codeOf(x: any): string | undefined {
    return TierValidationError.isTierValidationError(x) ? x.code : undefined;
  }

  /** What a code means, undefined for a code that does not exist. */
  public static describe(code: string): string | undefined {
    return describeErrorCode(code);
  }

  /** Every code, sorted. */
  public static codes(): string[] {
    return Object.keys(ERROR_CODES).sort();
  }

  private constructor() {}
}
