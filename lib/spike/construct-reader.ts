/**
 * Reads a `ScalingModel` from a construct in the app. The construct's stack is synthesized
 * through its public stack synthesizer (`stack.synthesizer.synthesize(session)`, the call the
 * app's synthesis makes for each stack) into a throwaway cloud assembly, and the template that
 * comes out is read by the same code as the CLI's. So `SpikeSimulation.of(tier)`, `expectSpike`
 * and the CLI on `cdk.out` read one template and can never disagree.
 *
 * Inside a validation (`expectSpike`), the app's synthesis has already prepared the tree
 * (references resolved, aspects applied) and not yet written any template: synthesizing the one
 * stack again is what the app is about to do, without the validation step, so it cannot recurse.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnResource, Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { IConstruct } from 'constructs';
import { ScalingModel, SpikeInputError, SpikeModelOptions } from './model';
import { readTemplateModel } from './template-reader';

/** The synthesized template of a stack, with `aws:cdk:path` metadata on every resource (so that groups are found by construct path). */
export function synthesizedTemplateOf(stack: Stack): { Resources: Record<string, unknown> } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-web-tiers-spike-'));
  try {
    stack.synthesizer.synthesize({ outdir, assembly: new cxapi.CloudAssemblyBuilder(outdir) });
    const template = JSON.parse(fs.readFileSync(path.join(outdir, stack.templateFile), 'utf-8')) as { Resources?: Record<string, { Metadata?: Record<string, unknown> }> };
    const paths = new Map<string, string>();
    for (const c of stack.node.findAll()) {
      if (CfnResource.isCfnResource(c) && Stack.of(c) === stack) paths.set(stack.resolve(stack.getLogicalId(c)), c.node.path);
    }
    const resources: Record<string, unknown> = {};
    for (const [id, r] of Object.entries(template.Resources ?? {})) {
      const p = paths.get(id);
      resources[id] = p === undefined ? r : { ...r, Metadata: { ...r.Metadata, 'aws:cdk:path': p } };
    }
    return { ...template, Resources: resources };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The logical id of the one Auto Scaling group a construct holds (a tier, an AutoScalingGroup, or the group itself). */
export function groupLogicalIdOf(scope: IConstruct): string {
  const stack = Stack.of(scope);
  // A tier names its primary group (a Spot burst group beside it is not modelled: conservative).
  const primary = (scope as { readonly autoScalingGroup?: IConstruct }).autoScalingGroup?.node.defaultChild;
  if (primary && CfnResource.isCfnResource(primary) && primary.cfnResourceType === 'AWS::AutoScaling::AutoScalingGroup') return stack.getLogicalId(primary);
  const groups = scope.node.findAll().filter((c): c is CfnResource =>
    CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::AutoScaling::AutoScalingGroup');
  if (groups.length !== 1) {
    throw new SpikeInputError(`${scope.node.path}: invalid scope for a spike simulation (${groups.length} Auto Scaling groups). ` +
      'Pass a construct that holds exactly one group: a StatelessWebTier, an autoscaling.AutoScalingGroup, or its CfnAutoScalingGroup.');
  }
  return stack.resolve(stack.getLogicalId(groups[0]));
}

/** Reads the model of the group that a construct holds. */
export function readConstructModel(scope: IConstruct, options: SpikeModelOptions = {}): ScalingModel {
  return readTemplateModel(synthesizedTemplateOf(Stack.of(scope)), groupLogicalIdOf(scope), options);
}
