import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnPodIdentityAssociation } from 'aws-cdk-lib/aws-eks';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CfnElement, Duration, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeFindings, compliancePacks } from '../common/acknowledge';
import { allowLogGroupsToUseKey, createKey, keyFor } from '../common/encryption';
import { checkInteger, invalid, warn } from '../common/validation';

/** The KEDA chart version installed when a tier scales on requests per pod (chart and app versions match). */
export const KEDA_VERSION = '2.20.2';

/**
 * Namespace labels with which the load balancer controller injects the target-health readiness
 * gate into new pods: the AWS Load Balancer Controller's documented label, and the
 * `eks.amazonaws.com` spelling of Auto Mode's managed controller (both set; an unknown label is inert).
 */
export const READINESS_GATE_LABELS: Record<string, string> = {
  'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled',
  'eks.amazonaws.com/pod-readiness-gate-inject': 'enabled',
};

/** The Kubernetes version a new {@link TierCluster} runs unless told otherwise. */
export const DEFAULT_KUBERNETES_VERSION = '1.33';

/**
 * How much of the cluster's compute runs On-Demand and how far Spot may grow above it.
 *
 * Two EKS Auto Mode node pools (Karpenter `NodePool`s) share the work: `on-demand-base`
 * (weight 100, On-Demand only, capped at `onDemandBaseVcpus`) fills first; `spot-burst`
 * (weight 10, Spot with On-Demand as the fallback when Spot has no capacity) takes every pod above
 * the base, up to `maxVcpus` in total.
 */
export interface TierClusterCapacity {
  /**
   * vCPUs of On-Demand nodes that pods are placed on before any Spot node starts: enough for the
   * baseline, so that a Spot interruption never takes the floor of the service.
   *
   * @default 4
   */
  readonly onDemandBaseVcpus?: number;
  /**
   * vCPUs the Spot pool may add above the base (the Spot pool's limit).
   *
   * @default 64
   */
  readonly spotMaxVcpus?: number;
  /**
   * EC2 instance families the node pools may choose from. Several families on two
   * architectures-independent generations keep Spot capacity available when one runs dry.
   *
   * @default ['c6i', 'c6a', 'c7i', 'm6i', 'm6a', 'm7i']
   */
  readonly instanceFamilies?: string[];
  /**
   * Largest instance size the pools may start (`large`, `xlarge`, `2xlarge`...).
   *
   * @default ['large', 'xlarge', '2xlarge']
   */
  readonly instanceSizes?: string[];
}

/**
 * Props of a {@link TierCluster}.
 */
export interface TierClusterProps {
  /** The VPC: the control plane's network interfaces and every node go to its private subnets. */
  readonly vpc: ec2.IVpc;
  /**
   * A Lambda layer with `kubectl` and `helm` matching `kubernetesVersion`, used by the provider
   * that installs charts and manifests during deployments. Install the npm package
   * `@aws-cdk/lambda-layer-kubectl-v33` (one package per Kubernetes minor: `-v34` for 1.34...),
   * which ships the layer as a prebuilt zip (no Docker, no network at synth), and pass
   * `new KubectlV33Layer(this, 'Kubectl')`.
   */
  readonly kubectlLayer: lambda.ILayerVersion;
  /**
   * Kubernetes version of the control plane, `major.minor`. Upgrade one minor version per deploy
   * (EKS refuses to skip one), with a kubectl layer of the same minor; Auto Mode then replaces the
   * nodes within their disruption budgets. See the README, "Upgrading Kubernetes".
   *
   * @default '1.33'
   */
  readonly kubernetesVersion?: string;
  /**
   * CIDR blocks that may reach the Kubernetes API endpoint from the internet. Without them the
   * endpoint is private: reachable only from inside the VPC (a bastion, a VPN, the deploy
   * provider).
   *
   * @default - private endpoint only
   */
  readonly publicEndpointCidrs?: string[];
  /**
   * The KMS key that encrypts Kubernetes Secrets in etcd (envelope encryption).
   *
   * @default - a new key with yearly rotation
   */
  readonly secretsEncryptionKey?: kms.IKey;
  /**
   * Control plane log types sent to CloudWatch Logs.
   *
   * @default - all five: api, audit, authenticator, controllerManager, scheduler
   */
  readonly controlPlaneLogging?: eks.ClusterLoggingTypes[];
  /**
   * IAM role ARNs that get cluster admin through an EKS access entry (no aws-auth ConfigMap).
   *
   * @default - none; only the deploy provider is admin. Add people with `grantAdmin`.
   */
  readonly adminRoleArns?: string[];
  /**
   * On-Demand base and Spot burst capacity of the cluster's node pools.
   *
   * @default - 4 On-Demand vCPUs, up to 64 Spot vCPUs above them
   */
  readonly capacity?: TierClusterCapacity;
  /**
   * Physical name of the cluster.
   *
   * @default - generated by CloudFormation
   */
  readonly clusterName?: string;
}

