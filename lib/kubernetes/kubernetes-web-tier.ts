import * as path from 'path';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { CfnPodIdentityAssociation } from 'aws-cdk-lib/aws-eks';
import { Duration, Stack, Tags } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { packageRoot } from '../common/package-root';
import { KubernetesTierAlarms } from '../observability/kubernetes-tier-alarms';
import { validate } from './kubernetes-web-tier-validation';
import { KubernetesWebTierProps } from './kubernetes-web-tier-props';

export type {
  KubernetesHealthCheck, KubernetesReplicas, KubernetesResources, KubernetesScaling, KubernetesScheduledScaling, KubernetesTrafficWeight, KubernetesWebTierProps,
} from './kubernetes-web-tier-props';

/** How long `helm --wait --atomic` waits: well below the deploy provider's 15-minute Lambda limit. */
export const HELM_TIMEOUT = Duration.minutes(12);

/** The IP target group's deregistration delay. */
export const DEREGISTRATION_DELAY_SECONDS = 30;
/** The pods' preStop sleep: at least the deregistration delay, and 5 s for the controller to act. */
export const PRESTOP_SLEEP_SECONDS = DEREGISTRATION_DELAY_SECONDS + 5;

/** Where the web-tier Helm chart that ships with the library lives (from the sources or the build). */
export function webTierChartDir(): string {
  return path.join(packageRoot(), 'lib', 'kubernetes', 'charts', 'web-tier');
}

/**
 * A stateless web tier on EKS: a container image rendered by the library's `web-tier` Helm chart
 * (Deployment, Service, HorizontalPodAutoscaler, PodDisruptionBudget, ServiceAccount,
 * TargetGroupBinding, pre-scale CronJobs), installed from a chart asset through the cluster's
 * Helm support.
 *
 * Pods spread across zones, scale on CPU with a fast-up, slow-down policy, keep serving while the
 * load balancer drains them, and get AWS access through EKS Pod Identity: exactly what `grant*()`
 * calls on the tier ask for.
 */
export class KubernetesWebTier extends Construct implements iam.IGrantable, ec2.IConnectable {
  /** The pods' IAM role (EKS Pod Identity). */
  public readonly role: iam.Role;
  /** Grant target: statements land in a customer managed policy of the pods' role. */
  public readonly grantPrincipal: iam.IPrincipal;
  /** The Helm release. */
  public readonly chart: eks.HelmChart;
  /** The chart values, as rendered into the release. */
  public readonly values: Record<string, unknown>;
  /** The IP target group the load balancer forwards to, when a load balancer is given. */
  public readonly targetGroup?: elbv2.ApplicationTargetGroup;
  /** The Kubernetes name of the workload. */
  public readonly workloadName: string;
  /** The namespace. */
  public readonly kubernetesNamespace: string;
  /** The tier's CloudWatch alarms and dashboard section, when it has a load balancer. */
  public readonly alarms?: KubernetesTierAlarms;
  /**
   * Network access of the pods: `db.connections.allowDefaultPortFrom(tier)`. EKS Auto Mode gives
   * pods the cluster security group (it has no security groups per pod), so a rule opened to the
   * tier admits every pod of the cluster; the default port is the container port.
   */
  public readonly connections: ec2.Connections;
  /** The EKS Pod Identity association of the pods' service account (the chart waits for it). */
  public readonly podIdentity: CfnPodIdentityAssociation;

