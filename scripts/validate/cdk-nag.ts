/**
 * cdk-nag 3 packs, run directly on the construct tree (`pack.validateScope(app)`): on
 * aws-cdk-lib 2.257 the `Validations.of(app).addPlugins(pack)` route checks nothing.
 *
 * Acknowledged findings are counted exactly: cdk-nag decides per (resource, rule) through its
 * `isAcknowledged(resource, ruleId)` method, which it only calls for a non-compliant resource.
 * We wrap that method on each pack instance and record every call that returns true; that is
 * precisely the set of findings an acknowledgement hid. The same hook tells which acknowledgement
 * (construct + id) was used, so acknowledgements that hid nothing are reported as stale.
 */
import { App, CfnResource } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { MIN_ACKNOWLEDGEMENT_REASON_LENGTH, NAG_ACKNOWLEDGED_RULES_METADATA_TYPE } from '../../lib/common/acknowledge';
import { AckOrigin, ackOriginKey } from './cloud-assembly';
import { Finding, StackInfo, ValidatorName, ValidatorResult, obj } from './model';

interface PackSpec {
  readonly validator: ValidatorName;
  readonly prefix: string;
  readonly create: () => NagPack;
}

export const NAG_PACKS: readonly PackSpec[] = [
  { validator: 'AwsSolutions', prefix: 'AwsSolutions-', create: () => new AwsSolutionsChecks() },
  { validator: 'NIST-800-53-R5', prefix: 'NIST.800.53.R5-', create: () => new NIST80053R5Checks() },
  { validator: 'HIPAA', prefix: 'HIPAA.Security-', create: () => new HIPAASecurityChecks() },
  { validator: 'PCI-DSS-3.2.1', prefix: 'PCI.DSS.321-', create: () => new PCIDSS321Checks() },
];

/** An acknowledgement written with `Validations.of(construct).acknowledge()` for one of our packs. */
interface NagAck {
  readonly construct: IConstruct;
  readonly id: string;
  readonly reason: string;
  used: boolean;
}

type IsAcknowledged = (resource: CfnResource, ruleId: string) => boolean;

/** Options for an app rebuilt from a cloud assembly (see cloud-assembly.ts). */
export interface CdkNagOptions {
  /** (construct path, rule id) of each copied acknowledgement -> where the user wrote it: copies count as one. */
  readonly ackOrigins?: ReadonlyMap<string, AckOrigin>;
}

export function runCdkNag(app: App, stacks: readonly StackInfo[], options: CdkNagOptions = {}): ValidatorResult[] {
  const acks = collectAcks(app);
  const stackOf = stackResolver(stacks);

  const results = NAG_PACKS.map((spec): ValidatorResult => {
    const pack = spec.create();
    const acknowledged: Finding[] = [];
    const internals = pack as unknown as { isAcknowledged?: IsAcknowledged };
    if (typeof internals.isAcknowledged !== 'function') {
      throw new Error('cdk-nag no longer has NagPack.isAcknowledged(resource, ruleId); update scripts/validate/cdk-nag.ts for this cdk-nag version');
    }
    const original = internals.isAcknowledged.bind(pack);
    internals.isAcknowledged = (resource, ruleId) => {
      const hidden = original(resource, ruleId);
      if (hidden) {
        acknowledged.push(finding(spec.validator, stackOf(resource.node.path), resource.node.path, ruleId, ''));
        markUsed(acks, resource, ruleId);
      }
      return hidden;
    };

    const report = pack.validateScope(app);
    const findings: Finding[] = [];
    for (const violation of report.violations) {
      for (const resource of violation.violatingResources) {
        const path = resource.constructPath ?? '';
        findings.push(finding(spec.validator, stackOf(path), path, violation.ruleName, withoutControlIds(violation.description)));
      }
    }
    return { validator: spec.validator, findings, acknowledged, problems: [] };
  });

  // Acknowledgement problems, attributed to the pack whose prefix the id carries. Copies of one
  // acknowledgement (an app rebuilt from a cloud assembly) are one acknowledgement, used if any copy is.
  const written = new Map<string, { ack: NagAck; stack: string; location: string; used: boolean }>();
  for (const ack of acks.values()) {
    const origin = options.ackOrigins?.get(ackOriginKey(ack.construct.node.path, ack.id));
    const stack = origin?.stack ?? stackOf(ack.construct.node.path).name;
    const location = origin?.location ?? (ack.construct.node.path || '(app)');
    const key = `${stack}\u0000${location}\u0000${ack.id}`;
    const seen = written.get(key);
    written.set(key, { ack, stack, location, used: ack.used || (seen?.used ?? false) });
  }
  for (const { ack, stack, location, used } of written.values()) {
    const spec = NAG_PACKS.find((p) => ack.id.startsWith(p.prefix));
    const result = results.find((r) => r.validator === spec?.validator);
    if (!spec || !result) {
      continue;
    }
    const base = { validator: spec.validator, stack, location, id: ack.id };
    if (!used) {
      result.problems.push({ ...base, problem: 'stale: acknowledges a finding that the pack does not report here' });
    }
    if (ack.reason.trim().length < MIN_ACKNOWLEDGEMENT_REASON_LENGTH) {
      result.problems.push({ ...base, problem: `reason shorter than ${MIN_ACKNOWLEDGEMENT_REASON_LENGTH} characters: ${JSON.stringify(ack.reason)}` });
    }
  }
  return results;

  function finding(validator: ValidatorName, stack: { name: string; logicalIdOf: (p: string) => string }, constructPath: string, rule: string, message: string): Finding {
    return { validator, stack: stack.name, constructPath, logicalId: stack.logicalIdOf(constructPath), rule, message };
  }
}

