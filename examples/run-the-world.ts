import { KubectlV33Layer } from '@aws-cdk/lambda-layer-kubectl-v33';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Aws, CfnOutput, CfnParameter, Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EncryptionKeys, Findings, KubernetesWebTier, TierCluster, TierClusterMonitoring, TierLoadBalancer, TierNetwork, TierNotifications } from '../lib';

/**
 * Props of the Run The World example.
 */
export interface RunTheWorldStackProps extends StackProps {
  /**
   * Deletion protection of the load balancer and the database (off for short-lived test stacks).
   *
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * The event platform's API image, pinned to a release.
   *
   * @default 'public.ecr.aws/runtheworld/event-api:2.14.0'
   */
  readonly apiImage?: string;
}

/**
 * Run The World, an online event platform: tens of thousands of attendees arrive within minutes of
 * a keynote. The API runs on EKS (Auto Mode, an On-Demand base with Spot above it), pre-scaled
 * before announced events and scaled on CPU during them; Aurora PostgreSQL Serverless v2 follows
 * the load with readers that scale with the writer; metrics in Amazon Managed Service for
 * Prometheus with alerts to an SNS topic, traces through an OpenTelemetry collector to X-Ray.
 */
export class RunTheWorldStack extends Stack {
  public readonly cluster: TierCluster;
  public readonly api: KubernetesWebTier;
  public readonly database: rds.DatabaseCluster;