  constructor(scope: Construct, id: string, props: KubernetesWebTierProps) {
    super(scope, id);
    const port = props.containerPort ?? 8080;
    this.workloadName = props.name ?? id.toLowerCase().replace(/[^a-z0-9-]/g, '-');
    this.kubernetesNamespace = props.kubernetesNamespace ?? this.workloadName;
    validate(this, props, port);

    const health = props.healthCheck ?? {};
    const readinessPath = health.path ?? '/healthz';
    const startupSeconds = (health.startupTimeout ?? Duration.minutes(5)).toSeconds();

    this.role = new iam.Role(this, 'PodRole', {
      // EKS Pod Identity assumes the role with session tags (cluster, namespace, service account).
      assumedBy: new iam.SessionTagsPrincipal(new iam.ServicePrincipal('pods.eks.amazonaws.com')),
      description: `Pods of ${this.node.path} (EKS Pod Identity)`,
    });
    this.grantPrincipal = new LazyManagedPolicyPrincipal(this, this.role);
    const serviceAccountName = this.workloadName;
    this.connections = new ec2.Connections({ securityGroups: [props.cluster.clusterSecurityGroup], defaultPort: ec2.Port.tcp(port) });
    this.podIdentity = new CfnPodIdentityAssociation(this, 'PodIdentity', {
      clusterName: props.cluster.cluster.clusterName,
      namespace: this.kubernetesNamespace,
      serviceAccount: serviceAccountName,
      roleArn: this.role.roleArn,
    });

    const secretFiles = Object.entries(props.secrets ?? {}).map(([envName, secret]) => {
      secret.grantRead(this);
      return { name: envName.toLowerCase().replace(/_/g, '-'), envName, secretArn: secret.secretArn };
    });

    if (props.loadBalancer) {
      this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
        vpc: props.cluster.cluster.vpc,
        targetType: elbv2.TargetType.IP,
        port,
        protocol: elbv2.ApplicationProtocol.HTTP,
        deregistrationDelay: Duration.seconds(DEREGISTRATION_DELAY_SECONDS),
        healthCheck: {
          path: readinessPath,
          interval: Duration.seconds(10),
          timeout: Duration.seconds(5),
          healthyThresholdCount: 2,
          unhealthyThresholdCount: 3,
          healthyHttpCodes: '200-299',
        },
      });
      // Auto Mode's load balancer controller may register targets only in groups tagged with its cluster.
      Tags.of(this.targetGroup).add('eks:eks-cluster-name', props.cluster.cluster.clusterName);
      props.cluster.clusterSecurityGroup.connections.allowFrom(props.loadBalancer.loadBalancer, ec2.Port.tcp(port),
        `${this.node.path}: load balancer to pods`);
      const accessLogQueries = props.loadBalancer._addTier(this, this.targetGroup, props.routing, props.weight);
      this.alarms = new KubernetesTierAlarms(this, 'Alarms', {
        loadBalancerScope: props.loadBalancer, loadBalancer: props.loadBalancer.loadBalancer, targetGroup: this.targetGroup,
        minReplicas: props.replicas.min, options: props.alarms, accessLogQueries,
      });
    }

    const resources: Record<string, unknown> = {
      requests: { cpu: props.resources.cpu, memory: props.resources.memory },
      limits: {
        memory: props.resources.memoryLimit ?? props.resources.memory,
        ...(props.resources.cpuLimit ? { cpu: props.resources.cpuLimit } : {}),
      },
    };
    this.values = {
      name: this.workloadName,
      image: props.image,
      containerPort: port,
      replicas: { min: props.replicas.min, max: props.replicas.max },
      targetCpuPercent: props.scaling?.targetCpuPercent ?? 60,
      resources,
      probes: {
        readiness: { path: readinessPath, periodSeconds: 5, failureThreshold: 2 },
        // No path: a TCP connect, so that a dependency outage never restarts the pods.
        liveness: { path: health.livenessPath ?? '', periodSeconds: 20, failureThreshold: 6 },
        startup: { path: health.livenessPath ?? '', periodSeconds: 5, failureThreshold: Math.max(1, Math.ceil(startupSeconds / 5)) },
      },
      env: Object.entries(props.environment ?? {}).map(([name, value]) => ({ name, value })),
      secretFiles,
      serviceAccountName,
      targetGroupArn: this.targetGroup?.targetGroupArn ?? '',
      maxUnavailable: 1,
      runAsUser: props.runAsUser ?? 10001,
      initRunAsUser: 65532,
      onDemandFloor: true,
      // Keep serving for the whole deregistration delay (plus 5 s for the controller to deregister),
      // then 30 s for the app to finish its requests.
      terminationGracePeriodSeconds: PRESTOP_SLEEP_SECONDS + 30,
      preStopSleepSeconds: PRESTOP_SLEEP_SECONDS,
      requestsScaling: props.scaling?.requestsPerSecondPerPod && this.targetGroup ? {
        // The metric is the Sum over one minute.
        requestsPerPodPerMinute: Math.round(props.scaling.requestsPerSecondPerPod * 60),
        targetGroupFullName: this.targetGroup.targetGroupFullName,
        loadBalancerFullName: props.loadBalancer!.loadBalancer.loadBalancerFullName,
        region: Stack.of(this).region,
      } : null,
      scheduledScaling: (props.scaling?.scheduled ?? []).map(s => ({
        name: s.name, schedule: s.schedule, minReplicas: s.minReplicas, timeZone: s.timeZone ?? 'Etc/UTC',
      })),
    };

    const chartAsset = new s3assets.Asset(this, 'ChartAsset', { path: webTierChartDir() });
    // The namespace comes from the cluster (labelled for Auto Mode's readiness gates), not from Helm.
    const namespace = props.cluster._namespace(this.kubernetesNamespace);
    this.chart = props.cluster.cluster.addHelmChart(`${id}Chart`, {
      chartAsset,
      release: this.workloadName,
      namespace: this.kubernetesNamespace,
      createNamespace: false,
      values: this.values,
      wait: true,
      atomic: true,
      // Below the deploy provider's 15-minute Lambda limit, so that helm itself fails and rolls back
      // (--atomic) instead of being cut off with the release stuck in pending-upgrade (aws-cdk#22257).
      timeout: HELM_TIMEOUT,
    });
    // Nodes must exist (node pools) before pods can become ready; KEDA's CRDs before a ScaledObject.
    this.chart.node.addDependency(props.cluster.nodePools, namespace);
    // Pod Identity associations are eventually consistent: pods created before theirs get no credentials.
    this.chart.node.addDependency(this.podIdentity);
    if (props.scaling?.requestsPerSecondPerPod) this.chart.node.addDependency(props.cluster._eventDrivenAutoscaling());
  }
}

/** Grants land in a customer managed policy of the role, created at the first grant. */
class LazyManagedPolicyPrincipal implements iam.IPrincipal {
  public readonly grantPrincipal: iam.IPrincipal = this;
  private policy?: iam.ManagedPolicy;

  constructor(private readonly scope: Construct, private readonly role: iam.Role) {}

  public get assumeRoleAction(): string { return this.role.assumeRoleAction; }
  public get policyFragment(): iam.PrincipalPolicyFragment { return this.role.policyFragment; }
  public get principalAccount(): string | undefined { return this.role.principalAccount; }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    if (!this.policy) {
      this.policy = new iam.ManagedPolicy(this.scope, 'PodPolicy', { roles: [this.role] });
    }
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }

  public addToPolicy(statement: iam.PolicyStatement): boolean {
    return this.addToPrincipalPolicy(statement).statementAdded;
  }
}
