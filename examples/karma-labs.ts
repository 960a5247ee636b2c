import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CfnOutput, CfnParameter, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AppSource, SingletonWorker, StatelessWebTier, TierLoadBalancer, TierNetwork, TierNotifications } from '../lib';

/**
 * Props of the Karma Labs example.
 */
export interface KarmaLabsStackProps extends StackProps {
  /**
   * The site's domain: the Web tier answers it, the API tier answers `api.<domain>`.
   *
   * @default 'karmalabs.example'
   */
  readonly domainName?: string;
  /**
   * Deletion protection of the load balancer (turn it off for short-lived test stacks).
   *
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * Karma Labs: pre-baked images (Packer) for a Web and an API tier that scale on average CPU behind
 * one load balancer, and a "Brain" with too little load for a load balancer, kept alive by its
 * own Auto Scaling group. Packer writes each new AMI id to an SSM parameter; `cdk deploy` rolls it out.
 */
export class KarmaLabsStack extends Stack {
  public readonly web: StatelessWebTier;
  public readonly api: StatelessWebTier;
  public readonly brain: SingletonWorker;

  constructor(scope: Construct, id: string, props: KarmaLabsStackProps = {}) {
    super(scope, id, props);
    const domainName = props.domainName ?? 'karmalabs.example';
    const network = new TierNetwork(this, 'Network');
    // Every alarm of the stack (tiers, lock, uploads, jobs) goes to this address.
    const alertEmail = new CfnParameter(this, 'AlertEmail', {
      type: 'String', description: 'E-mail address that receives the Karma Labs alarms', allowedPattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$',
    });
    new TierNotifications(this, 'Alerts', { emails: [alertEmail.valueAsString] });

    const certificateArn = new CfnParameter(this, 'CertificateArn', {
      type: 'String',
      description: `ARN of an ACM certificate for ${domainName} and api.${domainName} in this region`,
      allowedPattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$',
    });
    const loadBalancer = new TierLoadBalancer(this, 'LoadBalancer', {
      vpc: network.vpc,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', certificateArn.valueAsString),
      deletionProtection: props.deletionProtection,
    });

    const image = (tier: string) => AppSource.fromMachineImage(
      ec2.MachineImage.fromSsmParameter(`/karma-labs/${tier}/ami`),
      { architecture: ec2.InstanceArchitecture.X86_64 },
    );

    this.web = new StatelessWebTier(this, 'Web', {
      vpc: network.vpc,
      source: image('web'),
      loadBalancer,
      capacity: { min: 2, max: 12 },
      scaling: { targetCpuPercent: 50 },
      healthCheck: { path: '/healthz' },
    });
    this.api = new StatelessWebTier(this, 'Api', {
      vpc: network.vpc,
      source: image('api'),
      loadBalancer,
      routing: { hostHeaders: [`api.${domainName}`], priority: 10 },
      capacity: { min: 2, max: 8 },
      scaling: { targetCpuPercent: 50 },
      healthCheck: { path: '/healthz' },
    });
    this.brain = new SingletonWorker(this, 'Brain', {
      vpc: network.vpc,
      source: image('brain'),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.C6I, ec2.InstanceSize.LARGE),
      healthCommand: 'curl -fsS --max-time 5 http://127.0.0.1:9000/health',
    });
    this.brain.connections.allowFrom(this.api, ec2.Port.tcp(9000), 'The API tier calls the Brain');

    new CfnOutput(this, 'LoadBalancerDnsName', { value: loadBalancer.loadBalancer.loadBalancerDnsName });
  }
}