  constructor(scope: Construct, id: string, props: RunTheWorldStackProps = {}) {
    super(scope, id, props);
    const deletionProtection = props.deletionProtection ?? true;
    const network = new TierNetwork(this, 'Network');
    // Every alarm of the stack, and the cluster's Prometheus alerts, go here (add `slack` for a channel).
    const alertEmail = new CfnParameter(this, 'AlertEmail', {
      type: 'String',
      description: 'E-mail address that receives the alarms and alerts of the event platform',
      allowedPattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$',
    });
    new TierNotifications(this, 'Alerts', { emails: [alertEmail.valueAsString] });

    this.cluster = new TierCluster(this, 'Cluster', {
      vpc: network.vpc,
      kubectlLayer: new KubectlV33Layer(this, 'KubectlLayer'),
      // A keynote's baseline on On-Demand; the crowd on Spot over six instance families.
      capacity: { onDemandBaseVcpus: 16, spotMaxVcpus: 256 },
      adminRoleArns: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/run-the-world-platform`],
    });

    const certificateArn = new CfnParameter(this, 'CertificateArn', {
      type: 'String',
      description: 'ARN of an ACM certificate for the event platform API in this region',
      allowedPattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$',
    });
    const loadBalancer = new TierLoadBalancer(this, 'LoadBalancer', {
      vpc: network.vpc,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', certificateArn.valueAsString),
      deletionProtection,
      // Attendees of one company often share an office address.
      requestsPerIpPer5Minutes: 10000,
    });

    const databaseKey = EncryptionKeys.create(this, 'DatabaseKey', 'Run The World database and its credentials');
    this.database = new rds.DatabaseCluster(this, 'Database', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_17_9 }),
      vpc: network.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      credentials: rds.Credentials.fromGeneratedSecret('runtheworld', { encryptionKey: databaseKey }),
      writer: rds.ClusterInstance.serverlessV2('Writer', { enablePerformanceInsights: true, performanceInsightEncryptionKey: databaseKey }),
      // Readers in the writer's promotion tier follow its capacity, so a failover lands on a warm one.
      readers: [rds.ClusterInstance.serverlessV2('Reader', { scaleWithWriter: true, enablePerformanceInsights: true, performanceInsightEncryptionKey: databaseKey })],
      serverlessV2MinCapacity: 0.5,
      serverlessV2MaxCapacity: 64,
      storageEncrypted: true,
      storageEncryptionKey: databaseKey,
      backup: { retention: Duration.days(14) },
      deletionProtection,
      iamAuthentication: true,
      cloudwatchLogsExports: ['postgresql'],
      monitoringInterval: Duration.seconds(60),
      port: 5433,
    });
    // Beyond Aurora's 14 days of point-in-time recovery: daily backups kept 35 days in an encrypted vault.
    const backupKey = EncryptionKeys.create(this, 'BackupKey', 'Run The World backup vault');
    const backups = backup.BackupPlan.daily35DayRetention(this, 'Backups', new backup.BackupVault(this, 'BackupVault', { encryptionKey: backupKey }));
    const databaseBackup = backups.addSelection('Database', { resources: [backup.BackupResource.fromRdsDatabaseCluster(this.database)] });
    Findings.acknowledge(databaseBackup,
      'AWSBackupServiceRolePolicyForBackup is the AWS-maintained policy that AWS Backup documents for its service role; AWS updates it as services gain backup support.',
      ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]']);
    for (const instance of ['Writer', 'Reader']) {
      Findings.acknowledge(this.database.node.findChild(instance),
        'Aurora is backed up per cluster, and the cluster is in the backup plan: AWS Backup does not select Aurora instances; cdk-nag checks the instance.',
        ['NIST.800.53.R5-RDSInBackupPlan', 'HIPAA.Security-RDSInBackupPlan']);
    }
    Findings.acknowledge(this.database,
      'AmazonRDSEnhancedMonitoringRole is the AWS-maintained policy RDS documents for enhanced monitoring; it only writes to the RDSOSMetrics log group.',
      ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]']);
    Findings.acknowledge(this.database.node.findChild('Secret'),
      'Pods read the credentials once at start (init container), so a silent rotation would lock running pods out. ' +
      'Rotate deliberately: rotate the secret, then restart the deployment (kubectl rollout restart) so that pods read the new password.',
      ['AwsSolutions-SMG4', 'NIST.800.53.R5-SecretsManagerRotationEnabled', 'HIPAA.Security-SecretsManagerRotationEnabled']);

    this.api = new KubernetesWebTier(this, 'Api', {
      cluster: this.cluster,
      image: props.apiImage ?? 'public.ecr.aws/runtheworld/event-api:2.14.0',
      containerPort: 8080,
      resources: { cpu: '500m', memory: '768Mi', memoryLimit: '1Gi' },
      replicas: { min: 4, max: 120 },
      scaling: {
        targetCpuPercent: 55,
        // Requests rise before CPU does when attendees pour in: scale on both (KEDA reads the load balancer's count).
        requestsPerSecondPerPod: 25,
        // Thursday keynotes: 40 pods before the doors open, back to the floor after.
        scheduled: [
          { name: 'keynote', schedule: '30 15 * * 4', minReplicas: 40, timeZone: 'Europe/London' },
          { name: 'after-keynote', schedule: '30 18 * * 4', minReplicas: 4, timeZone: 'Europe/London' },
        ],
      },
      healthCheck: { path: '/ready', livenessPath: '/alive', startupTimeout: Duration.minutes(3) },
      kubernetesNamespace: 'events',
      environment: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.observability:4318', DATABASE_PORT: '5433' },
      // A file with the credentials JSON, fetched through the pod identity; never in a manifest.
      secrets: { DATABASE_SECRET_FILE: this.database.secret! },
      loadBalancer,
    });
    this.database.connections.allowFrom(this.cluster.clusterSecurityGroup, ec2.Port.tcp(5433), 'Event API pods');
    // IAM authentication is on, so someone must be allowed to use it: the API's pods may connect as the database
    // user `events_app` with a token from their pod identity (RDS Signer in the app's AWS SDK) instead of the
    // password; create that user once with `GRANT rds_iam TO events_app`.
    this.database.grantConnect(this.api, 'events_app');

    // The cluster's Prometheus alerts reach the same recipients as every alarm of the stack.
    new TierClusterMonitoring(this, 'Monitoring', { cluster: this.cluster });

    new CfnOutput(this, 'LoadBalancerDnsName', { value: loadBalancer.loadBalancer.loadBalancerDnsName });
  }
}
