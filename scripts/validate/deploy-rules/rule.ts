/**
 * The deploy-rules pack of `cdk-web-tiers validate`: what AWS refuses, or silently does wrong, at
 * deploy time that cdk-nag, cfn-guard, cfn-lint and checkov do not report. One rule per file in
 * ./rules (cdk-nag style); each names the AWS document it rests on, in its message and its test.
 *
 * Rules read synthesized templates only (any CDK app, not only this library's): every stack of the
 * assembly, nested stage assemblies included, so that account-wide limits are counted across them.
 */
import { CfnTemplate, StackInfo, arr, obj } from '../model';

/** What a rule sees: every stack of the assembly, and the time the check runs. */
export interface RuleContext {
  readonly stacks: readonly StackInfo[];
  /** "Now", for rules about dates (a test passes a fixed one). */
  readonly now: Date;
}

/** One thing a rule found on one resource. */
export interface RuleHit {
  readonly stack: StackInfo;
  /** Logical id of the resource the finding is about (where an acknowledgement goes). */
  readonly logicalId: string;
  /** What is wrong and how to fix it; the pack appends the level and the document. */
  readonly message: string;
}

export type RuleLevel = 'error' | 'warning';

/** One rule of the pack. */
export interface DeployRule {
  /** `DeployRules-<Name>`: what `Findings.acknowledge(resource, reason, [id])` takes. */
  readonly id: string;
  /** error: AWS refuses it or it breaks at deploy; warning: it deploys but does something you most likely did not mean. */
  readonly level: RuleLevel;
  /** The AWS document the rule rests on. */
  readonly document: string;
  check(context: RuleContext): RuleHit[];
}

/** A resource of a template, with its logical id and properties. */
export interface TemplateResource {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  readonly raw: Record<string, unknown>;
}

/** Every resource of `type` (or of any type when omitted) in a template. */
export function resourcesOf(template: CfnTemplate, ...types: string[]): TemplateResource[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => types.length === 0 || types.includes(String(r.Type)))
    .map(([logicalId, r]) => ({ logicalId, type: String(r.Type), properties: obj(r.Properties), metadata: obj(r.Metadata), raw: obj(r) }));
}

/** The logical id a `{ Ref: X }` points to, or undefined. */
export function refOf(value: unknown): string | undefined {
  const ref = obj(value).Ref;
  return typeof ref === 'string' ? ref : undefined;
}

/** A literal number (CloudFormation accepts "2" as well as 2), or undefined for tokens and absent values. */
export function literalNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return undefined;
}

/** A literal boolean (true / "true"), false for anything else. */
export function isTrue(value: unknown): boolean {
  return value === true || value === 'true' || value === 'True';
}

/** Whether `value` (any CloudFormation expression) refers to `logicalId` through Ref, Fn::GetAtt or ${X} in Fn::Sub. */
export function mentions(value: unknown, logicalId: string): boolean {
  if (typeof value === 'string') return value.includes(`\${${logicalId}}`) || value.includes(`\${${logicalId}.`);
  if (Array.isArray(value)) return value.some((v) => mentions(v, logicalId));
  const o = obj(value);
  if (o.Ref === logicalId) return true;
  const getAtt = o['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[0] === logicalId) return true;
  if (typeof getAtt === 'string' && getAtt.split('.')[0] === logicalId) return true;
  return Object.values(o).some((v) => mentions(v, logicalId));
}

/** The Auto Scaling group that `AutoScalingGroupName` names: a Ref to a group, or a group whose literal name matches. */
export function groupNamedBy(template: CfnTemplate, name: unknown): TemplateResource | undefined {
  const groups = resourcesOf(template, 'AWS::AutoScaling::AutoScalingGroup');
  const ref = refOf(name);
  if (ref) return groups.find((g) => g.logicalId === ref);
  if (typeof name === 'string') return groups.find((g) => g.properties.AutoScalingGroupName === name);
  return undefined;
}

/** The launch template a `LaunchTemplateSpecification` points to (by Ref, GetAtt or literal name), if it is in the template. */
export function launchTemplateOf(template: CfnTemplate, spec: unknown): TemplateResource | undefined {
  const s = obj(spec);
  const templates = resourcesOf(template, 'AWS::EC2::LaunchTemplate');
  for (const value of [s.LaunchTemplateId, s.LaunchTemplateName]) {
    const found = templates.find((t) => mentions(value, t.logicalId) || (typeof value === 'string' && t.properties.LaunchTemplateName === value));
    if (found) return found;
  }
  return undefined;
}

/** Every Allow statement of every IAM policy written in a template (policies, managed policies, inline role/user/group policies). */
export function allowStatements(template: CfnTemplate): Array<{ resource: TemplateResource; statement: Record<string, unknown> }> {
  const result: Array<{ resource: TemplateResource; statement: Record<string, unknown> }> = [];
  for (const resource of resourcesOf(template, 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group')) {
    const documents = [resource.properties.PolicyDocument, ...arr(resource.properties.Policies).map((p) => obj(p).PolicyDocument)];
    for (const document of documents) {
      for (const statement of arr(obj(document).Statement)) {
        const s = obj(statement);
        if (s.Effect === 'Allow') result.push({ resource, statement: s });
      }
    }
  }
  return result;
}
