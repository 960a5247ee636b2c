/**
 * The boot time a tier declares in its group's `cdk-web-tiers:spike` metadata (read by the spike
 * simulator, expectSpike and the pipeline's gate) must not be shorter than a real boot: the lab
 * measures from launching the container to cloud-init's boot-finished, under systemd. A container
 * skips EC2's pending state and the kernel boot, so the measure is a lower bound of an EC2 boot.
 */
import * as fs from 'fs';
import { Instance } from './lab';
import { LabStack } from './stacks';

/** Seconds from `launchedAtMs` until the instance's user data finished. */
export function measuredBootSeconds(instance: Instance, launchedAtMs: number): number {
  return (fs.statSync(instance.file('/var/lib/cloud/instance/boot-finished')).mtimeMs - launchedAtMs) / 1000;
}

/** Fails when the group's declared boot is shorter than the measured one. */
export function expectDeclaredBootCovers(stack: LabStack, groupId: string, instance: Instance, launchedAtMs: number): void {
  const declared = stack.template.Resources[groupId]?.Metadata?.['cdk-web-tiers:spike']?.bootSeconds;
  const measured = measuredBootSeconds(instance, launchedAtMs);
  expect({ groupId, declared: typeof declared, covers: declared >= measured, measured: Math.round(measured), declaredSeconds: declared })
    .toEqual({ groupId, declared: 'number', covers: true, measured: Math.round(measured), declaredSeconds: declared });
}
