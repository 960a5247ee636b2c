/**
 * Reads a `ScalingModel` from a construct in the app: the resources of its stack that matter to
 * scaling, resolved the way synthesis writes them, then read by the same code as a template.
 * So `SpikeSimulation.of(tier)` and the CLI on `cdk.out` can never disagree.
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ScalingModel, SpikeInputError, SpikeModelOptions } from './model';
import { readTemplateModel } from './template-reader';

const SCALING_TYPES = new Set([
  'AWS::AutoScaling::AutoScalingGroup', 'AWS::AutoScaling::ScalingPolicy', 'AWS::AutoScaling::ScheduledAction',
  'AWS::AutoScaling::WarmPool', 'AWS::AutoScaling::LaunchConfiguration', 'AWS::CloudWatch::Alarm',
  'AWS::ElasticLoadBalancingV2::TargetGroup', 'AWS::EC2::LaunchTemplate',
]);

/** The scaling-related part of a construct's stack, as a template. */
export function scalingTemplateOf(stack: Stack): { Resources: Record<string, unknown> } {
  const resources: Record<string, unknown> = {};
  for (const c of stack.node.findAll()) {
    if (!CfnResource.isCfnResource(c) || Stack.of(c) !== stack || !SCALING_TYPES.has(c.cfnResourceType)) continue;
    // `_toCloudFormation` is what stack synthesis calls for each resource; resolving it gives the template's JSON.
    const rendered = stack.resolve((c as unknown as { _toCloudFormation(): object })._toCloudFormation()) as { Resources: Record<string, unknown> };
    for (const [id, resource] of Object.entries(rendered.Resources)) {
      // The path metadata that the CDK CLI adds to every resource, so that groups are found by construct path.
      const r = resource as { Metadata?: Record<string, unknown> };
      resources[id] = { ...r, Metadata: { ...r.Metadata, 'aws:cdk:path': c.node.path } };
    }
  }
  return { Resources: resources };
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
  return stack.getLogicalId(groups[0]);
}

/** Reads the model of the group that a construct holds. */
export function readConstructModel(scope: IConstruct, options: SpikeModelOptions = {}): ScalingModel {
  const stack = Stack.of(scope);
  return readTemplateModel(scalingTemplateOf(stack), stack.resolve(groupLogicalIdOf(scope)), options);
}
