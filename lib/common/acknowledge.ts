/**
 * One call to acknowledge a security finding, whichever tool reports it.
 *
 * Internal helper for the constructs of this library (and for examples); it is
 * not exported from `lib/index.ts` and is not part of the jsii API.
 *
 * `npm run validate` (scripts/validate.ts) reads exactly the shapes written here:
 *
 * | tool        | where the acknowledgement lives                                                           |
 * |-------------|--------------------------------------------------------------------------------------------|
 * | `cdk-nag`   | construct metadata `aws:cdk:acknowledged-rules` via `Validations.of(scope).acknowledge()`; |
 * |             | applies to `scope` and every resource below it                                             |
 * | `cfn-guard` | template `Metadata.guard.SuppressedRules: [id]` on the resource                            |
 * | `cfn-lint`  | template `Metadata.cfn-lint.config.ignore_checks: [id]` on the resource                    |
 * | `checkov`   | template `Metadata.checkov.skip: [{ id, comment: reason }]` on the resource                |
 *
 * cfn-guard and cfn-lint have no place for a reason, so for those two the reason is
 * also recorded in template `Metadata['cdk-web-tiers:acknowledgements'][tool][id]`,
 * which keeps the audit trail in the synthesized template.
 *
 * Template metadata is merged with whatever is already there, never overwritten.
 */
