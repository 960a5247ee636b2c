import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkInteger, checkRange, invalid } from '../common/validation';
import type { KubernetesWebTierProps } from './kubernetes-web-tier-props';

/** The tag of `repo:tag` ('latest' when there is none), or the digest of `repo@sha256:…`. */
function imageTag(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) return image.slice(at + 1);
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? image.slice(colon + 1) : 'latest';
}

export function validate(scope: Construct, props: KubernetesWebTierProps, port: number): void {
  const name = props.name ?? scope.node.id.toLowerCase();
  if (!/^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$/.test(name)) {
    invalid(scope, 'CWT808', 'name', name, 'Use a DNS label: lowercase letters, digits and dashes, at most 52 characters, starting and ending with a letter or digit.');
  }
  checkInteger(scope, 'CWT809', 'containerPort', port, 1, 65535);
  if (!props.resources || !props.resources.cpu || !props.resources.memory) {
    invalid(scope, 'CWT810', 'resources', props.resources ?? undefined,
      "Every pod needs CPU and memory requests (the scheduler, Auto Mode and the CPU autoscaler depend on them): for example resources: { cpu: '250m', memory: '512Mi' }.");
  }
  if (!/^\d+(\.\d+)?m?$/.test(props.resources.cpu)) {
    invalid(scope, 'CWT811', 'resources.cpu', props.resources.cpu, "Give a Kubernetes CPU quantity, for example '250m' or '1'.");
  }
  for (const [prop, value] of [['resources.memory', props.resources.memory], ['resources.memoryLimit', props.resources.memoryLimit]] as const) {
    if (value !== undefined && !/^\d+(Ki|Mi|Gi)$/.test(value)) {
      invalid(scope, 'CWT829', prop, value, "Give a Kubernetes memory quantity in Ki, Mi or Gi, for example '512Mi'.");
    }
  }
  if (!props.replicas) invalid(scope, 'CWT812', 'replicas', undefined, 'Give replicas: { min: 2, max: 10 }.');
  if (!Token.isUnresolved(props.replicas.min) && props.replicas.min < 2) {
    // With one pod, the PodDisruptionBudget (maxUnavailable 1) lets every node drain, Auto Mode's
    // weekly node replacement included, take the whole tier down.
    invalid(scope, 'CWT813', 'replicas.min', props.replicas.min,
      'One pod means an outage at every node replacement or drain (the disruption budget lets that pod go): use at least 2, spread over zones.');
  }
  checkInteger(scope, 'CWT814', 'replicas.min', props.replicas.min, 2, 1000);
  checkInteger(scope, 'CWT815', 'replicas.max', props.replicas.max, 1, 1000);
  if (props.replicas.min > props.replicas.max) {
    invalid(scope, 'CWT816', 'replicas.min', props.replicas.min,
      `It is greater than replicas.max (${props.replicas.max}): set min ≤ max, for example { min: ${props.replicas.max}, max: ${props.replicas.min} }.`);
  }
  checkInteger(scope, 'CWT817', 'scaling.targetCpuPercent', props.scaling?.targetCpuPercent, 10, 95);
  checkRange(scope, 'CWT818', 'scaling.requestsPerSecondPerPod', props.scaling?.requestsPerSecondPerPod, 0.1, 100_000);
  if (props.scaling?.requestsPerSecondPerPod && !props.loadBalancer) {
    invalid(scope, 'CWT819', 'scaling.requestsPerSecondPerPod', props.scaling.requestsPerSecondPerPod,
      "Requests are counted by the load balancer's target group: pass loadBalancer, or remove requestsPerSecondPerPod to scale on CPU only.");
  }
  for (const s of props.scaling?.scheduled ?? []) {
    if (!/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/.test(s.name)) {
      invalid(scope, 'CWT820', 'scaling.scheduled[].name', s.name, 'Use lowercase letters, digits and dashes, at most 22 characters.');
    }
    if (s.schedule.trim().split(/\s+/).length !== 5) {
      invalid(scope, 'CWT821', `scaling.scheduled[${s.name}].schedule`, s.schedule, "Give a five-field cron expression, for example '30 17 * * 4'.");
    }
    checkInteger(scope, 'CWT822', `scaling.scheduled[${s.name}].minReplicas`, s.minReplicas, props.replicas.min, props.replicas.max);
  }
  if (props.runAsUser !== undefined) checkInteger(scope, 'CWT823', 'runAsUser', props.runAsUser, 1, 2147483647);
  const probePort = props.healthCheck?.port;
  if (probePort !== undefined && probePort !== port) {
    invalid(scope, 'CWT824', 'healthCheck.port', probePort,
      `The container exposes only containerPort ${port}: remove healthCheck.port, or set containerPort to ${probePort} if that is where the app listens.`);
  }
  for (const [prop, p] of [['healthCheck.path', props.healthCheck?.path], ['healthCheck.livenessPath', props.healthCheck?.livenessPath]] as const) {
    if (p !== undefined && !p.startsWith('/')) invalid(scope, 'CWT830', prop, p, "Give an absolute path, for example '/healthz'.");
  }
  if (!Token.isUnresolved(props.image)) {
    const tag = imageTag(props.image);
    if (tag === 'latest' && !props.allowLatestTag) {
      invalid(scope, 'CWT825', 'image', props.image,
        "A missing or 'latest' tag lets two pods of one release run different code and makes rollbacks impossible: pin a version tag or a digest (repo:1.4.2, repo@sha256:…), or set allowLatestTag: true.");
    }
  }
  if (props.weight && props.routing) {
    invalid(scope, 'CWT826', 'weight', props.weight, 'weight shares the default action; routing sends matching requests only here: give one of them.');
  }
  if (props.weight) {
    checkInteger(scope, 'CWT827', 'weight.thisTier', props.weight.thisTier, 0, 999);
    checkInteger(scope, 'CWT828', 'weight.defaultTier', props.weight.defaultTier, 0, 999);
  }
  if ((props.weight || props.routing) && !props.loadBalancer) {
    invalid(scope, 'CWT831', props.weight ? 'weight' : 'routing', props.weight ?? props.routing, 'Routing applies only with a load balancer: pass loadBalancer, or remove it.');
  }
}

