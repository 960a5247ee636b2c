/** Shared types of `npm run validate`. */

/** The eight validators, in table column order (deploy-rules: this package's own pack, scripts/validate/deploy-rules/). */
export const VALIDATORS = [
  'AwsSolutions',
  'NIST-800-53-R5',
  'HIPAA',
  'PCI-DSS-3.2.1',
  'cfn-guard (Control Tower)',
  'cfn-lint',
  'checkov',
  'deploy-rules',
] as const;

export type ValidatorName = (typeof VALIDATORS)[number];

/** One rule that one validator reports on one resource. */
export interface Finding {
  readonly validator: ValidatorName;
  /** Display name of the stack (its construct path, e.g. `KarmaLabs` or `Stage/Stack`). */
  readonly stack: string;
  /** Construct path of the resource, or '' when it is not known (template-level finding). */
  readonly constructPath: string;
  /** CloudFormation logical id, or '' for template-level findings. */
  readonly logicalId: string;
  readonly rule: string;
  /** Other ids of the same rule that an acknowledgement may use (cfn-guard: the guard rule name). */
  readonly ruleAliases?: readonly string[];
  readonly message: string;
}

/** An acknowledgement that is itself a problem: stale, or without an acceptable reason. */
export interface AcknowledgementProblem {
  readonly validator: ValidatorName | 'cdk-nag';
  /** Stack display name, or '' when the acknowledgement sits above every stack (e.g. on the App). */
  readonly stack: string;
  /** Where the acknowledgement is written (construct path, or `Stack/LogicalId`). */
  readonly location: string;
  readonly id: string;
  readonly problem: string;
}

/** What one validator found over the whole app. */
export interface ValidatorResult {
  readonly validator: ValidatorName;
  /** Findings that no acknowledgement covers. */
  readonly findings: Finding[];
  /** Findings the validator would report but that an acknowledgement covers. */
  readonly acknowledged: Finding[];
  readonly problems: AcknowledgementProblem[];
}

/** A stack of the synthesized assembly. */
export interface StackInfo {
  /** Construct path of the stack: the row label. */
  readonly name: string;
  /** Absolute path of its synthesized template. */
  readonly templateFile: string;
  /** Parsed template. */
  readonly template: CfnTemplate;
  /** logical id -> construct path of every CfnResource in the stack. */
  readonly constructPaths: ReadonlyMap<string, string>;
  /**
   * Where the stack deploys, as the cloud assembly says: `aws://<account>/<region>`, with
   * `unknown-account` / `unknown-region` for an environment-agnostic stack.
   */
  readonly environment?: string;
}

export interface CfnTemplate {
  readonly Metadata?: Record<string, unknown>;
  readonly Resources?: Record<string, { readonly Type?: string; readonly Metadata?: Record<string, unknown>; readonly Properties?: Record<string, unknown>; readonly [key: string]: unknown }>;
  readonly Parameters?: Record<string, { readonly Type?: string; readonly Default?: unknown; readonly [key: string]: unknown }>;
  readonly [key: string]: unknown;
}

/** Narrow an unknown JSON value to an object (or an empty one). */
export function obj(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Narrow an unknown JSON value to an array (or an empty one). */
export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Count occurrences of each key (a multiset). */
export function countKeys<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}
