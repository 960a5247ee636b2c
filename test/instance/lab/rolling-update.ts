// The lab's CloudFormation and Auto Scaling for one group: launches the group's instances, keeps its
// warm pool, and applies the group's UpdatePolicy (AutoScalingRollingUpdate) to a launch template
// change the way CloudFormation does. Instances are the lab's real containers; the proxy answers
// their calls (lifecycle actions, signals, DescribeWarmPool, TerminateInstances) and this driver
// reads what they did from its record.
//
// What it plays, from AWS's documentation:
// - AutoScalingRollingUpdate (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html):
//   batches of at most MaxBatchSize; at least MinInstancesInService stay in service (the group's
//   desired capacity is raised to launch new instances first when needed); with
//   WaitOnResourceSignals CloudFormation waits, up to PauseTime, for a SUCCESS signal from each new
//   instance of the batch; a FAILURE signal or the timeout fails the update, and the stack rolls back.
// - Warm pools (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-autoscaling-warmpool.html):
//   "Whenever your application needs to scale out, the Auto Scaling group can draw on the warm pool
//   to meet its new desired capacity"; "CloudFormation replaces InService instances only. Instances
//   in the warm pool are not replaced"; when the pool shrinks, Auto Scaling launches new instances
//   into it (from the group's current launch template) to keep its size.
// - Lifecycle hooks: an ABANDON (or the hook's timeout) terminates the instance, and Auto Scaling
//   launches another one for the same desired capacity (from the pool first).
import { AwsCall, Instance, InstanceOptions, Lab, sleep, waitFor } from './lab';

const TARGET_LIFECYCLE_STATE = 'autoscaling/target-lifecycle-state';

/** One launch template version: what an instance launched from it gets. */
export interface LaunchTemplateVersion {
  readonly version: string;
  readonly userData: string;
  /** Files and bake commands of its image (a Packer image), as lab.launch takes them. */
  readonly files?: InstanceOptions['files'];
  readonly bake?: string[];
}

/** The group's AutoScalingRollingUpdate policy, as the template says it. */
export interface RollingUpdatePolicy {
  readonly maxBatchSize: number;
  readonly minInstancesInService: number;
  readonly waitOnResourceSignals: boolean;
  readonly pauseTimeSeconds: number;
}

/** Reads a group's UpdatePolicy.AutoScalingRollingUpdate from a synthesized template. */
export function rollingUpdatePolicy(template: any, groupId: string): RollingUpdatePolicy {
  const policy = template.Resources[groupId]?.UpdatePolicy?.AutoScalingRollingUpdate;
  if (!policy) throw new Error(`rolling-update: ${groupId} has no AutoScalingRollingUpdate policy`);
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(policy.PauseTime ?? 'PT0S');
  if (!m) throw new Error(`rolling-update: PauseTime ${policy.PauseTime} is not an ISO 8601 duration`);
  return {
    maxBatchSize: Number(policy.MaxBatchSize ?? 1),
    minInstancesInService: Number(policy.MinInstancesInService ?? 0),
    waitOnResourceSignals: policy.WaitOnResourceSignals === true,
    pauseTimeSeconds: Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0),
  };
}

export interface UpdateResult {
  readonly status: 'UPDATE_COMPLETE' | 'UPDATE_ROLLBACK_COMPLETE';
  /** Why the update failed (a FAILURE signal, a timeout). */
  readonly reason?: string;
  /** Seconds the update (and any rollback) took. */
  readonly seconds: number;
}

export interface FakeGroupOptions {
  /** The group's name (its physical id) and logical id in the stack. */
  readonly name: string;
  readonly logicalId: string;
  /** Machine names of its instances: prefix + a counter (letters and digits). */
  readonly prefix: string;
  readonly launchTemplate: LaunchTemplateVersion;
  readonly mixedInstances?: boolean;
  /** Instances Auto Scaling keeps in the warm pool (MaxGroupPreparedCapacity less the desired capacity, or MinSize). */
  readonly warmPoolSize?: number;
  /** How long to wait for an instance's boot into the pool. */
  readonly bootTimeoutMs?: number;
}

