/**
 * Helpers of the cluster lab's tests: kubectl and helm against the lab's cluster (through the
 * wrappers cluster.sh writes), and the chart values exactly as an example's synthesized template
 * carries them.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { webTierChartDir } from '../../../lib/kubernetes/kubernetes-web-tier';
import { deployedValues } from '../../kubernetes/fixtures';

const RUN = process.env.CLUSTER_LAB_RUN ?? '/var/lib/cdk-web-tiers-cluster-lab';

export const labEnv: Record<string, string> = Object.fromEntries(
  fs.readFileSync(path.join(RUN, 'env'), 'utf8').trim().split('\n').map(l => l.split('=', 2) as [string, string]));

export function kubectl(...args: string[]): string {
  return execFileSync(labEnv.KUBECTL, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function kubectlJson(...args: string[]): any {
  return JSON.parse(kubectl(...args, '-o', 'json'));
}

export function helm(...args: string[]): string {
  return execFileSync(labEnv.HELM, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs a command in the lab's network namespace (where the pods' IPs are reachable). */
export function inLab(...args: string[]): string {
  return execFileSync(labEnv.IN_LAB, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function spawnInLab(...args: string[]): ChildProcess {
  return spawn(labEnv.IN_LAB, args, { stdio: 'ignore', detached: false });
}

export const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

export async function waitFor<T>(what: string, seconds: number, probe: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last: unknown;
  for (;;) {
    try {
      const v = probe();
      if (v) return v;
    } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting for ${what}${last ? `: ${last}` : ''}`);
    await sleep(1000);
  }
}

export interface ExampleRelease {
  /** Helm release name, as in the template. */
  readonly release: string;
  /** Namespace, as in the template. */
  readonly namespace: string;
  /** Values as the HelmChart custom resource carries them (deploy-time tokens replaced). */
  readonly values: Record<string, any>;
  /** The Namespace manifest the template creates before the chart. */
  readonly namespaceManifest: Record<string, any>;
}

/** The web tier release of an example stack, as its synthesized template configures it. */
export function exampleRelease(build: (app: App) => Stack, release = 'api'): ExampleRelease {
  const stack = build(new App());
  const template = Template.fromStack(stack);
  const chart = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart')).find(c => c.Properties.Release === release)!;
  const manifests = Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
    .flatMap(r => JSON.parse(stack.resolve(r.Properties.Manifest)));
  const namespace = chart.Properties.Namespace;
  const namespaceManifest = manifests.find((m: any) => m.kind === 'Namespace' && m.metadata.name === namespace);
  return { release, namespace, values: deployedValues(chart.Properties), namespaceManifest };
}

/** `helm upgrade --install --wait --atomic` of the library's chart, as the deploy provider runs it. */
export function helmUpgrade(r: ExampleRelease, values: Record<string, any>, timeout = '5m'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-lab-values-'));
  const file = path.join(dir, 'values.json');
  fs.writeFileSync(file, JSON.stringify(values));
  return helm('upgrade', '--install', r.release, webTierChartDir(), '--namespace', r.namespace, '--values', file, '--wait', '--atomic', '--timeout', timeout);
}

export function applyJson(obj: Record<string, any>): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-lab-manifest-'));
  const file = path.join(dir, 'm.json');
  fs.writeFileSync(file, JSON.stringify(obj));
  kubectl('apply', '-f', file);
}

/** Ready pods of a release (name, IP, node, restarts). */
export function readyPods(namespace: string, release: string): { name: string; ip: string; node: string; restarts: number }[] {
  const pods = kubectlJson('get', 'pods', '-n', namespace, '-l', `app.kubernetes.io/instance=${release}`).items;
  return pods.filter((p: any) => !p.metadata.deletionTimestamp && (p.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'))
    .map((p: any) => ({ name: p.metadata.name, ip: p.status.podIP, node: p.spec.nodeName, restarts: p.status.containerStatuses[0].restartCount }));
}
