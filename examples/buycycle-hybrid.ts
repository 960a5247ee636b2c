import { KubectlV33Layer } from '@aws-cdk/lambda-layer-kubectl-v33';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CfnOutput, CfnParameter, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AppSource, KubernetesWebTier, StatelessWebTier, TierCluster, TierLoadBalancer, TierNetwork, TierNotifications } from '../lib';

/**
 * Props of the Buycycle hybrid example.
 */
export interface BuycycleHybridStackProps extends StackProps {
  /**
   * Deletion protection of the load balancer (off for short-lived test stacks).
   *
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * Buycycle, a marketplace for used bikes, after sorting its work into static and dynamic: the
 * storefront's steady traffic runs on a fixed EC2 baseline (a `StatelessWebTier` from a pre-baked
 * image, sized for the everyday load and covered by a Savings Plan), while search and the API,
 * which jump with every campaign, run as a `KubernetesWebTier` that bursts onto Spot. One load
 * balancer routes by path: `/api/*` and `/search*` to Kubernetes, everything else to EC2.
 */
export class BuycycleHybridStack extends Stack {
  public readonly storefront: StatelessWebTier;
  public readonly api: KubernetesWebTier;

  constructor(scope: Construct, id: string, props: BuycycleHybridStackProps = {}) {
    super(scope, id, props);
    const network = new TierNetwork(this, 'Network');
    const alertEmail = new CfnParameter(this, 'AlertEmail', {
      type: 'String',
      description: 'E-mail address that receives the marketplace alarms',
      allowedPattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$',
    });
    new TierNotifications(this, 'Alerts', { emails: [alertEmail.valueAsString] });
    const certificateArn = new CfnParameter(this, 'CertificateArn', {
      type: 'String',
      description: 'ARN of an ACM certificate for the marketplace in this region',
      allowedPattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$',
    });
    const loadBalancer = new TierLoadBalancer(this, 'LoadBalancer', {
      vpc: network.vpc,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', certificateArn.valueAsString),
      deletionProtection: props.deletionProtection,
    });

    // Static: a fixed baseline on EC2, the default tier of the load balancer.
    this.storefront = new StatelessWebTier(this, 'Storefront', {
      vpc: network.vpc,
      source: AppSource.fromMachineImage(ec2.MachineImage.fromSsmParameter('/buycycle/storefront/ami'), { architecture: ec2.InstanceArchitecture.X86_64 }),
      loadBalancer,
      // max leaves room for a rolling deploy batch above the fixed baseline.
      capacity: { min: 3, max: 5 },
      healthCheck: { path: '/healthz' },
    });

    // Dynamic: the API and search burst on Kubernetes, On-Demand base and Spot above it.
    const cluster = new TierCluster(this, 'Cluster', {
      vpc: network.vpc,
      kubectlLayer: new KubectlV33Layer(this, 'KubectlLayer'),
      capacity: { onDemandBaseVcpus: 4, spotMaxVcpus: 96 },
    });
    this.api = new KubernetesWebTier(this, 'Api', {
      cluster,
      image: 'public.ecr.aws/buycycle/api:5.3.1',
      resources: { cpu: '250m', memory: '512Mi' },
      replicas: { min: 2, max: 60 },
      scaling: { targetCpuPercent: 60 },
      healthCheck: { path: '/healthz' },
      kubernetesNamespace: 'marketplace',
      loadBalancer,
      routing: { pathPatterns: ['/api/*', '/search*'], priority: 10 },
    });

    new CfnOutput(this, 'LoadBalancerDnsName', { value: loadBalancer.loadBalancer.loadBalancerDnsName });
  }
}
