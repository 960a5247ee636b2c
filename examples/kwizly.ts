import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { CfnOutput, CfnParameter, Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AppSource, EncryptionKeys, EnvironmentProfile, Findings, JobLock, SharedUploads, StatelessWebTier, TierNetwork, TierNotifications } from '../lib';

/**
 * Props of the Kwizly example.
 */
export interface KwizlyStackProps extends StackProps {
  /**
   * Deletion protection of the load balancer and the database (turn it off for short-lived test stacks).
   *
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Read the certificate ARN and the alert address from the SSM parameters `<prefix>/certificate-arn`
   * and `<prefix>/alert-email` (stack parameters whose default is that name), so that the stack
   * deploys with no parameter values: CDK Pipelines cannot pass any.
   *
   * @default - the CertificateArn and AlertEmail stack parameters, given at deploy
   */
  readonly settingsParameterPrefix?: string;
  /**
   * The app's git repository (SSH URL).
   *
   * @default 'git@github.com:kwizly/kwizly-app.git'
   */
  readonly repository?: string;
  /**
   * `known_hosts` lines of the repository's host (the instance lab points both at its own git server).
   *
   * @default - GitHub's published host keys
   */
  readonly sshKnownHosts?: string;
}

/**
 * Kwizly, a quiz SaaS that moved from two LightSail servers to an autoscaled fleet: every new
 * instance fetches the latest code of `main` and builds it, reads its environment file from Secrets
 * Manager, shares user uploads on EFS, and runs the nightly job on exactly one instance through a
 * Redis lock. The database is RDS.
 */
export class KwizlyStack extends Stack {
  /** The SSM parameter that holds the image id of the environment whose settings live under `prefix` (`/kwizly/base-ami` without one). */
  public static baseImageParameterName(settingsParameterPrefix?: string): string {
    return `${settingsParameterPrefix ?? '/kwizly'}/base-ami`;
  }

  /** Name of the load-test token secret of the environment whose settings live under `prefix` (staging: `kwizly/staging/load-test-token`). */
  public static loadTestTokenSecretName(settingsParameterPrefix: string): string {
    return `${settingsParameterPrefix.replace(/^\/+/, '')}/load-test-token`;
  }

