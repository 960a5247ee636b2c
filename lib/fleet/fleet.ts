import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Aws, CfnResource, Duration, Lazy, Size, SizeRoundingBehavior, Stack, Tags, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EnvironmentSecretOptions, environmentSecretStep } from './app-environment';
import { acknowledgeFindings } from '../common/acknowledge';
import { allowLogGroupsToUseKey, keyFor } from '../common/encryption';
import { checkInteger, invalid, warn } from '../common/validation';
import { EnvironmentProfile } from '../common/environment-profile';
import { SPIKE_DECLARATION_METADATA_KEY, estimateBoot } from './boot-estimate';
import { BootScript, MAX_USER_DATA_BYTES, bootFile, bootFilesDir } from './boot-script';
import { BootPhase, BootStep } from './boot-step';
import { ResolvedCapacity } from './capacity';
import { SIGNAL_MARGIN, resolveDeployment } from './deployment';
import { resolveInstanceTypes, resolveSpotInstanceTypes } from './instance-types';
import { ManagedPolicyPrincipal } from './policy-principal';
import { TierInstanceProps } from './tier';
import { addSpotBurstGroup, SIGNAL_RESOURCE_TAG, SpotBurstGroupProps } from './spot-burst';
import { TierValidationError } from '../common/errors';

/** The tag that marks a fleet's Auto Scaling group; IAM conditions on it scope self-reporting. */
export const FLEET_TAG = 'cdk-web-tiers:fleet';

/** The user that runs the app on every instance. */
export const APP_USER = 'webapp';

/**
 * The launch lifecycle hook of every fleet: an instance stays Pending:Wait (no traffic, no health
 * check) until its boot completes the action once the app is ready.
 */
export const READY_HOOK_NAME = 'cdk-web-tiers-ready';


/**
 * Props of the internal {@link Fleet}; the tiers fill them from their public props.
 */
export interface FleetProps extends TierInstanceProps {
  readonly appPort?: number;
  readonly capacity: ResolvedCapacity;
  readonly healthChecks: autoscaling.HealthChecks;
  /**
   * A singleton: boot failures and the health reporter mark the instance unhealthy themselves
   * (no load balancer watches it), and a deployment replaces its one instance in place.
   */
  readonly singleton: boolean;
}

/**
 * The one place that builds instances: role, security group, log group, launch template,
 * Auto Scaling group and the boot script. `StatelessWebTier` and `SingletonWorker` both use it.
 */
export class Fleet extends Construct {
  public readonly role: iam.Role;
  /** Grant target of the instances: statements go to {@link instancePolicy}. */
  public readonly grantPrincipal: iam.IPrincipal;
  /** The customer managed policy that holds every permission of the instances. */
  public readonly instancePolicy: iam.ManagedPolicy;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly connections: ec2.Connections;
  public readonly logGroup: logs.LogGroup;
  public readonly encryptionKey: kms.IKey;
  public readonly notificationsTopic: sns.ITopic;
  public readonly launchTemplate: ec2.LaunchTemplate;
  /** The VPC the instances run in. */
  public readonly vpc: ec2.IVpc;
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  public readonly bootScript: BootScript;
  /**
   * Seconds from the start of the boot until the boot gives up on readiness and signals FAILURE:
   * the deployment timeout less SIGNAL_MARGIN (5 minutes), so that the failure signal arrives
   * before CloudFormation gives up.
   */
  public readonly readinessTimeoutSeconds: number;
  /** The boot step files (runtime/boot) as an asset. */
  public readonly bootFiles: s3assets.Asset;
  private environmentSecrets = 0;
  private readonly appPort?: number;
  private readonly spikeDeclaration: Record<string, number> = {};
  private targetGroup?: elbv2.ITargetGroup;
  private spotBurst?: { group?: autoscaling.AutoScalingGroup; readonly types: () => ec2.InstanceType[]; readonly props: Omit<SpotBurstGroupProps, 'max' | 'min' | 'instanceTypes' | 'primary'> };