/** The compliance packs end each description with ' - (Control IDs: ...).'; the rule id already says which. */
function withoutControlIds(description: string): string {
  const cut = description.indexOf(' - (Control ID');
  return cut >= 0 ? description.slice(0, cut) : description;
}

/** Acknowledgements for our four packs on every construct, keyed by construct path + id. */
function collectAcks(root: IConstruct): Map<string, NagAck> {
  const acks = new Map<string, NagAck>();
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== NAG_ACKNOWLEDGED_RULES_METADATA_TYPE) {
        continue;
      }
      for (const [key, reason] of Object.entries(obj(entry.data))) {
        // aws-cdk-lib < 2.262.1 stores 'annotation::<id>', later versions 'Annotation::<id>' (cdk-nag strips both).
        const id = key.replace(/^annotation::/i, '');
        if (NAG_PACKS.some((p) => id.startsWith(p.prefix))) {
          acks.set(ackKey(construct, id), { construct, id, reason: typeof reason === 'string' ? reason : '', used: false });
        }
      }
    }
  }
  return acks;
}

/** Mark the acknowledgement cdk-nag used: the nearest one on the resource or an ancestor (its own search order). */
function markUsed(acks: Map<string, NagAck>, resource: IConstruct, ruleId: string): void {
  for (let current: IConstruct | undefined = resource; current; current = current.node.scope) {
    const ack = acks.get(ackKey(current, ruleId));
    if (ack) {
      ack.used = true;
      return;
    }
  }
}

function ackKey(construct: IConstruct, id: string): string {
  return `${construct.node.path}\u0000${id}`;
}

/** Construct path -> the stack row it belongs to (longest stack path prefix) and its logical id. */
function stackResolver(stacks: readonly StackInfo[]): (constructPath: string) => { name: string; logicalIdOf: (p: string) => string } {
  const byLength = [...stacks].sort((a, b) => b.name.length - a.name.length);
  const logicalIds = new Map<string, string>();
  for (const stack of stacks) {
    for (const [logicalId, constructPath] of stack.constructPaths) {
      logicalIds.set(constructPath, logicalId);
    }
  }
  const logicalIdOf = (p: string): string => logicalIds.get(p) ?? '';
  return (constructPath) => {
    const stack = byLength.find((s) => constructPath === s.name || constructPath.startsWith(`${s.name}/`));
    return { name: stack?.name ?? '', logicalIdOf };
  };
}