  public readonly web: StatelessWebTier;
  public readonly lock: JobLock;
  /** The token that lets the staging load test through the firewall's rate limit (environments whose profile asks for a load test). */
  public readonly loadTestToken?: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: KwizlyStackProps = {}) {
    super(scope, id, props);
    // The database follows the environment profile too (true in production), unless the prop says otherwise.
    const deletionProtection = props.deletionProtection ?? EnvironmentProfile.of(this).deletionProtection;
    const network = new TierNetwork(this, 'Network');
    // Every alarm of the stack (tiers, lock, uploads, jobs) goes to this address.
    const prefix = props.settingsParameterPrefix;
    const alertEmail = new CfnParameter(this, 'AlertEmail', prefix
      ? { type: 'AWS::SSM::Parameter::Value<String>', default: `${prefix}/alert-email`, description: 'SSM parameter holding the address that receives the Kwizly alarms' }
      : { type: 'String', description: 'E-mail address that receives the Kwizly alarms', allowedPattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$' });
    new TierNotifications(this, 'Alerts', { emails: [alertEmail.valueAsString] });
    const backupKey = EncryptionKeys.create(this, 'BackupKey', 'Kwizly backup vault');
    const backups = backup.BackupPlan.daily35DayRetention(this, 'Backups',
      new backup.BackupVault(this, 'BackupVault', { encryptionKey: backupKey }));

    const certificateArn = new CfnParameter(this, 'CertificateArn', prefix
      ? { type: 'AWS::SSM::Parameter::Value<String>', default: `${prefix}/certificate-arn`, description: 'SSM parameter holding the ARN of the ACM certificate of the Kwizly site' }
      : {
        type: 'String',
        description: 'ARN of the ACM certificate of the Kwizly site in this region',
        allowedPattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$',
      });
    // Created by hand once: the app's .env (JSON or dotenv) and the repository's deploy key.
    const appEnvironment = secretsmanager.Secret.fromSecretNameV2(this, 'AppEnvironment', 'kwizly/env');
    const deployKey = secretsmanager.Secret.fromSecretNameV2(this, 'DeployKey', 'kwizly/deploy-key');

    this.web = new StatelessWebTier(this, 'Web', {
      vpc: network.vpc,
      source: AppSource.fromGitRepository({
        repository: props.repository ?? 'git@github.com:kwizly/kwizly-app.git',
        sshKnownHosts: props.sshKnownHosts,
        branch: 'main',
        deployKey,
        packages: ['nodejs', 'npm'],
        // Pinned: the image id is read from an SSM parameter that Kwizly's operators set on purpose (to an Amazon Linux
        // 2023 release, promoted from development to staging to production), so an Amazon Linux release does not replace
        // the fleet at the next deploy. `cdk synth` stays offline (no lookup, nothing in cdk.context.json):
        //   aws ssm put-parameter --name /kwizly/<environment>/base-ami --type String --data-type aws:ec2:image --overwrite \
        //     --value "$(aws ssm get-parameter --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64 --query Parameter.Value --output text)"
        machineImage: ec2.MachineImage.fromSsmParameter(KwizlyStack.baseImageParameterName(prefix)),
        machineImageArchitecture: ec2.InstanceArchitecture.X86_64,
        buildCommands: ['npm ci', 'npm run build'],
        startCommand: 'npm start',
      }),
      environment: appEnvironment,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', certificateArn.valueAsString),
      deletionProtection: props.deletionProtection,
      // Eight servers awake at 8 o'clock: the rush when quizzes open.
      // min from the environment profile (2 in production, 1 in development).
      capacity: { max: 8 },
      scaling: { targetCpuPercent: 50 },
      healthCheck: { path: '/healthz' },
      slo: { availability: 99.9, latency: { p99: Duration.millis(500) } },  // burn-rate alerts and the error budget on the dashboard
      deployment: { timeout: Duration.minutes(20) },
    });

    if (EnvironmentProfile.of(this).loadTest) {
      // The pipeline's load generators send this token; the firewall's per-IP rate limit does not count
      // their requests (everyone else's still), so the load test measures the app, not the firewall.
      this.loadTestToken = new secretsmanager.Secret(this, 'LoadTestToken', {
        secretName: prefix ? KwizlyStack.loadTestTokenSecretName(prefix) : undefined,
        description: 'Header value that exempts the Kwizly load test from the WAF per-IP rate limit',
        generateSecretString: { excludePunctuation: true, passwordLength: 48 },
      });
      this.web.tierLoadBalancer.exemptLoadTestFromRateLimit(this.loadTestToken);
      Findings.acknowledge(this.loadTestToken,
        'A load-test token, not a credential to data: it only exempts requests from the per-IP rate limit. It does not rotate by itself because ' +
        'CloudFormation copies it into the web ACL at deploy; it is readable with GetSecretValue alone (AWS managed key) by the pipeline\'s load generators.',
        ['AwsSolutions-SMG4', 'NIST.800.53.R5-SecretsManagerRotationEnabled', 'HIPAA.Security-SecretsManagerRotationEnabled',
          'NIST.800.53.R5-SecretsManagerUsingKMSKey', 'HIPAA.Security-SecretsManagerUsingKMSKey', 'PCI.DSS.321-SecretsManagerUsingKMSKey', 'CKV_AWS_149']);
    }

    const uploads = new SharedUploads(this, 'Uploads', { vpc: network.vpc, backupPlan: backups });
    uploads.mountOn(this.web, '/var/app/uploads');

    const lock = this.lock = new JobLock(this, 'Lock', { vpc: network.vpc });
    this.web.addScheduledJob('nightly-cleanup', {
      schedule: '0 8 * * *',
      command: 'npm run cleanup',
      jobLock: lock,
      ttl: Duration.minutes(10),
    });

    const databaseKey = EncryptionKeys.create(this, 'DatabaseKey', 'Kwizly database and its credentials');
    const database = new rds.DatabaseInstance(this, 'Database', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_13 }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.SMALL),
      vpc: network.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      credentials: rds.Credentials.fromGeneratedSecret('kwizly', { encryptionKey: databaseKey }),
      multiAz: true,
      storageEncrypted: true,
      storageEncryptionKey: databaseKey,
      allocatedStorage: 50,
      maxAllocatedStorage: 200,
      backupRetention: Duration.days(7),
      deletionProtection,
      port: 5433,
      iamAuthentication: true,
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
      monitoringInterval: Duration.seconds(60),
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: databaseKey,
      autoMinorVersionUpgrade: true,
    });
    if (props.deletionProtection === undefined && !deletionProtection) {
      Findings.acknowledge(database,
        `The ${EnvironmentProfile.of(this).name} environment profile turns deletion protection off so that the environment is deleted with its stack; production keeps it on.`,
        ['AwsSolutions-RDS10', 'NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled', 'HIPAA.Security-RDSInstanceDeletionProtectionEnabled', 'CT.RDS.PR.13']);
    }
    const databaseBackup = backups.addSelection('Database', { resources: [backup.BackupResource.fromRdsDatabaseInstance(database)] });
    Findings.acknowledge(databaseBackup,
      'AWSBackupServiceRolePolicyForBackup is the AWS-maintained policy that AWS Backup documents for its service role; AWS updates it as services gain backup support.',
      ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]']);
    Findings.acknowledge(database,
      'AmazonRDSEnhancedMonitoringRole is the AWS-maintained policy RDS documents for enhanced monitoring; it only writes to the RDSOSMetrics log group.',
      ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]']);
    Findings.acknowledge(database.node.findChild('Secret'),
      'The web tier reads the database credentials into its env file at boot, so a silent rotation would lock every instance out. ' +
      'Rotate deliberately: rotate the secret, then roll the fleet so that instances read the new password.',
      ['AwsSolutions-SMG4', 'NIST.800.53.R5-SecretsManagerRotationEnabled', 'HIPAA.Security-SecretsManagerRotationEnabled']);
    // Network access and credentials, one call each.
    database.connections.allowFrom(this.web, ec2.Port.tcp(5433), 'Kwizly web tier');
    this.web.addEnvironmentFromSecret(database.secret!, { prefix: 'DB_' });
    // IAM authentication: the app may connect as the database user `kwizly_app` with a token from
    // its instance role (RDS Signer in the app's AWS SDK) instead of the password; create that
    // user once with `GRANT rds_iam TO kwizly_app`.
    database.grantConnect(this.web, 'kwizly_app');

    new CfnOutput(this, 'LoadBalancerDnsName', { value: this.web.loadBalancer.loadBalancerDnsName });
  }
}