  constructor(scope: Construct, id: string, props: FleetProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.appPort = props.appPort;
    const subnets = selectInstanceSubnets(scope, props.vpc, props.vpcSubnets);
    this.vpc = props.vpc;
    const rootVolumeGiB = (props.rootVolumeSize ?? Size.gibibytes(20)).toGibibytes({ rounding: SizeRoundingBehavior.NONE });
    // gp3 volumes hold 1 GiB to 16 TiB; the root volume must also hold the image (8 GiB for Amazon Linux 2023).
    checkInteger(scope, 'CWT122', 'rootVolumeSize (GiB)', rootVolumeGiB, 8, 16_384);
    const profile = EnvironmentProfile.of(scope);
    const instanceType = props.instanceType ?? profile.instanceType;
    const spot = props.capacity.baseline !== undefined;
    const instanceTypes = spot
      ? resolveSpotInstanceTypes(scope, instanceType, props.fallbackInstanceTypes)
      : resolveInstanceTypes(scope, instanceType, props.fallbackInstanceTypes);
    const deployment = resolveDeployment(scope, props.capacity, props.deployment, props.singleton);
    this.readinessTimeoutSeconds = deployment.timeout.toSeconds() - SIGNAL_MARGIN.toSeconds();

    this.encryptionKey = keyFor(this, props.encryptionKey, 'Key', `Encrypts the logs and scaling notifications of ${scope.node.path}`);
    this.allowServicesToUseKey();

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? profile.logRetention,
      encryptionKey: this.encryptionKey,
    });
    if (props.logRetention === undefined && profile.logRetention < logs.RetentionDays.ONE_YEAR) {
      profile._acknowledgeChosen(this.logGroup, `keeps instance logs ${profile.logRetention} days, as the environment is not production`, 'CT.CLOUDWATCH.PR.2');
    }

    this.role = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `Instances of ${scope.node.path}`,
    });
    // Grants land in a customer managed policy rather than an inline one (NIST, HIPAA, PCI).
    this.instancePolicy = new iam.ManagedPolicy(this, 'InstancePolicy', {
      description: `Permissions of the instances of ${scope.node.path}`,
      roles: [this.role],
    });
    this.grantPrincipal = new ManagedPolicyPrincipal(this.role, this.instancePolicy);
    this.grantBaseline();

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Instances of ${scope.node.path}`,
      allowAllOutbound: false,
    });
    // HTTPS out covers AWS APIs (SSM, CloudWatch, Secrets Manager), package mirrors and git over HTTPS;
    // every other destination is opened by the feature that needs it.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs and package mirrors');
    this.connections = this.securityGroup.connections;

    // The bodies of the library's boot steps, downloaded by the prelude (user data holds 16 KB at most).
    this.bootFiles = new s3assets.Asset(this, 'BootFiles', { path: bootFilesDir() });
    this.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'BootFiles',
      actions: ['s3:GetObject'],
      resources: [`arn:${Aws.PARTITION}:s3:::${this.bootFiles.s3BucketName}/${this.bootFiles.s3ObjectKey}`],
    }));
    this.bootScript = new BootScript({
      CWT_REGION: Aws.REGION,
      CWT_STACK: Aws.STACK_NAME,
      CWT_SIGNAL_RESOURCE: Lazy.string({ produce: () => stack.getLogicalId(this.autoScalingGroup.node.defaultChild as CfnResource) }),
      CWT_LOG_GROUP: this.logGroup.logGroupName,
      CWT_FLEET: this.node.addr,
      CWT_BOOT_BUCKET: this.bootFiles.s3BucketName,
      CWT_BOOT_KEY: this.bootFiles.s3ObjectKey,
      CWT_LIFECYCLE_HOOK: READY_HOOK_NAME,
      CWT_READY_TIMEOUT_SECONDS: String(this.readinessTimeoutSeconds),
      CWT_TARGET_GROUP_ARN: Lazy.string({ produce: () => this.targetGroup?.targetGroupArn ?? '' }),
      CWT_SIGNAL_RESOURCE_TAG: Lazy.string({ produce: () => this.spotBurst?.group ? SIGNAL_RESOURCE_TAG : '' }), // burst instances signal their own group
    });
    this.node.addValidation({ validate: () => this.validateUserDataSize() });
    this.bootScript.addStep({ name: 'app-user', phase: BootPhase.PREPARE, script: bootFile('app-user.sh'), environment: { APP_USER } });
    this.bootScript.addStep({ name: 'cloudwatch-agent', phase: BootPhase.PREPARE, script: bootFile('cloudwatch-agent.sh') });

    // Bound in the tier's scope, so that a bad source names the construct the user wrote.
    const source = props.source.bind(scope, {
      instanceType,
      grantPrincipal: this.grantPrincipal,
      connections: this.connections,
      appUser: APP_USER,
      appPort: props.appPort,
    });
    for (const step of source.bootSteps ?? []) this.bootScript.addStep(step);
    if (source.imageFollowsLatest && props.singleton) {
      // A singleton is replaced in place (MinInstancesInService 0): the new image means downtime.
      warn(scope, 'unpinnedImage',
        'The source boots the latest Amazon Linux 2023, looked up again at every deploy: the first deploy after an Amazon Linux release ' +
        'replaces this singleton\'s only instance, and the worker is down until the new one is ready. Pin the image with source.machineImage ' +
        '(for example ec2.MachineImage.latestAmazonLinux2023({ cachedInContext: true }) and commit cdk.context.json).');
    }
    if (props.requiredEnvironmentKeys !== undefined && !props.environment) {
      invalid(scope, 'CWT158', 'requiredEnvironmentKeys', props.requiredEnvironmentKeys.join(' '), 'Required keys are checked in the environment secret: set environment too, or drop requiredEnvironmentKeys.');
    }
    if (props.environment) this.addEnvironmentSecret(props.environment, { requiredKeys: props.requiredEnvironmentKeys });

    this.launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      machineImage: source.machineImage,
      instanceType,
      // An immutable view of the role: the group's own grant (a SignalResource statement that the
      // instance policy already holds) would otherwise create an inline policy.
      instanceProfile: new iam.InstanceProfile(this, 'InstanceProfile', { role: this.role.withoutPolicyUpdates() }),
      securityGroup: this.securityGroup,
      userData: ec2.UserData.custom(Lazy.string({ produce: () => this.bootScript.render() })),
      requireImdsv2: true,
      httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
      // Containers add a network hop between the app and the metadata service.
      httpPutResponseHopLimit: props.containerHost ? 2 : 1,
      detailedMonitoring: true,
      blockDevices: [{
        deviceName: props.rootDeviceName ?? '/dev/xvda',
        volume: ec2.BlockDeviceVolume.ebs(rootVolumeGiB, {
          encrypted: true,
          volumeType: ec2.EbsDeviceVolumeType.GP3,
          deleteOnTermination: true,
        }),
      }],
    });

    this.notificationsTopic = props.notificationsTopic ?? new sns.Topic(this, 'ScalingEvents', {
      displayName: displayName('Scaling events of ', scope.node.path),
      masterKey: this.encryptionKey,
      enforceSSL: true,
    });

    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Group', {
      vpc: props.vpc,
      vpcSubnets: subnets.selection,
      mixedInstancesPolicy: {
        launchTemplate: this.launchTemplate,
        // Several instance types of one size: a shortage of one type does not stop scaling.
        launchTemplateOverrides: instanceTypes.map(instanceType => ({ instanceType })),
        // With a baseline: on demand up to it (static), Spot above it (dynamic).
        instancesDistribution: spot ? {
          onDemandBaseCapacity: props.capacity.baseline,
          onDemandPercentageAboveBaseCapacity: 0,
          onDemandAllocationStrategy: autoscaling.OnDemandAllocationStrategy.PRIORITIZED,
          spotAllocationStrategy: autoscaling.SpotAllocationStrategy.PRICE_CAPACITY_OPTIMIZED,
        } : {
          onDemandPercentageAboveBaseCapacity: 100,
          onDemandAllocationStrategy: autoscaling.OnDemandAllocationStrategy.PRIORITIZED,
        },
      },
      minCapacity: props.capacity.min,
      maxCapacity: props.capacity.max,
      desiredCapacity: props.capacity.desired,
      healthChecks: props.healthChecks,
      signals: autoscaling.Signals.waitForMinCapacity({ timeout: deployment.timeout }),
      updatePolicy: autoscaling.UpdatePolicy.rollingUpdate({
        maxBatchSize: deployment.maxBatchSize,
        minInstancesInService: deployment.minInstancesInService,
        waitOnResourceSignals: true,
        pauseTime: deployment.timeout,
      }),
      notifications: [{ topic: this.notificationsTopic, scalingEvents: autoscaling.ScalingEvents.ALL }],
      groupMetrics: [autoscaling.GroupMetrics.all()],
      cooldown: Duration.minutes(5),
      defaultInstanceWarmup: Duration.minutes(3),
      // Spot: launch a replacement when EC2 recommends rebalancing, before the interruption.
      capacityRebalance: spot ? true : undefined,
    });
    const cfnGroup = this.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup;
    // Part of the group itself, not a separate LifecycleHook resource: a separate hook is created
    // after the group, so the instances of the group's creation would never wait for it.
    cfnGroup.lifecycleHookSpecificationList = [{
      lifecycleHookName: READY_HOOK_NAME,
      lifecycleTransition: autoscaling.LifecycleTransition.INSTANCE_LAUNCHING,
      heartbeatTimeout: deployment.timeout.toSeconds(),
      defaultResult: autoscaling.DefaultResult.ABANDON,
    }];
    Tags.of(this.autoScalingGroup).add(FLEET_TAG, this.node.addr, { applyToLaunchedInstances: true });
    Tags.of(this.autoScalingGroup).add('Name', scope.node.path, { applyToLaunchedInstances: true });
    acknowledgeInstanceTypeFindings(this.autoScalingGroup, instanceTypes);
    this.spotBurst = { types: () => spot ? instanceTypes : resolveSpotInstanceTypes(scope, instanceType, props.fallbackInstanceTypes), props: {
      vpc: props.vpc, subnets, launchTemplate: this.launchTemplate, healthChecks: props.healthChecks, timeout: deployment.timeout, maxBatchSize: deployment.maxBatchSize,
      notificationsTopic: this.notificationsTopic, hookName: READY_HOOK_NAME, fleetTag: { key: FLEET_TAG, value: this.node.addr, name: scope.node.path },
    } };
    // Listing the zones as well as the subnets makes the spread explicit to template checks.
    cfnGroup.availabilityZones = subnets.availabilityZones;
    // What the spike simulator cannot read from the configuration: boot and warm start (estimated
    // from the final boot steps, or declared), plus what the tier declares with _declareForSpike.
    checkInteger(scope, 'CWT155', 'expectedBootTime (seconds)', props.expectedBootTime?.toSeconds(), 0, 7200);
    checkInteger(scope, 'CWT156', 'expectedWarmStartTime (seconds)', props.expectedWarmStartTime?.toSeconds(), 0, 7200);
    cfnGroup.addMetadata(SPIKE_DECLARATION_METADATA_KEY, Lazy.any({
      produce: () => ({ ...estimateBoot(this.bootScript.stepNames, props.expectedBootTime, props.expectedWarmStartTime), ...this.spikeDeclaration }),
    }));
    // Every permission must exist before the first instance boots (mounts, secrets, signals).
    // So nothing in the instance policy may ever reference the group: self-reporting uses a tag condition.
    this.autoScalingGroup.node.addDependency(this.role, this.instancePolicy);
  }

  /** A group of Spot instances only beside the fleet's group, from its launch template (the web tier's `spotBurst`). */
  public addSpotBurstGroup(max: number, min: number = 0): autoscaling.AutoScalingGroup {
    if (this.spotBurst!.group) throw new Error(`${this.node.path}: the fleet has a Spot burst group already`);
    const instanceTypes = this.spotBurst!.types();
    const primary = this.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup;
    const group = addSpotBurstGroup(this, 'SpotBurst', { ...this.spotBurst!.props, instanceTypes, max, min, primary });
    acknowledgeInstanceTypeFindings(group, instanceTypes);
    group.node.addDependency(this.role, this.instancePolicy);
    this.spotBurst!.group = group;
    return group;
  }

  /**
   * Adds fields to the group's spike declaration (requests per second per instance, availability objective).
   * @internal
   */
  public _declareForSpike(fields: { readonly requestsPerSecondPerInstance?: number; readonly availabilityObjectivePercent?: number }): void {
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) this.spikeDeclaration[k] = v;
  }

  /**
   * EC2 refuses user data over 16 KB, and only at launch: catch it at synth. Tokens (ARNs, ids)
   * count as 128 bytes each, more than any of them resolves to.
   */
  private validateUserDataSize(): string[] {
    const rendered = Stack.of(this).resolve(this.bootScript.render());
    const parts: unknown[] = typeof rendered === 'string' ? [rendered] : rendered['Fn::Join'][1];
    const size = parts.reduce<number>((sum, part) => sum + (typeof part === 'string' ? Buffer.byteLength(part) : 128), 0);
    if (size <= MAX_USER_DATA_BYTES) return [];
    return [`${this.node.scope!.node.path}: invalid boot steps (user data of about ${size} bytes). EC2 accepts at most ${MAX_USER_DATA_BYTES} bytes: ` +
      'keep custom boot steps short (install a script with your image or fetch it from S3 in the step) or remove some.'];
  }

  /**
   * The target group that the instances join: the boot waits until the load balancer counts the
   * instance healthy there before it signals success.
   */
  public useTargetGroup(targetGroup: elbv2.ITargetGroup): void {
    if (this.targetGroup) throw new Error(`${this.node.path}: a fleet joins one target group`);
    this.targetGroup = targetGroup;
    this.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadTargetHealth',
      actions: ['elasticloadbalancing:DescribeTargetHealth'],
      resources: ['*'],
    }));
  }

  /** Appends a secret's key/values to the app environment file at boot. */
  public addEnvironmentSecret(secret: secretsmanager.ISecret, options: EnvironmentSecretOptions): void {
    this.environmentSecrets += 1;
    const name = this.environmentSecrets === 1 ? 'app-env' : `app-env-${this.environmentSecrets}`;
    this.bootScript.addStep(environmentSecretStep(this, this.grantPrincipal, APP_USER, secret, options, name, this.appPort));
  }

  /** Adds a boot step to every instance. */
  public addBootStep(step: BootStep): void {
    try {
      this.bootScript.addStep(step);
    } catch (e) {
      if (!(e instanceof TierValidationError)) throw e;
      throw new TierValidationError(e.code, this.node.scope!.node.path, e.prop, e.value, e.fix);
    }
  }

  private grantBaseline(): void {
    // Session Manager instead of SSH: the four ssmmessages channel actions plus instance registration.
    this.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'SessionManager',
      actions: [
        'ssm:UpdateInstanceInformation',
        'ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel',
        'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel',
      ],
      resources: ['*'],
    }));
    // CloudWatch agent: logs into this tier's group only, metrics into the CWAgent namespace only.
    this.logGroup.grantWrite(this.grantPrincipal);
    this.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'AgentMetrics',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': 'CWAgent' } },
    }));
    // OpenTelemetry traces the agent forwards to X-Ray (these actions have no resource-level permissions).
    this.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'AgentTraces',
      actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
      resources: ['*'],
    }));
    this.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'AgentDimensions',
      actions: ['ec2:DescribeTags'],
      resources: ['*'],
    }));
    // Readiness signals for rolling deployments, to this stack only.
    this.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadinessSignal',
      actions: ['cloudformation:SignalResource'],
      resources: [Aws.STACK_ID],
    }));
    // The boot completes (or abandons) its own launch; a boot that fails after CONTINUE, an app
    // whose start limit trips and a singleton's health reporter mark the instance unhealthy. Both
    // on the group tagged with this fleet's id only: the policy never names the group, so that it
    // exists before the first instance boots.
    this.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'OwnLifecycle',
      actions: ['autoscaling:CompleteLifecycleAction', 'autoscaling:SetInstanceHealth'],
      resources: ['*'],
      conditions: { StringEquals: { [`autoscaling:ResourceTag/${FLEET_TAG}`]: this.node.addr } },
    }));
    this.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'FindOwnGroup',
      actions: ['autoscaling:DescribeAutoScalingInstances'],
      resources: ['*'],
    }));
    acknowledgeFindings(this.instancePolicy,
      'Only actions without resource-level permissions use "*": ssmmessages channels, ssm:UpdateInstanceInformation ' +
      'for the calling instance, ec2:DescribeTags, autoscaling:DescribeAutoScalingInstances and DescribeAutoScalingGroups, elasticloadbalancing:DescribeTargetHealth ' +
      '(read-only), cloudwatch:PutMetricData (limited to the CWAgent namespace by condition), the X-Ray trace upload and sampling actions, ' +
      'and autoscaling:CompleteLifecycleAction ' +
      'and SetInstanceHealth (limited by condition to the group tagged with this fleet\'s id).',
      'AwsSolutions-IAM5[Resource::*]', 'CKV_AWS_111');
  }

  private allowServicesToUseKey(): void {
    allowLogGroupsToUseKey(this.encryptionKey);
    if (!(this.encryptionKey instanceof kms.Key)) return;
    // Auto Scaling publishes notifications with its service-linked role. The role is named in a
    // condition, not as the principal: KMS rejects a key policy whose principal does not exist yet,
    // which is the case in an account that never had an Auto Scaling group.
    const statement = new iam.PolicyStatement({
      sid: 'AutoScalingNotifications',
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      resources: ['*'],
      conditions: {
        ArnEquals: { 'aws:PrincipalArn': `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling` },
        StringEquals: { 'aws:PrincipalAccount': Aws.ACCOUNT_ID },
      },
    });
    this.encryptionKey.addToResourcePolicy(statement);
    acknowledgeFindings(this.encryptionKey,
      'The only Allow for Principal "*" is limited by aws:PrincipalArn to this account\'s Auto Scaling service-linked role, ' +
      'named in a condition so that the key deploys in accounts where that role does not exist yet.',
      'CKV_AWS_33');
  }
}

/** SNS display names hold at most 100 characters: a long construct path keeps its end. */
function displayName(prefix: string, path: string): string {
  const room = 100 - prefix.length;
  return prefix + (path.length <= room ? path : `…${path.slice(path.length - room + 1)}`);
}

function selectInstanceSubnets(scope: Construct, vpc: ec2.IVpc, selection: ec2.SubnetSelection | undefined): { selection: ec2.SubnetSelection; availabilityZones: string[] } {
  const wanted = selection ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
  let selected: ec2.SelectedSubnets;
  try {
    selected = vpc.selectSubnets(wanted);
  } catch (e) {
    return invalid(scope, 'CWT126', 'vpc', vpc.node.path,
      `It has no ${selection ? 'subnets matching vpcSubnets' : 'private subnets with egress'} (${(e as Error).message}). ` +
      'Instances belong in private subnets in at least two Availability Zones: use TierNetwork, or pass vpcSubnets that select them.');
  }
  const azs = new Set(selected.subnets.map((s, i) => Token.isUnresolved(s.availabilityZone) ? `unresolved-${i}` : s.availabilityZone));
  if (selected.subnets.length === 0 || azs.size < 2) {
    invalid(scope, 'CWT127', 'vpc', `${selected.subnets.length} subnet(s) in ${azs.size} Availability Zone(s)`,
      'A tier needs private subnets in at least two Availability Zones so that it survives the loss of one: ' +
      'use a VPC with maxAzs >= 2 (TierNetwork does) or widen vpcSubnets.');
  }
  if (selected.hasPublic) {
    warn(scope, 'publicSubnets', 'vpcSubnets selects public subnets: the instances get routes to the internet. ' +
      'Keep instances in private subnets behind the load balancer unless you need them reachable directly.');
  }
  return { selection: wanted, availabilityZones: [...new Set(selected.subnets.map(s => s.availabilityZone))] };
}

/** Families whose Nitro cards encrypt traffic between instances (AWS EC2 documentation). */
const ENCRYPTS_TRAFFIC_BETWEEN_INSTANCES = new Set([
  'c5a', 'c5ad', 'c5n', 'c6a', 'c6gn', 'c6i', 'c6id', 'c6in', 'c7a', 'c7g', 'c7gd', 'c7gn', 'c7i',
  'm5dn', 'm5n', 'm5zn', 'm6a', 'm6i', 'm6id', 'm6idn', 'm6in', 'm7a', 'm7g', 'm7gd', 'm7i', 'm7i-flex',
  'r5dn', 'r5n', 'r6a', 'r6i', 'r6id', 'r6idn', 'r6in', 'r7a', 'r7g', 'r7gd', 'r7i', 'r7iz',
]);

/**
 * Findings that depend on the instance types: validator blind spots of a MixedInstancesPolicy
 * (the launch template it points to does require IMDSv2 and encrypt the root volume), and the
 * Control Tower rules on instance type choice.
 */
function acknowledgeInstanceTypeFindings(group: autoscaling.AutoScalingGroup, instanceTypes: ec2.InstanceType[]): void {
  if (instanceTypes.length === 1) {
    acknowledgeFindings(group,
      `Only ${instanceTypes[0]} is allowed because no same-size sibling of it is known; pass fallbackInstanceTypes to launch other types when it runs short.`,
      'CT.AUTOSCALING.PR.6');
    return;
  }
  acknowledgeFindings(group,
    'The group launches through a MixedInstancesPolicy whose launch template requires IMDSv2 (HttpTokens required) and encrypts the gp3 root volume; ' +
    'these rules only read a LaunchTemplate or LaunchConfiguration set directly on the group.',
    'AwsSolutions-EC26', 'NIST.800.53.R5-EC2IMDSv2Enabled', 'HIPAA.Security-EC2IMDSv2Enabled');
  const unencryptedTransit = instanceTypes.filter(t => !ENCRYPTS_TRAFFIC_BETWEEN_INSTANCES.has(t.toString().split('.')[0]));
  if (unencryptedTransit.length > 0) {
    acknowledgeFindings(group,
      `${unencryptedTransit.join(', ')} do not encrypt traffic between instances in hardware. The tiers never talk instance to instance: ` +
      'load balancer traffic stays inside the VPC and cache, file system and database traffic is TLS.',
      'CT.AUTOSCALING.PR.11');
  }
}
