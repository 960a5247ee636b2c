import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Aws } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeFindings, compliancePacks } from '../common/acknowledge';
import { allowLogGroupsToUseKey, keyFor } from '../common/encryption';
import { checkInteger, checkOptions, invalid, warn } from '../common/validation';
import { EnvironmentProfile } from '../common/environment-profile';

/**
 * Props of a {@link TierNetwork}.
 */
export interface TierNetworkProps {
  /**
   * Availability Zones to span: 2 or 3.
   *
   * @default 2
   */
  readonly maxAzs?: number;
  /**
   * IPv4 range of the VPC (a /16 to /24 block).
   *
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
  /**
   * NAT gateways. One per Availability Zone keeps the private subnets online when a zone fails;
   * fewer saves money at that risk.
   *
   * @default - one per Availability Zone; one in all when the environment profile has sharedNatGateway (development)
   */
  readonly natGateways?: number;
  /**
   * Interface endpoints for SSM (Session Manager), Secrets Manager, CloudWatch Logs and
   * CloudFormation, so that those calls stay inside the VPC. About $7 per endpoint per AZ per month.
   *
   * @default false
   */
  readonly interfaceEndpoints?: boolean;
  /**
   * Retention of the VPC flow logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;
  /**
   * Key that encrypts the flow log group.
   *
   * @default - the stack's default key (`EncryptionKeys.setDefault`), else a new key with rotation on
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * A VPC for web tiers: public subnets (load balancers, NAT gateways), private subnets with egress
 * (instances) and isolated subnets (databases, caches) over 2 or 3 Availability Zones; flow logs of
 * all traffic to an encrypted log group; an S3 gateway endpoint; interface endpoints on request.
 *
 * Every construct in this library also accepts any `ec2.IVpc`.
 */
export class TierNetwork extends Construct {
  /** The VPC. */
  public readonly vpc: ec2.Vpc;
  /** The flow log group. */
  public readonly flowLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: TierNetworkProps = {}) {
    super(scope, id);
    checkOptions(this, 'props', props, { maxAzs: 'number', cidr: 'string', natGateways: 'number', interfaceEndpoints: 'boolean', flowLogRetention: 'number', encryptionKey: 'object' });
    const maxAzs = props.maxAzs ?? 2;
    if (maxAzs !== 2 && maxAzs !== 3) {
      invalid(this, 'CWT141', 'maxAzs', maxAzs, 'Use 2 or 3: tiers need at least two Availability Zones, and a third adds resilience, not capacity.');
    }
    const profile = EnvironmentProfile.of(this);
    const natGateways = props.natGateways ?? (profile.sharedNatGateway ? 1 : maxAzs);
    checkInteger(this, 'CWT142', 'natGateways', natGateways, 1, maxAzs);
    if (natGateways < maxAzs) {
      const message = `natGateways (${natGateways}) is below maxAzs (${maxAzs}): private subnets of a zone whose NAT gateway fails lose outbound access.`;
      if (props.natGateways === undefined) profile._warnChosen(this, 'sharedNatGateway', message);
      else warn(this, 'sharedNatGateway', message);
    }
    const cidr = props.cidr ?? '10.0.0.0/16';
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (!match || match.slice(1, 5).some(o => Number(o) > 255) || Number(match[5]) < 16 || Number(match[5]) > 24) {
      invalid(this, 'CWT143', 'cidr', cidr, "Use an IPv4 block from /16 to /24, for example '10.0.0.0/16'.");
    }
    const prefix = Number(match[5]);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      maxAzs,
      natGateways,
      restrictDefaultSecurityGroup: false,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: prefix + 4, mapPublicIpOnLaunch: false },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: prefix + 3 },
        { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: prefix + 4 },
      ],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });

    const key = keyFor(this, props.encryptionKey, 'FlowLogKey', `Encrypts the VPC flow logs of ${this.node.path}`);
    allowLogGroupsToUseKey(key);
    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: key,
    });
    // The delivery role's permissions live in a customer managed policy (no inline policy); the
    // flow log construct's own grants are dropped by withoutPolicyUpdates().
    const flowLogRole = new iam.Role(this, 'FlowLogRole', {
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: `Delivers the VPC flow logs of ${this.node.path}`,
    });
    const flowLogPolicy = new iam.ManagedPolicy(this, 'FlowLogPolicy', {
      roles: [flowLogRole],
      statements: [new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [this.flowLogGroup.logGroupArn],
      })],
    });
    const flowLog = this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup, flowLogRole.withoutPolicyUpdates()),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    flowLog.node.addDependency(flowLogPolicy);

    for (const subnet of this.vpc.publicSubnets) {
      const route = subnet.node.tryFindChild('DefaultRoute');
      if (route) {
        acknowledgeFindings(route,
          'Public subnets hold only the load balancers and NAT gateways, which need a default route to the internet gateway; instances and data stores sit in private and isolated subnets.',
          ...compliancePacks('VPCNoUnrestrictedRouteToIGW'));
      }
    }
    acknowledgeFindings(this.vpc,
      'The default security group is attached to nothing: every construct of this library creates its own groups. Closing it needs a Lambda-backed custom resource, whose own findings outnumber this one.',
      ...compliancePacks('VPCDefaultSecurityGroupClosed'));

    if (props.interfaceEndpoints) {
      const services: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
        Ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
        SsmMessages: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
        SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
        Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
        CloudFormation: ec2.InterfaceVpcEndpointAwsService.CLOUDFORMATION,
      };
      for (const [name, service] of Object.entries(services)) {
        this.vpc.addInterfaceEndpoint(name, {
          service,
          subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
          privateDnsEnabled: true,
        });
      }
    }
  }
}