/** One Auto Scaling group with its instances, its warm pool and what CloudFormation does to it. */
export class FakeGroup {
  public readonly inService: Instance[] = [];
  public readonly pool: Instance[] = [];
  public readonly terminated: Instance[] = [];
  /** What happened, in order, for failure messages and the report. */
  public readonly events: string[] = [];
  public launchTemplate: LaunchTemplateVersion;
  private readonly versionOf = new Map<Instance, string>();
  private count = 0;
  private seenTerminations = 0;

  constructor(private readonly lab: Lab, private readonly options: FakeGroupOptions) {
    this.launchTemplate = options.launchTemplate;
    this.publishLaunchTemplate();
  }

  /** The launch template version an instance was launched from. */
  public version(instance: Instance): string | undefined {
    return this.versionOf.get(instance);
  }

  /** Creates the group: `desired` instances into service (their signals awaited), then the warm pool. */
  public async create(desired: number, timeoutMs: number): Promise<void> {
    const started = Date.now() / 1000;
    const launched = await Promise.all(Array.from({ length: desired }, () => this.launchFresh()));
    await this.waitForSignals(launched.length, started, timeoutMs / 1000);
    await Promise.all(launched.map(i => this.waitInService(i, timeoutMs)));
    await this.fillPool();
  }

  /**
   * A stack update that changes the launch template: CloudFormation's AutoScalingRollingUpdate, or
   * its rollback to the previous version when a FAILURE signal or PauseTime ends a batch.
   */
  public async update(next: LaunchTemplateVersion, policy: RollingUpdatePolicy): Promise<UpdateResult> {
    const started = Date.now();
    const previous = this.launchTemplate;
    this.lab.setSignalable(true);
    this.launchTemplate = next;
    this.publishLaunchTemplate();
    this.event(`update to launch template version ${next.version}: ${JSON.stringify(policy)}`);
    let failure: string | undefined;
    const desired = this.inService.length;
    const newOnes: Instance[] = [];
    while (!failure) {
      const old = this.inService.filter(i => this.versionOf.get(i) !== next.version);
      if (old.length === 0) break;
      const batch = Math.min(policy.maxBatchSize, old.length);
      // Old instances terminated before the new ones start, as far as MinInstancesInService allows;
      // the rest after the batch signalled (the desired capacity is raised meanwhile).
      const first = Math.max(0, Math.min(batch, this.inService.length - policy.minInstancesInService));
      for (const instance of old.slice(0, first)) await this.terminate(instance, 'replaced by the rolling update');
      this.event(`batch: ${batch} new instance(s), desired ${desired - first + batch}`);
      const batchStart = Date.now() / 1000;
      const aborted = { done: false };
      const launches = Array.from({ length: batch }, () => this.scaleOut(aborted, newOnes));
      failure = policy.waitOnResourceSignals
        ? await this.waitForSignals(batch, batchStart, policy.pauseTimeSeconds)
        : undefined;
      aborted.done = true;
      await Promise.all(launches);
      if (!failure) {
        for (const instance of old.slice(first, batch)) await this.terminate(instance, 'replaced by the rolling update');
        await this.settleRecycling();
        await this.fillPool();
      }
    }
    if (failure) {
      // UPDATE_ROLLBACK: the previous launch template again, its instances back to the desired capacity.
      this.event(`update failed: ${failure}; rolling back to version ${previous.version}`);
      this.launchTemplate = previous;
      this.publishLaunchTemplate();
      for (const instance of newOnes.filter(i => !this.terminated.includes(i))) {
        await this.terminate(instance, 'rolled back');
      }
      const missing = desired - this.inService.length;
      if (missing > 0) {
        const rollbackStart = Date.now() / 1000;
        const aborted = { done: false };
        const launches = Array.from({ length: missing }, () => this.scaleOut(aborted, []));
        const again = await this.waitForSignals(missing, rollbackStart, policy.pauseTimeSeconds);
        aborted.done = true;
        await Promise.all(launches);
        if (again) throw new Error(`rolling-update: the rollback failed too (${again})\n${this.events.join('\n')}`);
      }
    }
    this.lab.setSignalable(false);
    const seconds = Math.round((Date.now() - started) / 1000);
    this.event(`${failure ? 'UPDATE_ROLLBACK_COMPLETE' : 'UPDATE_COMPLETE'} after ${seconds} s`);
    return { status: failure ? 'UPDATE_ROLLBACK_COMPLETE' : 'UPDATE_COMPLETE', reason: failure, seconds };
  }

