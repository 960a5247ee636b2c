/**
 * Small shared helpers for the construct tests: a stack with a region (load balancer access logs
 * need one), a two-AZ VPC, a fake certificate and image, and readers for synthesized templates
 * (resources by type, logical ids, user data with tokens replaced by placeholders).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { App, CfnElement, Stack, StackProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct, IConstruct } from 'constructs';
import { AppSource, MachineImageSourceOptions } from '../lib';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const CERTIFICATE_ARN = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555`;
export const AMI = 'ami-12345678';

/** A CloudFormation resource as it appears in a synthesized template. */
export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly DependsOn?: string[];
  readonly CreationPolicy?: Record<string, any>;
  readonly UpdatePolicy?: Record<string, any>;
  readonly Metadata?: Record<string, any>;
}

/** A stack in its own app, with a region (and optionally an account) so that load balancers work. */
export function newStack(id = 'Test', props: StackProps = {}, app: App = new App()): Stack {
  return new Stack(app, id, { env: { region: REGION }, ...props });
}

/**
 * A stack whose account and region are known, with three Availability Zones in context (an
 * account-less stack only ever sees two placeholder zones).
 */
export function newThreeAzStack(id = 'Test'): Stack {
  const app = new App({
    context: { [`availability-zones:account=${ACCOUNT}:region=${REGION}`]: [`${REGION}a`, `${REGION}b`, `${REGION}c`] },
  });
  return new Stack(app, id, { env: { account: ACCOUNT, region: REGION } });
}

/** A VPC with public and private-with-egress subnets in two AZs. */
export function testVpc(scope: Stack, id = 'Vpc'): ec2.Vpc {
  return new ec2.Vpc(scope, id, { maxAzs: 2, natGateways: 1 });
}

/** An imported ACM certificate (no resource is created). */
export function testCertificate(scope: Construct, id = 'Certificate'): acm.ICertificate {
  return acm.Certificate.fromCertificateArn(scope, id, CERTIFICATE_ARN);
}

/** A fixed x86 Linux image in us-east-1. */
export function testImage(): ec2.IMachineImage {
  return ec2.MachineImage.genericLinux({ [REGION]: AMI });
}

/** An app source from the fixed test image. */
export function testSource(options?: MachineImageSourceOptions): AppSource {
  return AppSource.fromMachineImage(testImage(), options);
}

/** The logical id of a construct's CloudFormation resource (the construct itself or its default child). */
export function logicalIdOf(construct: IConstruct): string {
  const element = (construct instanceof CfnElement ? construct : construct.node.defaultChild) as CfnElement | undefined;
  if (!element) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(construct).getLogicalId(element);
}

/** Every resource of one type, as [logicalId, resource] pairs. */
export function resourcesOfType(template: Template, type: string): Array<[string, CfnResourceJson]> {
  return Object.entries(template.toJSON().Resources as Record<string, CfnResourceJson>).filter(([, r]) => r.Type === type);
}

/** One resource by logical id; fails when it is missing. */
export function resource(template: Template, logicalId: string): CfnResourceJson {
  const found = (template.toJSON().Resources as Record<string, CfnResourceJson>)[logicalId];
  if (!found) throw new Error(`no resource ${logicalId} in the template`);
  return found;
}

/**
 * Renders a CloudFormation value (`Fn::Base64`, `Fn::Join`, plain strings) to text, replacing every
 * other intrinsic (Ref, Fn::GetAtt, ...) by a shell-safe placeholder such as `TOKEN_Ref_AWS_Region`.
 */
export function renderIntrinsic(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    if ('Fn::Base64' in obj) return renderIntrinsic(obj['Fn::Base64']);
    if ('Fn::Join' in obj) {
      const [separator, parts] = obj['Fn::Join'] as [string, unknown[]];
      return parts.map(renderIntrinsic).join(separator);
    }
  }
  return placeholder(value);
}

