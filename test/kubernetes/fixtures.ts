/**
 * Shared fixtures of the Kubernetes tests: a stack with a VPC and a TierCluster, the real
 * `helm` and `kubernetes-validate` (installed by scripts/ensure-k8s-tools.sh), and a renderer that
 * turns a KubernetesWebTier's chart values into manifests with the real `helm template`.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KubectlV33Layer } from '@aws-cdk/lambda-layer-kubectl-v33';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Stack } from 'aws-cdk-lib';
import { TierCluster, TierClusterProps } from '../../lib';
import { webTierChartDir } from '../../lib/kubernetes/kubernetes-web-tier';
import { ensurePythonTools } from '../../scripts/validate/python';
import { newStack } from '../helpers';

/** A stack with a two-AZ VPC and a cluster on it. */
export function clusterStack(props: Partial<TierClusterProps> = {}): { stack: Stack; vpc: ec2.Vpc; cluster: TierCluster } {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const cluster = new TierCluster(stack, 'Cluster', { vpc, kubectlLayer: new KubectlV33Layer(stack, 'Kubectl'), ...props });
  return { stack, vpc, cluster };
}

let tools: { helm: string; kubernetesValidate: string } | undefined;

/** helm and kubernetes-validate, installed on first use (cached afterwards). */
export function k8sTools(): { helm: string; kubernetesValidate: string } {
  if (!tools) {
    const out = execFileSync('bash', [path.join(__dirname, '..', '..', 'scripts', 'ensure-k8s-tools.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const [helm, kubernetesValidate] = out.trim().split('\n');
    tools = { helm, kubernetesValidate };
  }
  return tools;
}

/** Renders the library's chart with these values through the real `helm template`; returns the YAML. */
export function helmTemplate(release: string, values: Record<string, any>, namespace = 'default'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-tier-chart-'));
  const valuesFile = path.join(dir, 'values.json');
  fs.writeFileSync(valuesFile, JSON.stringify(values));
  return execFileSync(k8sTools().helm, ['template', release, webTierChartDir(), '--namespace', namespace, '--values', valuesFile], { encoding: 'utf8' });
}

/** Validates YAML manifests against the Kubernetes schema of `version`; returns the tool's report lines. */
export function kubernetesValidate(yaml: string, version: string): { ok: boolean; lines: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-tier-validate-'));
  const file = path.join(dir, 'manifests.yaml');
  fs.writeFileSync(file, yaml);
  try {
    const out = execFileSync(k8sTools().kubernetesValidate, ['--strict', '-k', `${version}.0`, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { ok: true, lines: out.trim().split('\n') };
  } catch (e: any) {
    return { ok: false, lines: `${e.stdout ?? ''}${e.stderr ?? ''}`.trim().split('\n') };
  }
}

/** Placeholder for values CloudFormation only knows at deploy time (target group ARN, secret ARN). */
export const DEPLOY_TIME = 'arn:aws:placeholder:us-east-1:123456789012:resolved-at-deploy';

/**
 * The chart values exactly as the Helm custom resource of the template carries them, with the
 * parts CloudFormation resolves at deploy time replaced by {@link DEPLOY_TIME}.
 */
export function deployedValues(helmChartProperties: Record<string, any>): Record<string, any> {
  const v = helmChartProperties.Values;
  if (typeof v === 'string') return JSON.parse(v);
  const [sep, parts] = v['Fn::Join'];
  return JSON.parse(parts.map((p: any) => (typeof p === 'string' ? p : DEPLOY_TIME)).join(sep));
}

/**
 * Runs checkov's Kubernetes checks on YAML manifests (the same pinned checkov as `npm run validate`,
 * in the repository's .venv). Returns the failed check ids with their resources.
 */
export function checkovKubernetes(yaml: string): { failed: string[]; passed: number; skipped: number } {
  const tools = ensurePythonTools(path.join(__dirname, '..', '..', '.venv'), () => undefined);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-tier-checkov-'));
  const file = path.join(dir, 'manifests.yaml');
  fs.writeFileSync(file, yaml);
  const result = spawnSync(tools.checkov, ['-f', file, '--framework', 'kubernetes', '--output', 'json', '--quiet'], { encoding: 'utf8' });
  // One framework: a single report { check_type, results: { failed_checks, ... }, summary: { passed, failed, skipped } }.
  const report = JSON.parse(result.stdout);
  return {
    failed: report.results.failed_checks.map((c: any) => `${c.check_id} ${c.resource}`),
    passed: report.summary.passed,
    skipped: report.summary.skipped,
  };
}
