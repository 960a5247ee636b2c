// The Karma Labs topology of examples/karma-labs.ts, written by hand with plain aws-cdk-lib, the
// way a competent CDK user without cdk-web-tiers would: one helper for the three fleets and the
// same production settings (private instances, IMDSv2, encrypted gp3 roots, SSM instead of SSH,
// encrypted logs, rolling deploys gated on readiness signals, HTTPS with a redirect, access logs,
// a WAF web ACL). L2 constructs throughout, except WAF, which has no L2 in aws-cdk-lib.
// It imports nothing from ../../lib or ../../examples. bench/synth.ts compares its synth time,
// resource count and lines of code with the library's example.
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
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
  /** Bash that must succeed before the instance signals readiness. */
  readonly readyCheck: string;
  /** Extra bash run after the readiness check (the Brain's health reporter). */
  readonly extraUserData?: string;
}

interface Fleet {
  readonly securityGroup: ec2.SecurityGroup;
  readonly role: iam.Role;
  readonly asg: autoscaling.AutoScalingGroup;
}

export class KarmaPlainStack extends Stack {
  private readonly vpc: ec2.Vpc;
  private readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const domainName = 'karmalabs.example';

    // One key for every log group and topic of the stack.
    this.key = new kms.Key(this, 'Key', { enableKeyRotation: true, description: 'Karma Labs logs and notifications' });
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
      description: `ARN of an ACM certificate for ${domainName} and api.${domainName} in this region`,
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
      visibilityConfig: visibility('karma-all'),
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('karma-rate'),
        },
        ...managedRules.map((name, i) => ({
          name,
          priority: i + 1,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
          visibilityConfig: visibility(`karma-${name}`),
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

    // Web and API: pre-baked images behind the load balancer, scaled on CPU.
    this.webTier('Web', 2, 12, https, undefined);
    const api = this.webTier('Api', 2, 8, https, { hostHeaders: [`api.${domainName}`], priority: 10 });

    // Brain: one instance, no load balancer; it reports itself unhealthy after 3 failed checks.
    const healthCommand = 'curl -fsS --max-time 5 http://127.0.0.1:9000/health';
    const brain = this.fleet({
      name: 'Brain',
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.C6I, ec2.InstanceSize.LARGE),
      min: 1,
      max: 1,
      healthChecks: autoscaling.HealthChecks.ec2({ gracePeriod: Duration.minutes(5) }),
      readyCheck: `until timeout 10 ${healthCommand}; do sleep 5; done`,
      extraUserData: [
        "cat > /usr/local/bin/health-reporter <<'SCRIPT'",
        '#!/bin/bash',
        'failures=0',
        'while sleep 30; do',
        `  if timeout 10 ${healthCommand} >/dev/null; then failures=0; else failures=$((failures + 1)); fi`,
        '  if [ "$failures" -ge 3 ]; then',
        `    aws autoscaling set-instance-health --region ${Aws.REGION} --instance-id "$(cat /run/instance-id)" --health-status Unhealthy --no-should-respect-grace-period`,
        '  fi',
        'done',
        'SCRIPT',
        'chmod 0755 /usr/local/bin/health-reporter',
        'printf "[Service]\\nExecStart=/usr/local/bin/health-reporter\\nRestart=always\\n[Install]\\nWantedBy=multi-user.target\\n" > /etc/systemd/system/health-reporter.service',
        'systemctl daemon-reload && systemctl enable --now health-reporter',
      ].join('\n'),
    });
    brain.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['autoscaling:SetInstanceHealth'],
      resources: ['*'],
      conditions: { StringEquals: { 'autoscaling:ResourceTag/karma-labs:fleet': 'Brain' } },
    }));
    brain.securityGroup.connections.allowFrom(api.securityGroup, ec2.Port.tcp(9000), 'The API tier calls the Brain');

    new CfnOutput(this, 'LoadBalancerDnsName', { value: alb.loadBalancerDnsName });
  }

  private webTier(name: string, min: number, max: number, listener: elbv2.ApplicationListener,
    routing: { hostHeaders: string[]; priority: number } | undefined): Fleet {
    const fleet = this.fleet({
      name,
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.SMALL),
      min,
      max,
      healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
        additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
        gracePeriod: Duration.minutes(5),
      }),
      readyCheck: 'until curl -fsS -o /dev/null --max-time 5 http://127.0.0.1:8080/healthz; do sleep 5; done',
    });
    const targetGroup = new elbv2.ApplicationTargetGroup(this, `${name}TargetGroup`, {
      vpc: this.vpc,
      port: 8080,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [fleet.asg],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: { path: '/healthz', healthyHttpCodes: '200-399', interval: Duration.seconds(15), timeout: Duration.seconds(5) },
    });
    if (routing) {
      new elbv2.ApplicationListenerRule(this, `${name}Rule`, {
        listener,
        priority: routing.priority,
        conditions: [elbv2.ListenerCondition.hostHeaders(routing.hostHeaders)],
        targetGroups: [targetGroup],
      });
    } else {
      listener.addTargetGroups(`${name}Default`, { targetGroups: [targetGroup] });
    }
    fleet.asg.scaleOnCpuUtilization(`${name}Cpu`, { targetUtilizationPercent: 50 });
    return fleet;
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
      machineImage: ec2.MachineImage.fromSsmParameter(`/karma-labs/${name.toLowerCase()}/ami`),
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
      signals: autoscaling.Signals.waitForMinCapacity({ timeout: Duration.minutes(15) }),
      updatePolicy: autoscaling.UpdatePolicy.rollingUpdate({
        maxBatchSize: Math.max(1, Math.ceil(options.min / 2)),
        minInstancesInService: Math.max(0, Math.min(options.min, options.max - Math.max(1, Math.ceil(options.min / 2)))),
        waitOnResourceSignals: true,
        pauseTime: Duration.minutes(15),
      }),
      notifications: [{ topic, scalingEvents: autoscaling.ScalingEvents.ALL }],
      groupMetrics: [autoscaling.GroupMetrics.all()],
      defaultInstanceWarmup: Duration.minutes(3),
    });
    asg.node.addDependency(role);
    // Tag the group so that the Brain's SetInstanceHealth permission can be scoped to it.
    Tags.of(asg).add('karma-labs:fleet', name, { applyToLaunchedInstances: true });

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
      `timeout 840 bash -c '${options.readyCheck}'`,
      ...(options.extraUserData ? [options.extraUserData] : []),
      signal('SUCCESS'),
    );
    return { securityGroup, role, asg };
  }
}
