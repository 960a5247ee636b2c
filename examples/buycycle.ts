import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { CfnOutput, CfnParameter, Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AppSource, Findings, StatelessWebTier, TierNetwork, TierNotifications } from '../lib';

/** The TV slot of the example: the ad airs at 20:00 UTC on this day. */
export const TV_SLOT = '2027-03-06T20:00:00Z';

/**
 * Props of the Buycycle example.
 */
export interface BuycycleStackProps extends StackProps {
  /**
   * When the TV ad airs (ISO 8601); the tier is scaled up before it.
   *
   * @default TV_SLOT
   */
  readonly tvSlot?: string;
  /**
   * Deletion protection of the load balancer (turn it off for short-lived test stacks).
   *
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Build the storefront from this git repository (SSH URL, branch main, deploy key in the secret
   * `buycycle/deploy-key`) instead of the pre-baked image. The instance lab uses it: it has no
   * image, and it checks that an instance leaving the warm pool pulls the latest commit.
   *
   * @default - the pre-baked image of the SSM parameter /buycycle/web/ami
   */
  readonly repository?: string;
  /**
   * `known_hosts` lines of the repository's host (with `repository`).
   *
   * @default - none
   */
  readonly sshKnownHosts?: string;
}

/**
 * Buycycle: a bike marketplace whose TV ad brought fifteen times the expected traffic within
 * minutes. Its web tier keeps booted On-Demand instances in a warm pool (a pool cannot hold Spot
 * instances) and bursts onto Spot instances in a second group behind the same target group, scales up before the TV slot, scales on
 * request count with large steps, and keeps its health checks truthful under overload: the load
 * balancer asks for readiness, the instance reports liveness, and the target group fails open.
 * `expectSpike` makes synthesis fail if the simulator says a 15x TV ad is not absorbed within
 * 3 minutes.
 */
export class BuycycleStack extends Stack {
  public readonly web: StatelessWebTier;

  constructor(scope: Construct, id: string, props: BuycycleStackProps = {}) {
    super(scope, id, props);
    const tvSlot = props.tvSlot ?? TV_SLOT;
    const network = new TierNetwork(this, 'Network');
    // Every alarm of the stack (the storefront's 5xx, latency, health, capacity, boot failures) goes to this address.
    const alertEmail = new CfnParameter(this, 'AlertEmail', {
      type: 'String', description: 'E-mail address that receives the Buycycle alarms', allowedPattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$',
    });
    new TierNotifications(this, 'Alerts', { emails: [alertEmail.valueAsString] });
    const certificateArn = new CfnParameter(this, 'CertificateArn', {
      type: 'String',
      description: 'ARN of an ACM certificate for the marketplace domain in this region',
      allowedPattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$',
    });

    this.web = new StatelessWebTier(this, 'Web', {
      vpc: network.vpc,
      // A pre-baked image (Packer): about a minute from launch to serving.
      source: props.repository === undefined
        ? AppSource.fromMachineImage(ec2.MachineImage.fromSsmParameter('/buycycle/web/ami'), { architecture: ec2.InstanceArchitecture.X86_64 })
        : AppSource.fromGitRepository({
          repository: props.repository,
          sshKnownHosts: props.sshKnownHosts,
          branch: 'main',
          deployKey: secretsmanager.Secret.fromSecretNameV2(this, 'DeployKey', 'buycycle/deploy-key'),
          packages: ['nodejs', 'npm'],
          buildCommands: ['npm ci', 'npm run build'],
          startCommand: 'npm start',
        }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7I, ec2.InstanceSize.LARGE),
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', certificateArn.valueAsString),
      deletionProtection: props.deletionProtection,
      // On-Demand: two instances always, up to 20 (the TV slot's); a warm pool can only hold
      // On-Demand instances, so the pool (10 stopped, MaxGroupPreparedCapacity 12) sits on this group.
      capacity: { min: 2, max: 20 },
      warmPool: { minSize: 10, maxPreparedCapacity: 12, state: autoscaling.PoolState.STOPPED },
      // The cheap burst: a second group of Spot instances behind the same target group, eight of
      // them always running. An unannounced 15x ad is detected no sooner than 3 minutes after it
      // starts (one-minute load balancer data, published up to 2 minutes late), so only capacity
      // already running covers it within 3 minutes: 2 On-Demand + 8 Spot serve 15x the baseline.
      spotBurst: { min: 8, max: 20 },
      scaling: { targetCpuPercent: 50, requestsPerSecondPerInstance: 150 },
      healthCheck: { path: '/ready', livenessPath: '/live' },
      // The service level promised to the shops (99.5-99.9 %): burn-rate alerts and the error budget on the dashboard.
      slo: { availability: 99.9 },
    });
    Findings.acknowledge(this.web.listener,
      'The certificate ARN is the CertificateArn parameter, whose AllowedPattern only accepts ACM certificate ARNs; cfn-guard cannot see through the Ref.',
      ['CT.ELASTICLOADBALANCING.PR.2']);

    // The TV slot is on the calendar: 20 instances (what 15x the baseline needs, with room) from
    // 15 minutes before the ad until an hour after it.
    this.web.prepareFor('tv-ad', { at: new Date(tvSlot), capacity: 20, duration: Duration.hours(1) });
    // Boot time and rate as the tier declares them in its group (a baked image: about 100 s; 150 requests/s).
    this.web.expectSpike({ factor: 15, absorbWithin: Duration.minutes(3), spikeStartsAt: tvSlot });

    new CfnOutput(this, 'LoadBalancerDnsName', { value: this.web.loadBalancer.loadBalancerDnsName });
  }
}