import { CfnResource, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { describeValue, TierValidationError } from './errors';
import { checkOptions } from './validation';

/** The tools whose findings can be acknowledged. */
export type AcknowledgedTool = 'cdk-nag' | 'cfn-guard' | 'cfn-lint' | 'checkov';

/** One acknowledged finding. */
export interface FindingAcknowledgement {
  /** The tool that reports the finding. */
  readonly tool: AcknowledgedTool;
  /**
   * The rule id as the tool prints it: `AwsSolutions-IAM5[Resource::*]`,
   * `CT.S3.PR.1` (or the guard rule name), `W3005`, `CKV_AWS_18`.
   */
  readonly id: string;
  /** Why the finding is acceptable here: a reason a security reviewer would accept. */
  readonly reason: string;
}

/** Reasons shorter than this are rejected (here, and by `npm run validate`). */
export const MIN_ACKNOWLEDGEMENT_REASON_LENGTH = 20;

/** Template metadata key under which reasons for cfn-guard and cfn-lint acknowledgements are kept. */
export const ACKNOWLEDGEMENT_REASONS_METADATA_KEY = 'cdk-web-tiers:acknowledgements';

/** Construct metadata type that `Validations.of(scope).acknowledge()` writes and cdk-nag 3 reads. */
export const NAG_ACKNOWLEDGED_RULES_METADATA_TYPE = 'aws:cdk:acknowledged-rules';

/**
 * Acknowledge a finding of `ack.tool` on `scope`.
 *
 * For `cdk-nag` any construct works (the acknowledgement covers every resource below it).
 * For the template-level tools `scope` must be a `CfnResource`, or a construct whose
 * `node.defaultChild` is one (any L2 resource).
 *
 * @throws if the id is empty, the reason is shorter than 20 characters, or no CfnResource can be found.
 */
export function acknowledgeFinding(scope: IConstruct, ack: FindingAcknowledgement): void {
  checkOptions(undefined, 'acknowledgeFinding', { scope, ack }, { scope: 'object!', ack: 'object!' });
  checkOptions(scope, 'acknowledgeFinding(ack)', ack, { tool: 'string!', id: 'string!', reason: 'string!' });
  const id = ack.id.trim();
  const reason = ack.reason.trim();
  if (id.length === 0) {
    throw new TierValidationError('CWT151', scope.node.path, 'acknowledgeFinding(ack).id', describeValue(ack.id), `acknowledgeFinding needs the ${ack.tool} rule id, got an empty string.`);
  }
  if (reason.length < MIN_ACKNOWLEDGEMENT_REASON_LENGTH) {
    throw new TierValidationError('CWT152', scope.node.path, 'acknowledgeFinding(ack).reason', describeValue(ack.reason),
      `acknowledging ${ack.tool} ${id} needs a reason of at least ${MIN_ACKNOWLEDGEMENT_REASON_LENGTH} characters ` +
        '(a reason a security reviewer would accept).',
    );
  }

  switch (ack.tool) {
    case 'cdk-nag':
      acknowledgeNag(scope, id, reason);
      return;
    case 'cfn-guard': {
      const resource = cfnResourceOf(scope, ack.tool);
      const guard = objectOrEmpty(resource.getMetadata('guard'));
      resource.addMetadata('guard', { ...guard, SuppressedRules: appendUnique(guard.SuppressedRules, id) });
      recordReason(resource, ack.tool, id, reason);
      return;
    }
    case 'cfn-lint': {
      const resource = cfnResourceOf(scope, ack.tool);
      const lint = objectOrEmpty(resource.getMetadata('cfn-lint'));
      const config = objectOrEmpty(lint.config);
      resource.addMetadata('cfn-lint', { ...lint, config: { ...config, ignore_checks: appendUnique(config.ignore_checks, id) } });
      recordReason(resource, ack.tool, id, reason);
      return;
    }
    case 'checkov': {
      const resource = cfnResourceOf(scope, ack.tool);
      const checkov = objectOrEmpty(resource.getMetadata('checkov'));
      const skip: unknown[] = Array.isArray(checkov.skip) ? [...checkov.skip] : [];
      if (!skip.some((s) => objectOrEmpty(s).id === id)) {
        skip.push({ id, comment: reason });
      }
      resource.addMetadata('checkov', { ...checkov, skip });
      return;
    }
    default:
      throw new TierValidationError('CWT153', scope.node.path, 'acknowledgeFinding(ack).tool', describeValue((ack as { tool: unknown }).tool),
        "Unknown tool: use 'cdk-nag', 'cfn-guard', 'cfn-lint' or 'checkov'.");
  }
}

function acknowledgeNag(scope: IConstruct, id: string, reason: string): void {
  // Validations.acknowledge treats '::' as "prefix::rule" and rejects ids with more than one
  // (cdk-nag finding ids such as `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::b/*]`
  // have several). For those, write the same metadata entry Validations would write, keyed by
  // the bare id, which is what cdk-nag compares against.
  if (id.split('::').length <= 2) {
    Validations.of(scope).acknowledge({ id, reason });
    return;
  }
  const previous = scope.node.metadata.filter((m) => m.type === NAG_ACKNOWLEDGED_RULES_METADATA_TYPE);
  const last = previous.length > 0 ? objectOrEmpty(previous[previous.length - 1].data) : {};
  scope.node.addMetadata(NAG_ACKNOWLEDGED_RULES_METADATA_TYPE, { ...last, [id]: reason });
}

function cfnResourceOf(scope: IConstruct, tool: AcknowledgedTool): CfnResource {
  if (CfnResource.isCfnResource(scope)) {
    return scope;
  }
  const child = scope.node.defaultChild;
  if (child && CfnResource.isCfnResource(child)) {
    return child;
  }
  throw new TierValidationError('CWT154', scope.node.path, 'acknowledgeFinding(scope)', describeValue(scope.node.path),
    `${tool} acknowledgements are CloudFormation resource metadata, so the scope must be a CfnResource ` +
      'or a construct whose node.defaultChild is one; pass the L2/L1 resource that the finding names.',
  );
}

function recordReason(resource: CfnResource, tool: AcknowledgedTool, id: string, reason: string): void {
  const all = objectOrEmpty(resource.getMetadata(ACKNOWLEDGEMENT_REASONS_METADATA_KEY));
  const forTool = objectOrEmpty(all[tool]);
  if (forTool[id] !== undefined) {
    return;
  }
  resource.addMetadata(ACKNOWLEDGEMENT_REASONS_METADATA_KEY, { ...all, [tool]: { ...forTool, [id]: reason } });
}

function appendUnique(existing: unknown, id: string): unknown[] {
  const list: unknown[] = Array.isArray(existing) ? [...existing] : existing === undefined ? [] : [existing];
  if (!list.includes(id)) {
    list.push(id);
  }
  return list;
}

function objectOrEmpty(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * Acknowledges several findings for one reason, each id routed to its tool by its shape:
 * `CKV_…` checkov, `CT.…` cfn-guard (Control Tower), `E1234`/`W1234` cfn-lint, anything else cdk-nag
 * (`AwsSolutions-…`, `NIST.800.53.R5-…`, `HIPAA.Security-…`, `PCI.DSS.321-…`).
 */
export function acknowledgeFindings(scope: IConstruct, reason: string, ...ids: string[]): void {
  for (const id of ids) {
    const tool: AcknowledgedTool = id.startsWith('CKV_') ? 'checkov'
      : id.startsWith('CT.') ? 'cfn-guard'
        : /^[EWI]\d{4}$/.test(id) ? 'cfn-lint'
          : 'cdk-nag';
    acknowledgeFinding(scope, { tool, id, reason });
  }
}

/** The same rule in the three compliance packs that share most rule names. */
export function compliancePacks(rule: string): string[] {
  return [`NIST.800.53.R5-${rule}`, `HIPAA.Security-${rule}`, `PCI.DSS.321-${rule}`];
}