function placeholder(value: unknown): string {
  return 'TOKEN_' + JSON.stringify(value).replace(/Fn::/g, '').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

/** The user data of a tier's launch template, tokens replaced by placeholders. */
export function userDataOf(template: Template, tier: { readonly launchTemplate: ec2.LaunchTemplate }): string {
  const lt = resource(template, logicalIdOf(tier.launchTemplate));
  return renderIntrinsic(lt.Properties?.LaunchTemplateData?.UserData);
}

/**
 * The launch template an Auto Scaling group launches from, whether it names it directly
 * (`LaunchTemplate`) or through a mixed instances policy.
 */
export function launchTemplateSpecOf(asg: CfnResourceJson): Record<string, unknown> | undefined {
  return asg.Properties?.LaunchTemplate ?? asg.Properties?.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
}

/** The `run_step NAME PHASE` lines of a rendered boot script, in order. */
export function runSteps(script: string): Array<[string, string]> {
  return [...script.matchAll(/^run_step (\S+) (\S+)/gm)].map(m => [m[1], m[2]]);
}

/**
 * Logical ids of the policy resources that give a role its permissions: inline `AWS::IAM::Policy`
 * and customer managed `AWS::IAM::ManagedPolicy` resources that list the role in `Roles`, and
 * managed policies the role references in `ManagedPolicyArns`.
 */
export function policiesOfRole(template: Template, roleLogicalId: string): string[] {
  const attachesRole = (r: CfnResourceJson) => (r.Properties?.Roles ?? []).some((role: any) => role?.Ref === roleLogicalId);
  const attached = [...resourcesOfType(template, 'AWS::IAM::Policy'), ...resourcesOfType(template, 'AWS::IAM::ManagedPolicy')]
    .filter(([, r]) => attachesRole(r))
    .map(([id]) => id);
  const referenced = (resource(template, roleLogicalId).Properties?.ManagedPolicyArns ?? [])
    .map((arn: any) => arn?.Ref)
    .filter((id: unknown): id is string => typeof id === 'string');
  return [...new Set([...attached, ...referenced])].sort();
}

/** The IAM policy statements that apply to a role, by its logical id (see {@link policiesOfRole}). */
export function statementsOfRole(template: Template, roleLogicalId: string): Array<Record<string, any>> {
  return policiesOfRole(template, roleLogicalId)
    .flatMap(id => resource(template, id).Properties?.PolicyDocument?.Statement ?? []);
}

/** Flattens a statement's Action (string or list) into a list. */
export function actionsOf(statement: Record<string, any>): string[] {
  const action = statement.Action;
  return Array.isArray(action) ? action : action === undefined ? [] : [action];
}

/** The text of a boot step file of runtime/boot, which instances receive in the boot files asset. */
export function bootFileText(file: string): string {
  return fs.readFileSync(path.join(__dirname, '..', 'runtime', 'boot', file), 'utf-8');
}

/**
 * The S3 object that cdk-assets uploads for an asset key, made the way cdk-assets makes it: a
 * `zip` (directory) asset is zipped, a `file` asset is uploaded as it is. Returns a local file
 * holding the object's bytes.
 */
export function uploadedObject(stack: Stack, objectKey: string): { packaging: string; file: string } {
  const assembly = App.of(stack)!.synth();
  const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf-8'));
  for (const asset of Object.values(manifest.files as Record<string, any>)) {
    const keys = Object.values(asset.destinations as Record<string, { objectKey: string }>).map(d => d.objectKey);
    if (!keys.includes(objectKey)) continue;
    const source = path.join(assembly.directory, asset.source.path);
    if (asset.source.packaging !== 'zip') return { packaging: asset.source.packaging ?? 'file', file: source };
    const zip = path.join(fs.mkdtempSync(path.join(require('os').tmpdir(), 'cwt-asset-')), objectKey);
    const files = fs.readdirSync(source).map(f => path.join(source, f));
    require('child_process').execFileSync('python3', ['-m', 'zipfile', '-c', zip, ...files]);
    return { packaging: 'zip', file: zip };
  }
  throw new Error(`no asset of ${stack.stackName} is uploaded to ${objectKey}`);
}

/**
 * The alarms of a template that watch (monitoring), as opposed to the alarms of step scaling
 * policies, whose action is the policy itself.
 */
export function monitoringAlarms(template: Template): Array<[string, CfnResourceJson]> {
  const policies = new Set(resourcesOfType(template, 'AWS::AutoScaling::ScalingPolicy').map(([id]) => id));
  return [...resourcesOfType(template, 'AWS::CloudWatch::Alarm'), ...resourcesOfType(template, 'AWS::CloudWatch::CompositeAlarm')]
    .filter(([, r]) => !(r.Properties?.AlarmActions ?? []).some((a: any) => policies.has(a?.Ref)));
}

/** The alarms of step scaling policies (their action is the policy). */
export function scalingAlarms(template: Template): Array<[string, CfnResourceJson]> {
  const watching = new Set(monitoringAlarms(template).map(([id]) => id));
  return resourcesOfType(template, 'AWS::CloudWatch::Alarm').filter(([id]) => !watching.has(id));
}