/**
 * An Amazon EKS cluster for web tiers, from `aws-cdk-lib/aws-eks-v2`, secure by default.
 *
 * - **Private API endpoint** unless `publicEndpointCidrs` names who may reach it.
 * - **Secrets envelope encryption** with a KMS key, **all control plane logs**.
 * - **Access entries** (authentication mode API): no aws-auth ConfigMap.
 * - **EKS Auto Mode** compute: the built-in `system` pool for cluster add-ons, and two node pools
 *   of our own, an On-Demand base and Spot above it over several instance families; nodes follow
 *   the pods that the tiers' HorizontalPodAutoscalers ask for.
 * - **Load balancing**: Auto Mode's managed load balancer controller (the AWS Load Balancer
 *   Controller run by EKS) binds tiers to target groups created here (`TargetGroupBinding`).
 * - **Pod identity** for `KubernetesWebTier` service accounts: Auto Mode runs the agent itself.
 * - **metrics-server** (the EKS community add-on): EKS does not install it, and every CPU-based
 *   HorizontalPodAutoscaler needs it.
 */
export class TierCluster extends Construct {
  /** The EKS cluster. */
  public readonly cluster: eks.Cluster;
  /** The key that encrypts Kubernetes Secrets. */
  public readonly secretsEncryptionKey: kms.IKey;
  /** The Kubernetes version, `major.minor`. */
  public readonly kubernetesVersion: string;
  /** The node pool manifest (On-Demand base and Spot burst). */
  public readonly nodePools: eks.KubernetesManifest;
  /** The metrics-server add-on (resource metrics for the HorizontalPodAutoscalers). */
  public readonly metricsServer: eks.Addon;

  constructor(scope: Construct, id: string, props: TierClusterProps) {
    super(scope, id);
    this.kubernetesVersion = props.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    if (!/^1\.\d{2}$/.test(this.kubernetesVersion)) {
      invalid(this, 'CWT801', 'kubernetesVersion', this.kubernetesVersion, "Give major.minor, for example '1.33'.");
    }
    if (props.publicEndpointCidrs !== undefined) {
      if (props.publicEndpointCidrs.length === 0) {
        invalid(this, 'CWT802', 'publicEndpointCidrs', [], 'An empty list would open the API endpoint to every address: list the CIDR blocks that may reach it, or remove publicEndpointCidrs for a private endpoint.');
      }
      for (const cidr of props.publicEndpointCidrs) {
        if (!Token.isUnresolved(cidr) && !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr)) {
          invalid(this, 'CWT803', 'publicEndpointCidrs', cidr, "Give IPv4 CIDR blocks, for example '203.0.113.0/24'.");
        }
        if (cidr === '0.0.0.0/0') {
          warn(this, 'publicApiEndpoint', 'publicEndpointCidrs includes 0.0.0.0/0: the Kubernetes API answers the whole internet (authentication still applies).');
        }
      }
    }
    const capacity = props.capacity ?? {};
    const base = capacity.onDemandBaseVcpus ?? 4;
    const spot = capacity.spotMaxVcpus ?? 64;
    checkInteger(this, 'CWT804', 'capacity.onDemandBaseVcpus', base, 2, 10000);
    checkInteger(this, 'CWT805', 'capacity.spotMaxVcpus', spot, 0, 100000);
    const families = capacity.instanceFamilies ?? ['c6i', 'c6a', 'c7i', 'm6i', 'm6a', 'm7i'];
    if (families.length < 2) {
      invalid(this, 'CWT806', 'capacity.instanceFamilies', families, 'Give at least two instance families so that Spot capacity can come from another pool when one runs dry.');
    }
    const sizes = capacity.instanceSizes ?? ['large', 'xlarge', '2xlarge'];
    if (sizes.length === 0) {
      invalid(this, 'CWT807', 'capacity.instanceSizes', sizes, "Give at least one size, for example ['large', 'xlarge'].");
    }