  /** Auto Scaling acts on TerminateInstances of pooled instances (the recycler), then refills the pool. */
  public async settleRecycling(): Promise<void> {
    const calls = this.lab.calls('TerminateInstances');
    for (const call of calls.slice(this.seenTerminations)) {
      const ids = Object.entries(call.params).filter(([k]) => /^InstanceId\.\d+$/.test(k)).map(([, v]) => v as string);
      for (const id of ids) {
        const instance = this.pool.find(i => i.instanceId === id);
        if (instance) await this.terminate(instance, `terminated by ${call.client} (pool recycling)`);
      }
    }
    this.seenTerminations = calls.length;
  }

  /** Launches instances into the warm pool until it holds its size (each boots, completes its launch into the pool, is stopped). */
  public async fillPool(): Promise<void> {
    const missing = (this.options.warmPoolSize ?? 0) - this.pool.length;
    if (missing <= 0) return;
    const prepared = await Promise.all(Array.from({ length: missing }, async () => {
      const instance = await this.launchInstance('Warmed:Pending:Wait', { [TARGET_LIFECYCLE_STATE]: 'Warmed:Stopped' });
      const state = await waitFor(`${instance.name} to complete its launch into the warm pool`, this.options.bootTimeoutMs ?? 300_000, () => {
        const s = this.lab.lifecycleState(instance.instanceId);
        return s === 'Warmed:Stopped' || s === 'Terminating' ? s : undefined;
      });
      if (state !== 'Warmed:Stopped') {
        await this.terminate(instance, 'its launch into the pool was abandoned');
        return undefined;
      }
      // Auto Scaling stops a Stopped pool's instance once its launch lifecycle action is complete.
      await instance.powerOff();
      this.event(`${instance.name} (version ${this.versionOf.get(instance)}) prepared and stopped in the warm pool`);
      return instance;
    }));
    for (const instance of prepared) if (instance) this.pool.push(instance);
    this.publishPool();
  }

  /**
   * New capacity for the group, as Auto Scaling provides it: from the warm pool first, else a fresh
   * launch; an instance whose launch is abandoned is terminated and replaced the same way.
   */
  private async scaleOut(aborted: { done: boolean }, launched: Instance[]): Promise<void> {
    while (!aborted.done) {
      const pooled = this.pool.shift();
      let instance: Instance;
      if (pooled) {
        this.publishPool();
        this.event(`${pooled.name} (version ${this.versionOf.get(pooled)}) leaves the warm pool`);
        this.lab.setLifecycleState(pooled.instanceId, 'Pending:Wait');
        pooled.setMetadata(TARGET_LIFECYCLE_STATE, 'InService');
        // Auto Scaling starts the instance; it does not wait for its units (the lifecycle state tells).
        pooled.start();
        instance = pooled;
      } else {
        instance = await this.launchFresh();
      }
      launched.push(instance);
      const state = await this.waitForLifecycle(instance, aborted);
      if (state === 'InService') {
        if (!this.inService.includes(instance)) this.inService.push(instance);
        this.event(`${instance.name} (version ${this.versionOf.get(instance)}) InService`);
        return;
      }
      await this.terminate(instance, state === 'Terminating' ? 'its launch was abandoned' : 'the update ended before it came into service');
    }
  }

