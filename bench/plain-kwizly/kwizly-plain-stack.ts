// The Kwizly topology of examples/kwizly.ts, written by hand with plain aws-cdk-lib, the way a
// competent CDK user without cdk-web-tiers would, in the style of bench/plain-karma: a web tier
// built from git at boot (deploy key and env file from Secrets Manager) behind an HTTPS load balancer
// with WAF, EFS uploads mounted over TLS through an access point, a Redis-compatible lock (ElastiCache
// Valkey with TLS, AUTH token and failover) used by a systemd timer so that the nightly job runs once
// per tick, and RDS PostgreSQL, with one backup plan for the database and the uploads.
// It imports nothing from ../../lib or ../../examples. bench/synth.ts compares it with the library's.
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { ArnFormat, Aws, CfnOutput, CfnParameter, CfnResource, Duration, RemovalPolicy, Stack, StackProps, Tags } from 'aws-cdk-lib';
import { Construct } from 'constructs';

interface FleetOptions {
  readonly name: string;
  readonly instanceType: ec2.InstanceType;
  readonly min: number;
  readonly max: number;
  readonly healthChecks: autoscaling.HealthChecks;
  /** Bash run before the readiness check (mount, secrets, clone, build, start). */
  readonly bootCommands?: string[];
  /** Bash that must succeed before the instance signals readiness. */
  readonly readyCheck: string;
}

interface Fleet {
  readonly securityGroup: ec2.SecurityGroup;
  readonly role: iam.Role;
  readonly asg: autoscaling.AutoScalingGroup;
}

