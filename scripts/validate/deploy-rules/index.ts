/**
 * The deploy-rules pack: runs every rule of ./rules on the assembly's stacks and applies the
 * acknowledgements written in the templates (`Findings.acknowledge(resource, reason, ['DeployRules-...'])`
 * writes `Metadata['cdk-web-tiers:deploy-rules'].acknowledged` on the resource, and the reason in
 * `Metadata['cdk-web-tiers:acknowledgements']['deploy-rules']`), the way cfn-guard's are applied.
 */
import { TemplateAck } from '../assembly';
import { Finding, StackInfo, ValidatorResult } from '../model';
import { templateAckProblems } from '../template-acks';
import { DeployRule } from './rule';
import { HealthCheckGrace } from './rules/health-check-grace';
import { IamDbAuthWithoutGrant } from './rules/iam-db-auth-without-grant';
import { ImageArchitecture } from './rules/image-architecture';
import { LogsResourcePolicyLimit } from './rules/logs-resource-policy-limit';
import { ScheduledActionInPast } from './rules/scheduled-action-in-past';
import { UserDataTooLarge } from './rules/user-data-too-large';
import { WarmPoolOnSpot } from './rules/warm-pool-on-spot';
import { WarmPoolUnbounded } from './rules/warm-pool-unbounded';

const VALIDATOR = 'deploy-rules' as const;

/** Every rule of the pack. */
export const DEPLOY_RULES: readonly DeployRule[] = [
  WarmPoolOnSpot,
  WarmPoolUnbounded,
  LogsResourcePolicyLimit,
  ScheduledActionInPast,
  UserDataTooLarge,
  IamDbAuthWithoutGrant,
  ImageArchitecture,
  HealthCheckGrace,
];

export interface DeployRulesOptions {
  /** "Now" for date rules. @default new Date() */
  readonly now?: Date;
  /** The rules to run. @default DEPLOY_RULES */
  readonly rules?: readonly DeployRule[];
}

/** Runs the pack over every stack; findings, acknowledged findings and acknowledgement problems. */
export function runDeployRules(stacks: readonly StackInfo[], acks: readonly TemplateAck[], options: DeployRulesOptions = {}): ValidatorResult & { seconds: number } {
  const started = Date.now();
  const now = options.now ?? new Date();
  const raw: Finding[] = [];
  for (const rule of options.rules ?? DEPLOY_RULES) {
    for (const hit of rule.check({ stacks, now })) {
      raw.push({
        validator: VALIDATOR,
        stack: hit.stack.name,
        constructPath: hit.stack.constructPaths.get(hit.logicalId) ?? '',
        logicalId: hit.logicalId,
        rule: rule.id,
        message: `${rule.level === 'warning' ? '[warning] ' : ''}${hit.message} See ${rule.document}`,
      });
    }
  }
  const mine = acks.filter((a) => a.tool === 'deploy-rules');
  const matches = (ack: TemplateAck, f: Finding): boolean => ack.stack.name === f.stack && ack.logicalId === f.logicalId && ack.id === f.rule;
  const findings: Finding[] = [];
  const acknowledged: Finding[] = [];
  for (const f of raw) {
    (mine.some((a) => matches(a, f)) ? acknowledged : findings).push(f);
  }
  return { validator: VALIDATOR, findings, acknowledged, problems: templateAckProblems(VALIDATOR, mine, raw, matches), seconds: (Date.now() - started) / 1000 };
}