    this.secretsEncryptionKey = props.secretsEncryptionKey ?? createKey(this, 'SecretsKey', `Envelope encryption of the Kubernetes Secrets of ${this.node.path}`);
    const privateSubnets = props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    // The deploy provider (kubectl and helm in Lambda) reaches the private endpoint, S3 (chart
    // assets) and the AWS APIs over HTTPS only.
    const providerSecurityGroup = new ec2.SecurityGroup(this, 'DeployProviderSecurityGroup', {
      vpc: props.vpc,
      description: `Deploy provider of ${this.node.path}: HTTPS to the Kubernetes API and AWS`,
      allowAllOutbound: false,
    });
    providerSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to the Kubernetes API endpoint, S3 and AWS APIs');
    const endpointAccess = props.publicEndpointCidrs
      ? eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...props.publicEndpointCidrs)
      : eks.EndpointAccess.PRIVATE;

    this.cluster = new eks.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
      version: eks.KubernetesVersion.of(this.kubernetesVersion),
      clusterName: props.clusterName,
      endpointAccess,
      secretsEncryptionKey: this.secretsEncryptionKey,
      clusterLogging: props.controlPlaneLogging ?? [
        eks.ClusterLoggingTypes.API, eks.ClusterLoggingTypes.AUDIT, eks.ClusterLoggingTypes.AUTHENTICATOR,
        eks.ClusterLoggingTypes.CONTROLLER_MANAGER, eks.ClusterLoggingTypes.SCHEDULER,
      ],
      defaultCapacityType: eks.DefaultCapacityType.AUTOMODE,
      // Only the built-in pool for add-ons; the tiers' pods go to the two pools below.
      compute: { nodePools: ['system'] },
      // The deploy role is no admin of the cluster; people are, through adminRoleArns.
      bootstrapClusterCreatorAdminPermissions: false,
      outputConfigCommand: false,
      kubectlProviderOptions: {
        kubectlLayer: props.kubectlLayer,
        // The endpoint is private: the provider runs in the VPC, in the cluster security group.
        privateSubnets: privateSubnets.subnets,
        securityGroups: [providerSecurityGroup],
      },
    });
    this.cluster.connections.allowFrom(providerSecurityGroup, ec2.Port.tcp(443), 'Deploy provider to the Kubernetes API');
    this.acknowledgeEksModuleFindings();
    (props.adminRoleArns ?? []).forEach((arn, i) => this.grantAdmin(`Admin${i}`, arn));
    // Pods get AWS credentials from EKS Pod Identity: Auto Mode runs its agent, no add-on needed.
    // EKS does not install metrics-server; the HorizontalPodAutoscalers' CPU metric comes from it.
    this.metricsServer = new eks.Addon(this, 'MetricsServer', { cluster: this.cluster, addonName: 'metrics-server' });
    this.encryptProviderLogGroups();

    this.nodePools = this.cluster.addManifest('NodePools',
      nodePool('on-demand-base', 100, ['on-demand'], base, families, sizes),
      nodePool('spot-burst', 10, ['spot', 'on-demand'], spot, families, sizes));
  }

  /**
   * Under `@aws-cdk/aws-lambda:useCdkManagedLogGroup` (which `cdk init` sets), the deploy
   * provider's functions get log groups of their own, unencrypted: encrypt them with the stack's
   * default key or one of the cluster's.
   */
  private encryptProviderLogGroups(): void {
    const provider = this.cluster.node.findChild('KubectlProvider');
    const groups = provider.node.findAll().filter((c): c is logs.CfnLogGroup => c instanceof logs.CfnLogGroup);
    if (groups.length === 0) return;
    const key = keyFor(this, undefined, 'ProviderLogsKey', `Logs of the deploy provider of ${this.node.path}`);
    allowLogGroupsToUseKey(key);
    for (const group of groups) group.kmsKeyId = key.keyArn;
  }

  /**
   * The namespace `name`, created once per cluster with the label that makes EKS Auto Mode add
   * the load balancer's target health as a readiness gate of its pods.
   * @internal
   */
  public _namespace(name: string): eks.KubernetesManifest {
    const id = `Namespace-${name}`;
    const existing = this.node.tryFindChild(id) as eks.KubernetesManifest | undefined;
    if (existing) return existing;
    return new eks.KubernetesManifest(this, id, {
      cluster: this.cluster,
      manifest: [{
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels: { ...READINESS_GATE_LABELS, 'app.kubernetes.io/managed-by': 'cdk-web-tiers' } },
      }],
      overwrite: true,
    });
  }

  /**
   * What the validators report on resources that aws-cdk-lib's eks-v2 module creates and this
   * library cannot change: the deploy provider's Lambda functions and roles, and the AWS managed
   * policies that EKS Auto Mode requires.
   */
  private acknowledgeEksModuleFindings(): void {
    const provider = this.cluster.node.findChild('KubectlProvider');
    const functions = [provider.node.findChild('Handler'), provider.node.findChild('Provider').node.findChild('framework-onEvent')];
    const providerReason = "aws-cdk-lib's kubectl/helm deploy provider: CloudFormation invokes it only while deploying, one resource at a time, and retries and reports " +
      'its failures itself, so a concurrency limit and a dead-letter queue add nothing; its environment holds no secrets; aws-cdk-lib picks and updates its runtime.';
    acknowledgeFindings(provider, providerReason,
      'AwsSolutions-L1', ...compliancePacks('LambdaConcurrency').slice(0, 2), ...compliancePacks('LambdaDLQ').slice(0, 2));
    for (const fn of functions) {
      acknowledgeFindings(fn, providerReason, 'CKV_AWS_115', 'CKV_AWS_116', 'CKV_AWS_173');
      acknowledgeFindings(fn, "aws-cdk-lib writes a DependsOn on the function's role that a GetAtt already implies; harmless and not ours to change.", 'W3005');
    }
    const stack = Stack.of(this);
    const ecrPublicCondition = stack.getLogicalId(functions[0].node.findChild('HasEcrPublic') as CfnElement);
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    acknowledgeFindings(provider,
      'The deploy provider roles are written by aws-cdk-lib: AWS managed Lambda execution, VPC access and ECR read policies, read access to the CDK asset ' +
      'bucket (chart assets) and an inline policy to invoke its own handler; the provider has cluster admin through an access entry only.',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly]',
      `AwsSolutions-IAM4[Policy::{"Fn::If":["${ecrPublicCondition}",{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly"]]},{"Ref":"AWS::NoValue"}]}]`,
      'AwsSolutions-IAM5[Action::s3:GetBucket*]', 'AwsSolutions-IAM5[Action::s3:GetObject*]', 'AwsSolutions-IAM5[Action::s3:List*]',
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${region}/*]`,
      `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(functions[0].node.defaultChild as CfnElement)}.Arn>:*]`,
      ...compliancePacks('IAMNoInlinePolicy'));
    acknowledgeFindings(this.cluster,
      'EKS Auto Mode requires these AWS managed policies on the cluster role (compute, block storage, load balancing, networking) and the node role ' +
      '(worker node, ECR pull); AWS maintains them as Auto Mode gains features.',
      ...['AmazonEKSClusterPolicy', 'AmazonEKSComputePolicy', 'AmazonEKSBlockStoragePolicy', 'AmazonEKSLoadBalancingPolicy', 'AmazonEKSNetworkingPolicy',
        'AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryReadOnly'].map(p => `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${p}]`));
    acknowledgeFindings(this.cluster, 'aws-cdk-lib adds a DependsOn on every subnet that the cluster also references; harmless and not ours to change.', 'W3005');
  }

  /**
   * KEDA, installed the first time a tier scales on requests per pod: its operator reads the load
   * balancer's request counts from CloudWatch through its own pod identity.
   * @internal
   */
  public _eventDrivenAutoscaling(): eks.HelmChart {
    const existing = this.node.tryFindChild('Keda') as eks.HelmChart | undefined;
    if (existing) return existing;
    const role = new iam.Role(this, 'KedaOperatorRole', {
      assumedBy: new iam.SessionTagsPrincipal(new iam.ServicePrincipal('pods.eks.amazonaws.com')),
      description: `KEDA operator of ${this.node.path} (EKS Pod Identity): reads CloudWatch metrics`,
    });
    const policy = new iam.ManagedPolicy(this, 'KedaOperatorPolicy', {
      roles: [role],
      statements: [new iam.PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] })],
    });
    acknowledgeFindings(policy, 'cloudwatch:GetMetricData has no resource-level permissions: AWS only accepts "*" for it; it reads metrics, nothing else.',
      'AwsSolutions-IAM5[Resource::*]');
    const identity = new CfnPodIdentityAssociation(this, 'KedaOperatorIdentity', {
      clusterName: this.cluster.clusterName, namespace: 'keda', serviceAccount: 'keda-operator', roleArn: role.roleArn,
    });
    // A third-party chart: the deploy provider fetches it from the KEDA repository at deploy time (pinned version).
    const keda = new eks.HelmChart(this, 'Keda', {
      cluster: this.cluster,
      repository: 'https://kedacore.github.io/charts',
      chart: 'keda',
      version: KEDA_VERSION,
      release: 'keda',
      namespace: 'keda',
      wait: true,
      atomic: true,
      // Below the deploy provider's 15-minute Lambda limit (aws-cdk#22257).
      timeout: Duration.minutes(12),
    });
    // Pod Identity associations are eventually consistent: the operator must start with its credentials.
    keda.node.addDependency(this.nodePools, identity);
    return keda;
  }

  /** Gives an IAM role ARN cluster admin through an access entry. */
  public grantAdmin(id: string, roleArn: string): void {
    this.cluster.grantClusterAdmin(id, roleArn);
  }

  /** The security group of the cluster's nodes and pods (EKS creates it). */
  public get clusterSecurityGroup(): ec2.ISecurityGroup {
    return this.cluster.clusterSecurityGroup;
  }
}

function nodePool(name: string, weight: number, capacityTypes: string[], vcpus: number, families: string[], sizes: string[]): Record<string, unknown> {
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'cdk-web-tiers' } },
    spec: {
      weight,
      limits: { cpu: String(vcpus) },
      disruption: {
        consolidationPolicy: 'WhenEmptyOrUnderutilized',
        consolidateAfter: '5m',
        // Never more than one node in ten replaced at once, by consolidation, drift or an upgrade.
        budgets: [{ nodes: '10%' }],
      },
      template: {
        metadata: { labels: { 'cdk-web-tiers/pool': name } },
        spec: {
          nodeClassRef: { group: 'eks.amazonaws.com', kind: 'NodeClass', name: 'default' },
          expireAfter: '336h',
          requirements: [
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: capacityTypes },
            { key: 'eks.amazonaws.com/instance-family', operator: 'In', values: families },
            { key: 'eks.amazonaws.com/instance-size', operator: 'In', values: sizes },
            { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
          ],
        },
      },
    },
  };
}