  private async waitForLifecycle(instance: Instance, aborted: { done: boolean }): Promise<string> {
    for (;;) {
      const state = this.lab.lifecycleState(instance.instanceId);
      if (state === 'InService' || state === 'Terminating') return state;
      if (aborted.done) return state;
      await sleep(1000);
    }
  }

  private async waitInService(instance: Instance, timeoutMs: number): Promise<void> {
    await waitFor(`${instance.name} InService`, timeoutMs, () => this.lab.lifecycleState(instance.instanceId) === 'InService');
    if (!this.inService.includes(instance)) this.inService.push(instance);
  }

  /**
   * CloudFormation's count: SUCCESS signals for the group from distinct instances since `since`,
   * until `needed` arrived (undefined), a FAILURE arrived or `timeoutSeconds` passed (the reason).
   */
  private async waitForSignals(needed: number, since: number, timeoutSeconds: number): Promise<string | undefined> {
    const deadline = since + timeoutSeconds;
    for (;;) {
      await this.settleRecycling();
      const signals = this.lab.calls('SignalResource')
        .filter((c: AwsCall) => !c.fault && c.time >= since && c.params.LogicalResourceId === this.options.logicalId);
      const failed = signals.find(c => c.params.Status === 'FAILURE');
      if (failed) return `FAILURE signal from ${failed.params.UniqueId}`;
      const succeeded = new Set(signals.filter(c => c.params.Status === 'SUCCESS').map(c => c.params.UniqueId));
      if (succeeded.size >= needed) {
        this.event(`${succeeded.size} SUCCESS signal(s) counted: ${[...succeeded].join(' ')}`);
        return undefined;
      }
      if (Date.now() / 1000 > deadline) return `${succeeded.size} of ${needed} SUCCESS signal(s) within PauseTime (${timeoutSeconds} s)`;
      await sleep(1000);
    }
  }

  private async launchFresh(): Promise<Instance> {
    return this.launchInstance('Pending:Wait', {});
  }

  private async launchInstance(lifecycleState: string, metadata: Record<string, string>): Promise<Instance> {
    const lt = this.launchTemplate;
    const name = `${this.options.prefix}${++this.count}`;
    const instance = await this.lab.launch({
      name, userData: lt.userData, groupName: this.options.name, files: lt.files, bake: lt.bake, lifecycleState, metadata,
    });
    this.versionOf.set(instance, lt.version);
    this.lab.setTargets({ launchTemplateVersions: { [instance.instanceId]: lt.version } });
    this.event(`${name} launched from version ${lt.version} into ${lifecycleState === 'Pending:Wait' ? 'service' : 'the warm pool'}`);
    return instance;
  }

  private async terminate(instance: Instance, why: string): Promise<void> {
    const inService = this.inService.indexOf(instance);
    if (inService >= 0) this.inService.splice(inService, 1);
    const pooled = this.pool.indexOf(instance);
    if (pooled >= 0) {
      this.pool.splice(pooled, 1);
      this.publishPool();
    }
    if (this.terminated.includes(instance)) return;
    this.terminated.push(instance);
    this.lab.setLifecycleState(instance.instanceId, 'Terminated');
    await instance.stop();
    this.event(`${instance.name} (version ${this.versionOf.get(instance)}) terminated: ${why}`);
  }

  private publishLaunchTemplate(): void {
    this.lab.setTargets({ groupLaunchTemplates: { [this.options.name]: { version: this.launchTemplate.version, mixed: this.options.mixedInstances ?? false } } });
  }

  private publishPool(): void {
    this.lab.setWarmPool(this.options.name, this.pool.map(i => i.instanceId));
  }

  private event(text: string): void {
    this.events.push(`${new Date().toISOString().slice(11, 19)} ${text}`);
  }
}