export class KwizlyPlainStack extends Stack {
  private readonly vpc: ec2.Vpc;
  private readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    // One key for every log group and topic of the stack.
    this.key = new kms.Key(this, 'Key', { enableKeyRotation: true, description: 'Kwizly logs, notifications, lock, uploads and database' });
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` } },
    }));
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ArnPrincipal(`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`)],
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      resources: ['*'],
    }));

    // Network: public / private / isolated subnets in 2 AZs, a NAT gateway per AZ, flow logs.
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
      maxAzs: 2,
      natGateways: 2,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 20, mapPublicIpOnLaunch: false },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 19 },
        { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 },
      ],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: this.key });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    // Load balancer: HTTPS with a certificate from a parameter, 80 redirects to 443, access logs.
    const certificateArn = new CfnParameter(this, 'CertificateArn', {
      type: 'String',
      description: 'ARN of the ACM certificate of the Kwizly site in this region',
      allowedPattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$',
    });
    const alb = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: this.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
      deletionProtection: true,
    });
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
    });
    alb.logAccessLogs(accessLogs);
    const https = alb.addListener('Https', {
      protocol: elbv2.ApplicationProtocol.HTTPS,
      port: 443,
      certificates: [acm.Certificate.fromCertificateArn(this, 'Certificate', certificateArn.valueAsString)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      open: true,
    });
    alb.addRedirect({ sourcePort: 80, targetPort: 443, open: true });

    // WAF in front of the load balancer: a per-IP rate limit and AWS managed rule groups, logged.
    const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });
    const managedRules = ['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet'];
    const webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('kwizly-all'),
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('kwizly-rate'),
        },
        ...managedRules.map((name, i) => ({
          name,
          priority: i + 1,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
          visibilityConfig: visibility(`kwizly-${name}`),
        })),
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', { resourceArn: alb.loadBalancerArn, webAclArn: webAcl.attrArn });
    const wafLogs = new logs.LogGroup(this, 'WafLogs', {
      logGroupName: `aws-waf-logs-${this.stackName}`,
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: this.key,
    });
    const wafLogging = new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: webAcl.attrArn,
      logDestinationConfigs: [this.formatArn({ service: 'logs', resource: 'log-group', resourceName: wafLogs.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'cookie' } }],
    });
    wafLogging.node.addDependency(wafLogs);


    const appEnvironment = secretsmanager.Secret.fromSecretNameV2(this, 'AppEnvironment', 'kwizly/env');
    const deployKey = secretsmanager.Secret.fromSecretNameV2(this, 'DeployKey', 'kwizly/deploy-key');

    // Uploads: EFS encrypted, TLS only, one access point with a fixed owner, backed up by the plan below.
    const fileSystem = new efs.FileSystem(this, 'Uploads', {
      vpc: this.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      encrypted: true,
      kmsKey: this.key,
      lifecyclePolicy: efs.LifecyclePolicy.AFTER_30_DAYS,
      outOfInfrequentAccessPolicy: efs.OutOfInfrequentAccessPolicy.AFTER_1_ACCESS,
      throughputMode: efs.ThroughputMode.ELASTIC,
      enableAutomaticBackups: false,
      removalPolicy: RemovalPolicy.RETAIN,
      allowAnonymousAccess: false,
    });
    fileSystem.addToResourcePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['*'],
      conditions: { Bool: { 'aws:SecureTransport': 'false' } },
    }));
    const accessPoint = fileSystem.addAccessPoint('UploadsAccessPoint', {
      path: '/uploads',
      posixUser: { uid: '1001', gid: '1001' },
      createAcl: { ownerUid: '1001', ownerGid: '1001', permissions: '750' },
    });

    // Job lock: Valkey with TLS, an AUTH token from Secrets Manager, failover, noeviction.
    const lockToken = new secretsmanager.Secret(this, 'LockToken', {
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    const lockSecurityGroup = new ec2.SecurityGroup(this, 'LockSecurityGroup', { vpc: this.vpc, allowAllOutbound: false });
    const lockSubnets = new elasticache.CfnSubnetGroup(this, 'LockSubnets', {
      description: 'Kwizly job lock',
      subnetIds: this.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }).subnetIds,
    });
    const lockParameters = new elasticache.CfnParameterGroup(this, 'LockParameters', {
      cacheParameterGroupFamily: 'valkey8',
      description: 'Kwizly job lock: keys must never be evicted',
      properties: { 'maxmemory-policy': 'noeviction' },
    });
    const lock = new elasticache.CfnReplicationGroup(this, 'Lock', {
      replicationGroupDescription: 'Kwizly job lock',
      engine: 'valkey',
      engineVersion: '8.0',
      cacheNodeType: 'cache.t4g.micro',
      numCacheClusters: 2,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
      kmsKeyId: this.key.keyArn,
      authToken: lockToken.secretValue.unsafeUnwrap(),
      cacheSubnetGroupName: lockSubnets.ref,
      cacheParameterGroupName: lockParameters.ref,
      securityGroupIds: [lockSecurityGroup.securityGroupId],
      snapshotRetentionLimit: 15,
      port: 6379,
    });

    // Database: PostgreSQL, Multi-AZ, encrypted, IAM auth, enhanced monitoring.
    const database = new rds.DatabaseInstance(this, 'Database', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_13 }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.SMALL),
      vpc: this.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      credentials: rds.Credentials.fromGeneratedSecret('kwizly', { encryptionKey: this.key }),
      multiAz: true,
      storageEncrypted: true,
      storageEncryptionKey: this.key,
      allocatedStorage: 50,
      maxAllocatedStorage: 200,
      backupRetention: Duration.days(7),
      deletionProtection: true,
      port: 5433,
      iamAuthentication: true,
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
      monitoringInterval: Duration.seconds(60),
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: this.key,
      autoMinorVersionUpgrade: true,
    });

    // One backup plan for the database and the uploads.
    const backups = backup.BackupPlan.daily35DayRetention(this, 'Backups', new backup.BackupVault(this, 'BackupVault', { encryptionKey: this.key }));
    backups.addSelection('Data', {
      resources: [backup.BackupResource.fromRdsDatabaseInstance(database), backup.BackupResource.fromEfsFileSystem(fileSystem)],
    });

    // The web tier: clone, build and start the app at boot; mount the uploads; the nightly job under the lock.
    const dbSecret = database.secret!;
    const region = Aws.REGION;
    const web = this.fleet({
      name: 'Web',
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.SMALL),
      min: 2,
      max: 8,
      healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
        additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
        gracePeriod: Duration.minutes(5),
      }),
      bootCommands: [
        'dnf install -y -q git nodejs npm amazon-efs-utils redis6 jq',
        'id app >/dev/null 2>&1 || useradd --system --uid 1001 --create-home --home-dir /var/app app',
        // Uploads over TLS with IAM through the access point, kept in /etc/fstab.
        'mkdir -p /var/app/uploads',
        `echo "${fileSystem.fileSystemId}:/ /var/app/uploads efs _netdev,tls,iam,accesspoint=${accessPoint.accessPointId} 0 0" >> /etc/fstab`,
        'mount /var/app/uploads',
        // Env file: the app's secret (dotenv text) plus the database credentials with a DB_ prefix.
        `aws secretsmanager get-secret-value --region ${region} --secret-id ${appEnvironment.secretArn} --query SecretString --output text > /var/app/.env`,
        `aws secretsmanager get-secret-value --region ${region} --secret-id ${dbSecret.secretArn} --query SecretString --output text | jq -r 'to_entries[] | "DB_\\(.key | ascii_upcase)=\\(.value)"' >> /var/app/.env`,
        'chown app:app /var/app/.env && chmod 0400 /var/app/.env',
        // Clone with the deploy key (GitHub's host keys pinned), build, start as a service.
        'install -d -m 0700 -o app -g app /var/app/.ssh',
        `aws secretsmanager get-secret-value --region ${region} --secret-id ${deployKey.secretArn} --query SecretString --output text > /var/app/.ssh/id_ed25519`,
        'chown app:app /var/app/.ssh/id_ed25519 && chmod 0400 /var/app/.ssh/id_ed25519',
        'curl -fsS https://api.github.com/meta | jq -r \'.ssh_keys[] | "github.com " + .\' > /var/app/.ssh/known_hosts',
        'sudo -u app git clone --depth 1 --branch main git@github.com:kwizly/kwizly-app.git /var/app/current',
        'cd /var/app/current && sudo -u app bash -c "set -a; . /var/app/.env; npm ci && npm run build"',
        'printf "[Service]\\nUser=app\\nWorkingDirectory=/var/app/current\\nEnvironmentFile=/var/app/.env\\nExecStart=/usr/bin/npm start\\nRestart=always\\n[Install]\\nWantedBy=multi-user.target\\n" > /etc/systemd/system/app.service',
        'systemctl daemon-reload && systemctl enable --now app',
        // Nightly job: every instance's timer fires, one wins the tick with SET NX in the lock store.
        `aws secretsmanager get-secret-value --region ${region} --secret-id ${lockToken.secretArn} --query SecretString --output text > /var/app/.lock-token && chmod 0400 /var/app/.lock-token && chown app:app /var/app/.lock-token`,
        "cat > /usr/local/bin/nightly-cleanup <<'SCRIPT'",
        '#!/bin/bash',
        'tick=$(date -u +%Y-%m-%dT%H:%M)',
        `won=$(redis6-cli -h ${lock.attrPrimaryEndPointAddress} -p 6379 --tls --askpass < /var/app/.lock-token SET "nightly-cleanup:$tick" "$(hostname)" NX EX 86400)`,
        '[ "$won" = OK ] || exit 0',
        'cd /var/app/current && set -a && . /var/app/.env && exec npm run cleanup',
        'SCRIPT',
        'chmod 0755 /usr/local/bin/nightly-cleanup',
        'printf "[Service]\\nType=oneshot\\nUser=app\\nExecStart=/usr/local/bin/nightly-cleanup\\n" > /etc/systemd/system/nightly-cleanup.service',
        'printf "[Timer]\\nOnCalendar=*-*-* 08:00:00 UTC\\n[Install]\\nWantedBy=timers.target\\n" > /etc/systemd/system/nightly-cleanup.timer',
        'systemctl daemon-reload && systemctl enable --now nightly-cleanup.timer',
      ],
      readyCheck: 'until curl -fsS -o /dev/null --max-time 5 http://127.0.0.1:8080/healthz; do sleep 5; done',
    });
    const targetGroup = new elbv2.ApplicationTargetGroup(this, 'WebTargetGroup', {
      vpc: this.vpc,
      port: 8080,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [web.asg],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: { path: '/healthz', healthyHttpCodes: '200-399', interval: Duration.seconds(15), timeout: Duration.seconds(5) },
    });
    https.addTargetGroups('WebDefault', { targetGroups: [targetGroup] });
    web.asg.scaleOnCpuUtilization('WebCpu', { targetUtilizationPercent: 50 });
    web.asg.node.addDependency(fileSystem.mountTargetsAvailable);

    // What the web tier may reach and read.
    for (const secret of [appEnvironment, deployKey, dbSecret, lockToken]) secret.grantRead(web.role);
    web.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
      resources: [fileSystem.fileSystemArn],
      conditions: { StringEquals: { 'elasticfilesystem:AccessPointArn': accessPoint.accessPointArn } },
    }));
    fileSystem.connections.allowDefaultPortFrom(web.securityGroup, 'NFS from the web tier');
    lockSecurityGroup.addIngressRule(web.securityGroup, ec2.Port.tcp(6379), 'Redis from the web tier');
    web.securityGroup.addEgressRule(lockSecurityGroup, ec2.Port.tcp(6379), 'Redis to the job lock');
    web.securityGroup.addEgressRule(ec2.Peer.ipv4(this.vpc.vpcCidrBlock), ec2.Port.tcp(2049), 'NFS to the uploads');
    web.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22), 'git over SSH to GitHub');
    database.connections.allowFrom(web.securityGroup, ec2.Port.tcp(5433), 'Kwizly web tier');
    web.securityGroup.addEgressRule(ec2.Peer.ipv4(this.vpc.vpcCidrBlock), ec2.Port.tcp(5433), 'PostgreSQL');

    new CfnOutput(this, 'LoadBalancerDnsName', { value: alb.loadBalancerDnsName });
  }

  private fleet(options: FleetOptions): Fleet {
    const { name } = options;
    const logGroup = new logs.LogGroup(this, `${name}Logs`, { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: this.key });
    const role = new iam.Role(this, `${name}Role`, {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'),
        iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchAgentServerPolicy'),
      ],
    });
    logGroup.grantWrite(role);
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudformation:SignalResource'], resources: [Aws.STACK_ID] }));

    const securityGroup = new ec2.SecurityGroup(this, `${name}SecurityGroup`, { vpc: this.vpc, allowAllOutbound: false });
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs and package mirrors');

    const userData = ec2.UserData.forLinux();
    const launchTemplate = new ec2.LaunchTemplate(this, `${name}LaunchTemplate`, {
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      instanceType: options.instanceType,
      role,
      securityGroup,
      userData,
      requireImdsv2: true,
      httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
      httpPutResponseHopLimit: 1,
      detailedMonitoring: true,
      blockDevices: [{
        deviceName: '/dev/xvda',
        volume: ec2.BlockDeviceVolume.ebs(20, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3, deleteOnTermination: true }),
      }],
    });
    const topic = new sns.Topic(this, `${name}ScalingEvents`, { masterKey: this.key, enforceSSL: true });

    const asg = new autoscaling.AutoScalingGroup(this, `${name}Group`, {
      vpc: this.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplate,
      minCapacity: options.min,
      maxCapacity: options.max,
      healthChecks: options.healthChecks,
      signals: autoscaling.Signals.waitForMinCapacity({ timeout: Duration.minutes(20) }),
      updatePolicy: autoscaling.UpdatePolicy.rollingUpdate({
        maxBatchSize: Math.max(1, Math.ceil(options.min / 2)),
        minInstancesInService: Math.max(0, Math.min(options.min, options.max - Math.max(1, Math.ceil(options.min / 2)))),
        waitOnResourceSignals: true,
        pauseTime: Duration.minutes(20),
      }),
      notifications: [{ topic, scalingEvents: autoscaling.ScalingEvents.ALL }],
      groupMetrics: [autoscaling.GroupMetrics.all()],
      defaultInstanceWarmup: Duration.minutes(3),
    });
    asg.node.addDependency(role);
    // Tag the group so that the Brain's SetInstanceHealth permission can be scoped to it.
    Tags.of(asg).add('kwizly:fleet', name, { applyToLaunchedInstances: true });

    // Boot: log to CloudWatch, wait until the app is ready, then signal CloudFormation.
    const signal = (status: string) => `aws cloudformation signal-resource --region ${Aws.REGION} --stack-name ${Aws.STACK_NAME} ` +
      `--logical-resource-id ${this.getLogicalId(asg.node.defaultChild as CfnResource)} --unique-id "$INSTANCE_ID" --status ${status} || true`;
    userData.addCommands(
      'set -euo pipefail',
      'exec > >(tee -a /var/log/boot.log) 2>&1',
      'TOKEN=$(curl -fsS -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 300")',
      'INSTANCE_ID=$(curl -fsS -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id)',
      'echo "$INSTANCE_ID" > /run/instance-id',
      `trap '${signal('FAILURE')}' ERR`,
      'cat > /opt/aws/amazon-cloudwatch-agent/etc/boot-logs.json <<JSON',
      `{"logs":{"logs_collected":{"files":{"collect_list":[{"file_path":"/var/log/boot.log","log_group_name":"${logGroup.logGroupName}","log_stream_name":"{instance_id}/boot"}]}}}}`,
      'JSON',
      '/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/opt/aws/amazon-cloudwatch-agent/etc/boot-logs.json',
      ...(options.bootCommands ?? []),
      `timeout 840 bash -c '${options.readyCheck}'`,
      signal('SUCCESS'),
    );
    return { securityGroup, role, asg };
  }
}
