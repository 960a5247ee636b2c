import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Duration } from 'aws-cdk-lib';
import { WebTierAlarmOptions } from '../observability/web-tier-alarms';
import { TierLoadBalancer } from '../web-tier/tier-load-balancer';
import { WebTierRouting } from '../web-tier/web-tier-props';
import { TierCluster } from './tier-cluster';

/**
 * CPU and memory of each pod. Requests are what the scheduler (and Auto Mode, when it starts
 * nodes) reserves; limits are where the kernel stops the container.
 */
export interface KubernetesResources {
  /** CPU request, in Kubernetes units: '250m', '1'. */
  readonly cpu: string;
  /** Memory request: '256Mi', '1Gi'. */
  readonly memory: string;
  /**
   * CPU limit. Unset by default: a CPU limit throttles a pod even when the node is idle.
   *
   * @default - no CPU limit
   */
  readonly cpuLimit?: string;
  /**
   * Memory limit (a container above it is killed and restarted).
   *
   * @default - the memory request
   */
  readonly memoryLimit?: string;
}

/** Pod count bounds of the HorizontalPodAutoscaler. */
export interface KubernetesReplicas {
  /**
   * Fewest pods, also the floor while idle. At least 2 (fails at synth below): the disruption
   * budget lets one pod go at a time, so one pod would mean an outage at every node drain.
   */
  readonly min: number;
  /** Most pods. */
  readonly max: number;
}

/** A known event: at `schedule` the autoscaler's floor becomes `minReplicas`. */
export interface KubernetesScheduledScaling {
  /** Short name (lowercase letters, digits, dashes), part of the CronJob's name. */
  readonly name: string;
  /** Cron expression in `timeZone`, for example '30 17 * * 4' (Thursdays 17:30). */
  readonly schedule: string;
  /** The autoscaler's floor from then on (another entry puts it back). */
  readonly minReplicas: number;
  /**
   * IANA time zone of the schedule.
   *
   * @default 'Etc/UTC'
   */
  readonly timeZone?: string;
}

/** How the tier scales. */
export interface KubernetesScaling {
  /**
   * Average CPU utilisation of the pods (percent of their CPU request) that the autoscaler keeps.
   *
   * @default 60
   */
  readonly targetCpuPercent?: number;
  /**
   * Also scale on the load balancer's requests, as `requestsPerSecondPerInstance` does for EC2 tiers:
   * pods = requests of the last minute / (60 × this value), from the CloudWatch `RequestCount` of
   * the tier's target group. Needs `loadBalancer`; installs KEDA on
   * the cluster (its operator reads CloudWatch through its own pod identity), which then owns the
   * HorizontalPodAutoscaler.
   *
   * @default - CPU only
   */
  readonly requestsPerSecondPerPod?: number;
  /**
   * Pre-scaling for known events (a launch, a live show).
   *
   * @default - none
   */
  readonly scheduled?: KubernetesScheduledScaling[];
}

/**
 * Health of the pods, with the same truthful-health split as `StatelessWebTier`: readiness
 * ("send me traffic", also the load balancer's check) may fail when a dependency is down;
 * liveness ("restart me") must fail only when the process itself is stuck.
 */
export interface KubernetesHealthCheck {
  /**
   * Readiness path, also the target group's health check.
   *
   * @default '/healthz'
   */
  readonly path?: string;
  /**
   * Liveness path: answers as long as the process can answer at all, never checks a dependency
   * (a failing liveness probe restarts the pod).
   *
   * @default - a TCP connect to the container port (also the startup probe)
   */
  readonly livenessPath?: string;
  /**
   * The port the probes call. Must be the container port (the only one the container exposes).
   *
   * @default - the container port
   */
  readonly port?: number;
  /**
   * How long a starting pod may take before liveness applies (startup probe budget).
   *
   * @default Duration.minutes(5)
   */
  readonly startupTimeout?: Duration;
}

/** Weighted sharing of the load balancer's default action with the tier already there. */
export interface KubernetesTrafficWeight {
  /** Relative weight of this tier (0–999). */
  readonly thisTier: number;
  /** Relative weight of the load balancer's default tier (0–999). */
  readonly defaultTier: number;
}

/**
 * Props of a {@link KubernetesWebTier}.
 */
export interface KubernetesWebTierProps {
  /** The cluster to run on. */
  readonly cluster: TierCluster;
  /**
   * Container image as `repository:tag` or `repository@sha256:digest`, ECR or public
   * (`repo.repositoryUriForTag('1.4.2')`). A missing tag or `latest` fails unless
   * `allowLatestTag` is true: a moving tag makes two pods of one release run different code.
   */
  readonly image: string;
  /**
   * Accept an image with the `latest` tag (or none).
   *
   * @default false
   */
  readonly allowLatestTag?: boolean;
  /**
   * Port the container listens on (passed to the app as `PORT`).
   *
   * @default 8080
   */
  readonly containerPort?: number;
  /**
   * Numeric UID the app container runs as. The pods run with `runAsNonRoot`, which the kubelet can
   * only verify for a numeric user: an image whose USER is root or a name would never start. Use
   * the UID that owns the files your image writes.
   *
   * @default 10001
   */
  readonly runAsUser?: number;
  /** Resource requests and limits of each pod: required, scheduling and scaling depend on them. */
  readonly resources: KubernetesResources;
  /** Pod count bounds. */
  readonly replicas: KubernetesReplicas;
  /**
   * Scaling.
   *
   * @default - CPU at 60 %, no schedules
   */
  readonly scaling?: KubernetesScaling;
  /**
   * Probes.
   *
   * @default - readiness, liveness and startup on '/healthz'
   */
  readonly healthCheck?: KubernetesHealthCheck;
  /**
   * Kubernetes name of the workload (DNS label).
   *
   * @default - the construct id in lowercase
   */
  readonly name?: string;
  /**
   * Kubernetes namespace (created when missing).
   *
   * @default - the workload name: one namespace per tier
   */
  readonly kubernetesNamespace?: string;
  /**
   * Plain environment variables (no secrets: they end up in the manifest).
   *
   * @default - only PORT
   */
  readonly environment?: Record<string, string>;
  /**
   * Secrets Manager secrets the pods read at start: each key is an environment variable that
   * holds the path of a memory-backed file with the secret's value, fetched by an init container
   * through the pod identity. The value never appears in a manifest or the template.
   *
   * @default - none
   */
  readonly secrets?: Record<string, secretsmanager.ISecret>;
  /**
   * Join a shared load balancer through a target group of type IP.
   *
   * @default - no load balancer (reachable only inside the cluster)
   */
  readonly loadBalancer?: TierLoadBalancer;
  /**
   * Which requests of the load balancer come to this tier (host or path).
   *
   * @default - the default action (every unmatched request), or a weighted share of it with `weight`
   */
  readonly routing?: WebTierRouting;
  /**
   * Share the load balancer's default action with the tier that already has it (an EC2 tier),
   * by weight.
   *
   * @default - no weighted sharing
   */
  readonly weight?: KubernetesTrafficWeight;
  /**
   * CloudWatch alarms on the tier's target group, with a load balancer: 5xx share, p99 response
   * time, unhealthy pods, healthy pods below replicas.min, and the load balancer's own 5xx and
   * rejected connections. The EC2-only thresholds (`atMaxCapacityMinutes`, `cpuCreditBalance`) fail at synth.
   *
   * @default - every alarm with its default threshold
   */
  readonly alarms?: WebTierAlarmOptions;
}
