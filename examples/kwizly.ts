import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { CfnOutput, CfnParameter, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AppSource, JobLock, SharedUploads, StatelessWebTier, TierNetwork } from '../lib';

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
}

/**
 * Kwizly, a quiz SaaS that moved from two LightSail servers to an autoscaled fleet: every new
 * instance fetches the latest code of `main` and builds it, reads its environment file from Secrets
 * Manager, shares user uploads on EFS, and runs the nightly job on exactly one instance through a
 * Redis lock. The database is RDS.
 */
export class KwizlyStack extends Stack {
  public readonly web: StatelessWebTier;

  constructor(scope: Construct, id: string, props: KwizlyStackProps = {}) {
    super(scope, id, props);
    const deletionProtection = props.deletionProtection ?? true;
    const network = new TierNetwork(this, 'Network');

    const certificateArn = new CfnParameter(this, 'CertificateArn', {
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
        repository: 'git@github.com:kwizly/kwizly-app.git',
        branch: 'main',
        deployKey,
        packages: ['nodejs', 'npm'],
        buildCommands: ['npm ci', 'npm run build'],
        startCommand: 'npm start',
      }),
      environment: appEnvironment,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', certificateArn.valueAsString),
      deletionProtection,
      // Eight servers awake at 8 o'clock: the rush when quizzes open.
      capacity: { min: 2, max: 8 },
      scaling: { targetCpuPercent: 50 },
      healthCheck: { path: '/healthz' },
      deployment: { timeout: Duration.minutes(20) },
    });

    const uploads = new SharedUploads(this, 'Uploads', { vpc: network.vpc });
    uploads.mountOn(this.web, '/var/app/uploads');

    const lock = new JobLock(this, 'Lock', { vpc: network.vpc });
    this.web.addScheduledJob('nightly-cleanup', {
      schedule: '0 8 * * *',
      command: 'npm run cleanup',
      lock,
      ttl: Duration.minutes(10),
    });

    const database = new rds.DatabaseInstance(this, 'Database', {
      engine: rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_0 }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.SMALL),
      vpc: network.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      credentials: rds.Credentials.fromGeneratedSecret('kwizly'),
      multiAz: true,
      storageEncrypted: true,
      allocatedStorage: 50,
      maxAllocatedStorage: 200,
      backupRetention: Duration.days(7),
      deletionProtection,
      port: 3307,
      iamAuthentication: true,
      cloudwatchLogsExports: ['error', 'general', 'slowquery'],
      autoMinorVersionUpgrade: true,
    });
    Validations.of(database.node.findChild('Secret')).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The web tier reads the database credentials into its env file at boot, so a silent rotation would lock every instance out. ' +
        'Rotate deliberately: rotate the secret, then roll the fleet (cdk deploy after a launch template change) so instances read the new password.',
    });
    // Network access and credentials, one call each.
    database.connections.allowDefaultPortFrom(this.web, 'Kwizly web tier');
    this.web.addEnvironmentFromSecret(database.secret!, { prefix: 'DB_' });

    new CfnOutput(this, 'LoadBalancerDnsName', { value: this.web.loadBalancer.loadBalancerDnsName });
  }
}
