// Assertions shared by the lab's tests. Each failure message carries the instance's boot log and
// the calls it made, which is what one needs to see why a boot went wrong.
import { AwsCall, Instance, Lab } from './lab';

/** The SignalResource calls of one instance, in order. */
export function signalsOf(lab: Lab, instance: Instance): AwsCall[] {
  return lab.calls('SignalResource').filter(c => c.params.UniqueId === instance.instanceId);
}

/** A short account of an instance's boot for failure messages. */
export function bootSummary(lab: Lab, instance: Instance): string {
  const calls = lab.calls().filter(c => c.client === instance.ip)
    .map(c => `${c.action} ${JSON.stringify(c.params)}${c.fault ? ` -> ${c.fault.code}` : ''}`);
  return `${instance.diagnostics()}\n==== calls of ${instance.name}\n${calls.join('\n')}`;
}

function fail(lab: Lab, instance: Instance, message: string): never {
  throw new Error(`${instance.name}: ${message}\n${bootSummary(lab, instance)}`);
}

/** The boot ran to its end and told CloudFormation SUCCESS, once, for this stack's group. */
export function expectBootSucceeded(lab: Lab, instance: Instance, stackName: string, groupId: string): void {
  const signals = signalsOf(lab, instance).filter(c => !c.fault);
  if (instance.userDataExitCode() !== 0) fail(lab, instance, `the user data exited ${instance.userDataExitCode()}`);
  if (signals.length !== 1 || signals[0].params.Status !== 'SUCCESS') {
    fail(lab, instance, `expected exactly one SUCCESS signal, got ${JSON.stringify(signals.map(s => s.params.Status))}`);
  }
  const p = signals[0].params;
  if (p.StackName !== stackName || p.LogicalResourceId !== groupId) {
    fail(lab, instance, `the signal names ${p.StackName}/${p.LogicalResourceId}, not ${stackName}/${groupId}`);
  }
}

/** The boot stopped at `step`, said so in its log, and told CloudFormation FAILURE. */
export function expectStepFailed(lab: Lab, instance: Instance, stackName: string, groupId: string, step: string): void {
  const signals = signalsOf(lab, instance).filter(c => !c.fault);
  const statuses = signals.map(s => s.params.Status);
  if (!statuses.includes('FAILURE') || statuses.includes('SUCCESS')) {
    fail(lab, instance, `expected a FAILURE signal and no SUCCESS, got ${JSON.stringify(statuses)}`);
  }
  const failure = signals.find(s => s.params.Status === 'FAILURE')!;
  if (failure.params.StackName !== stackName || failure.params.LogicalResourceId !== groupId) {
    fail(lab, instance, `the FAILURE signal names ${failure.params.StackName}/${failure.params.LogicalResourceId}`);
  }
  const log = instance.bootLog();
  if (!new RegExp(`BOOT FAILED: step ${step} \\(`).test(log)) fail(lab, instance, `the boot log does not say that step ${step} failed`);
  if (instance.userDataExitCode() === 0) fail(lab, instance, 'the user data exited 0 although a step failed');
}

/** When the app first started, the lifecycle action was completed, and SUCCESS was signalled. */
export function lifecycleOrder(lab: Lab, instance: Instance): { appActive: number; completed?: AwsCall; healthy?: AwsCall; signalled?: AwsCall } {
  const started = instance.run('journalctl -u webapp.service -o short-unix --no-pager | grep -m1 "Started" || true').trim();
  const appActive = Number(started.split(' ')[0]);
  if (!appActive) fail(lab, instance, 'the journal has no start of webapp.service');
  const completed = lab.calls('CompleteLifecycleAction').find(c => c.params.InstanceId === instance.instanceId);
  const signalled = signalsOf(lab, instance).find(c => !c.fault && c.params.Status === 'SUCCESS');
  const healthy = lab.calls('DescribeTargetHealth').find(c => c.answers?.[instance.instanceId] === 'healthy');
  return { appActive, completed, healthy, signalled };
}
