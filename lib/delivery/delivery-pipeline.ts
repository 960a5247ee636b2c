import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { CfnElement, Duration, RemovalPolicy, Stack, Stage, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeFindings, compliancePacks } from '../common/acknowledge';
import { allowLogGroupsToUseKey, createKey } from '../common/encryption';
import { createLogBucket, logBucketAccess } from '../common/log-bucket';
import { checkOptions, invalid } from '../common/validation';
import { SPIKE_PROFILE_NAMES, spikeProfileNamed } from '../spike/profile';
import { StatelessWebTier } from '../web-tier/stateless-web-tier';
import { EnvironmentProfile } from '../common/environment-profile';
import { LoadTestScript } from './load-test-script';
import { TierValidationError } from '../common/errors';

/**
 * The spike every web tier of every stage must absorb, checked by the spike simulator on the
 * synthesized templates before the stage deploys.
 */
export interface SpikeGate {
  /**
   * Peak demand as a multiple of the baseline.
   *
   * @default 15
   */
  readonly factor?: number;
  /**
   * Time within which in-service capacity must cover the peak.
   *
   * @default Duration.minutes(6)
   */
  readonly absorbWithin?: Duration;
  /**
   * Demand shape: 'tv-ad', 'step' or 'ramp'.
   *
   * @default 'tv-ad'
   */
  readonly profile?: string;
}

/**
 * Props of a {@link DeliveryPipeline}.
 */
export interface DeliveryPipelineProps {
  /** The repository, `owner/name`, reached through an AWS CodeConnections connection. */
  readonly repository: string;
  /** ARN of the CodeConnections (CodeStar Connections) connection to the repository host. */
  readonly connectionArn: string;
  /**
   * Branch whose pushes start the pipeline.
   *
   * @default 'main'
   */
  readonly branch?: string;
  /**
   * Commands that install dependencies before the tests and the synth.
   *
   * @default ['npm ci']
   */
  readonly installCommands?: string[];
  /**
   * Commands that test the app; a failing one stops the pipeline before anything deploys.
   *
   * @default ['npm test']
   */
  readonly testCommands?: string[];
  /**
   * The command that synthesizes the app into cdk.out.
   *
   * @default 'npx cdk synth'
   */
  readonly synthCommand?: string;
  /**
   * Run the security validators (`cdk-web-tiers validate`: cdk-nag, cfn-guard with the Control
   * Tower rules, cfn-lint, checkov) on each stage's templates before it deploys.
   *
   * @default true
   */
  readonly validate?: boolean;
  /**
   * The spike each web tier must absorb in the simulator before its stage deploys (stages whose
   * profile has `spikeGate`: all but development).
   *
   * @default - a 15x TV-ad spike absorbed within 6 minutes
   */
  readonly spikeGate?: SpikeGate;
}

/**
 * A load test that runs against a stage after it deploys; the stage fails when its thresholds break.
 */
export interface StageLoadTest {
  /** The URL requested, https:// (http:// only for a development stage). */
  readonly url: string;
  /** Requests per second before the spike. */
  readonly baselineRequestsPerSecond: number;
  /**
   * Peak demand as a multiple of the baseline.
   *
   * @default 15
   */
  readonly factor?: number;
  /**
   * Demand shape: 'tv-ad', 'step' or 'ramp' (the spike simulator's profiles).
   *
   * @default 'tv-ad'
   */
  readonly profile?: string;
  /**
   * Load generators (CodeBuild projects) that send the load together, each its share.
   *
   * @default 2
   */
  readonly sources?: number;
  /**
   * Replay the profile faster at the same rates (0.25 plays an hour in 15 minutes).
   *
   * @default 0.25
   */
  readonly timeScale?: number;
  /**
   * Largest 95th percentile response time, in milliseconds.
   *
   * @default 1000
   */
  readonly p95LatencyMillis?: number;
}

/**
 * How a stage joins a {@link DeliveryPipeline}.
 */
export interface DeliveryStageOptions {
  /**
   * Load test after the stage deploys. Required for a stage whose profile asks for one (staging).
   *
   * @default - none
   */
  readonly loadTest?: StageLoadTest;
  /**
   * Deploy a stage whose profile requires approval (production) without asking a person: give
   * the reason, which the pipeline records. Without it such a stage waits for a manual approval.
   *
   * @default - the profile decides: production waits for an approval
   */
  readonly approvalWaivedBecause?: string;
}

const K6_VERSION = 'v1.8.1';

/**
 * A CDK Pipelines delivery pipeline: source from a repository connection, then install, test and
 * synth, then your stages in the order you add them (development → staging → production), each
 * behind gates: the security validators and the spike simulator on the stage's templates, a load
 * test from several sources after a stage that asks for one (staging), and a manual approval before
 * a stage whose profile requires it (production).
 */
export class DeliveryPipeline extends Construct {
  /** The CDK Pipelines pipeline, for what this construct did not foresee (waves, more steps). */
  public readonly codePipeline: pipelines.CodePipeline;
  /** The repository source, also an input of the gate steps. */
  public readonly source: pipelines.CodePipelineSource;
  private readonly validate: boolean;
  private readonly spikeGate: Required<SpikeGate>;
  private readonly synth: pipelines.ShellStep;
  private readonly encryptionKey: kms.Key;

  constructor(scope: Construct, id: string, props: DeliveryPipelineProps) {
    super(scope, id);
    checkOptions(this, 'props', props, { repository: 'string!', connectionArn: 'string!', branch: 'string', installCommands: 'array', testCommands: 'array', synthCommand: 'string', validate: 'boolean', spikeGate: 'object' });
    if (!Token.isUnresolved(props.repository) && !/^[\w.-]+\/[\w.-]+$/.test(props.repository)) {
      invalid(this, 'CWT901', 'repository', props.repository, "Use 'owner/name', for example 'kwizly/kwizly-infra'.");
    }
    if (!Token.isUnresolved(props.connectionArn) && !/^arn:aws[\w-]*:(codestar-connections|codeconnections):[\w-]+:\d{12}:connection\/[\w-]+$/.test(props.connectionArn)) {
      invalid(this, 'CWT902', 'connectionArn', props.connectionArn, 'Use the ARN of a CodeConnections connection (arn:aws:codeconnections:REGION:ACCOUNT:connection/ID).');
    }
    this.validate = props.validate ?? true;
    this.spikeGate = {
      factor: props.spikeGate?.factor ?? 15,
      absorbWithin: props.spikeGate?.absorbWithin ?? Duration.minutes(6),
      profile: props.spikeGate?.profile ?? 'tv-ad',
    };
    checkProfileName(this, 'spikeGate.profile', this.spikeGate.profile);
    if (!(this.spikeGate.factor > 1)) invalid(this, 'CWT903', 'spikeGate.factor', this.spikeGate.factor, 'A spike is a factor above 1, for example 15.');

    this.encryptionKey = createKey(this, 'Key', `Artifacts and build logs of the delivery pipeline ${this.node.path}`);
    allowLogGroupsToUseKey(this.encryptionKey);
    const logGroup = new logs.LogGroup(this, 'BuildLogs', { encryptionKey: this.encryptionKey, retention: logs.RetentionDays.ONE_YEAR });
    const accessLogs = createLogBucket(this, 'ArtifactAccessLogs', {
      contents: 'S3 server access logs of the pipeline\'s artifact bucket',
      sseS3Reason: 'S3 server access logging delivers only to buckets whose default encryption is SSE-S3 (SSE-KMS is not supported for the target bucket).',
      retentionDays: 365,
      s3AccessLogTarget: true,
    });
    const artifacts = new s3.Bucket(this, 'Artifacts', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    logBucketAccess(artifacts, accessLogs, 'artifacts/');
    acknowledgeFindings(artifacts,
      'Pipeline artifacts are rebuilt from the repository by every run; replicating them to another region would protect nothing that git does not.',
      ...compliancePacks('S3BucketReplicationEnabled'));
    acknowledgeFindings(artifacts,
      'CodePipeline reads and writes the artifacts itself; nothing consumes bucket events, and Object Lock would keep superseded build outputs forever.',
      'CT.S3.PR.4', 'CT.S3.PR.9');

    this.source = pipelines.CodePipelineSource.connection(props.repository, props.branch ?? 'main', { connectionArn: props.connectionArn });
    this.synth = new pipelines.ShellStep('Synth', {
      input: this.source,
      installCommands: props.installCommands ?? ['npm ci'],
      commands: [...(props.testCommands ?? ['npm test']), props.synthCommand ?? 'npx cdk synth'],
    });
    this.codePipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      synth: this.synth,
      artifactBucket: artifacts,
      crossAccountKeys: true,
      enableKeyRotation: true,
      codeBuildDefaults: {
        buildEnvironment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.MEDIUM },
        logging: { cloudWatch: { logGroup } },
        timeout: Duration.minutes(60),
      },
    });
    // CDK Pipelines creates its roles, projects and actions when the app is synthesized: their
    // findings are acknowledged once they exist.
    let acknowledged = false;
    this.node.addValidation({
      validate: () => {
        if (!acknowledged) this.acknowledgeGenerated();
        acknowledged = true;
        return [];
      },
    });
  }

  /**
   * Deploys a stage after the ones added before it, behind its gates. The stage's profile
   * (`EnvironmentProfile.of(stage)`) decides whether it needs a load test and an approval.
   */
  public addStage(stage: Stage, options: DeliveryStageOptions = {}): void {
    checkOptions(this, 'addStage', { stage, options }, { stage: 'object!', options: 'object' });
    checkOptions(this, 'addStage(stage)', options, { loadTest: 'object', approvalWaivedBecause: 'string' });
    const profile = EnvironmentProfile.of(stage);
    const where = `addStage(${stage.stageName})`;
    if (profile.loadTest && !options.loadTest) {
      invalid(this, 'CWT904', `${where}.loadTest`, undefined, `The ${profile.name} profile asks for a load test before later stages deploy: give loadTest: { url, baselineRequestsPerSecond }.`);
    }
    if (profile.requiresApproval && options.approvalWaivedBecause === undefined) {
      // Fine: an approval step is added below.
    } else if (options.approvalWaivedBecause !== undefined && options.approvalWaivedBecause.trim().length < 20) {
      invalid(this, 'CWT905', `${where}.approvalWaivedBecause`, options.approvalWaivedBecause, 'Say in a sentence why this stage may deploy without a person approving it.');
    }
    const pre: pipelines.Step[] = [this.gates(stage, profile)];
    if (profile.requiresApproval && options.approvalWaivedBecause === undefined) {
      pre.push(new pipelines.ManualApprovalStep(`Approve-${stage.stageName}`, {
        comment: `Deploy ${stage.stageName} (${profile.name})? Its gates passed; check the load test of the stage before it.`,
      }));
    }
    const post = options.loadTest ? this.loadTestSteps(stage, profile, options.loadTest) : [];
    this.codePipeline.addStage(stage, { pre, post });
  }

  /**
   * The findings on what CDK Pipelines generates, each with its reason. Wildcards in IAM are
   * acknowledged per policy and per exact finding, so a new wildcard still shows up.
   */
  private acknowledgeGenerated(): void {
    acknowledgeFindings(this,
      'CDK Pipelines gives each of its roles (pipeline, source, CodeBuild projects, asset publishing, self-mutation) a default policy ' +
      'scoped to this pipeline\'s bucket, key, projects and stages; the roles exist only for this pipeline, so their policies live and die with them.',
      ...compliancePacks('IAMNoInlinePolicy'));
    acknowledgeFindings(this,
      'The projects\' source is CodePipeline (artifacts of the CodeConnections source action), not a GitHub or Bitbucket URL: ' +
      'no credentials are in the project, the connection holds the authorization.',
      'HIPAA.Security-CodeBuildProjectSourceRepoUrl', 'PCI.DSS.321-CodeBuildProjectSourceRepoUrl');
    const stack = Stack.of(this);
    const artifacts = this.codePipeline.pipeline.artifactBucket;
    const artifactsArn = `<${stack.getLogicalId(artifacts.node.defaultChild as CfnElement)}.Arn>`;
    for (const policy of this.node.findAll().filter((c): c is iam.CfnPolicy => c instanceof iam.CfnPolicy)) {
      for (const finding of wildcardFindings(stack.resolve(policy.policyDocument))) {
        acknowledgeFindings(policy, wildcardReason(finding, artifactsArn), `AwsSolutions-IAM5[${finding}]`);
      }
    }
    const assetRole = this.node.tryFindChild('Pipeline')?.node.tryFindChild('Assets')?.node.tryFindChild('FileRole');
    const assetPolicy = assetRole?.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (assetPolicy) {
      acknowledgeFindings(assetPolicy,
        'The asset publishing role of CDK Pipelines starts the asset projects, whose names CodePipeline passes at run time, and assumes only the ' +
        'CDK bootstrap publishing roles of the target accounts.', 'CKV_AWS_111');
    }
    acknowledgeFindings(this.codePipeline.pipeline,
      'CDK Pipelines renders the cross-account action role ARNs with Fn::Join; the value is the same as Fn::Sub would give.', 'E3703');
    acknowledgeFindings(this.codePipeline.pipeline,
      'CDK Pipelines adds an explicit DependsOn on the pipeline role so that its default policy exists before the pipeline starts; the GetAtt alone does not order the policy.',
      'W3005');
  }

  /** Validators and the spike simulator on the stage's templates, from the synth output. */
  private gates(stage: Stage, profile: EnvironmentProfile): pipelines.CodeBuildStep {
    const assembly = stage.artifactId;
    const commands = ['cd source && npm ci && cd ..'];
    if (this.validate) commands.push(`(cd source && npx cdk-web-tiers validate ../${assembly})`);
    const tiers = profile.spikeGate ? stage.node.findAll().filter((c): c is StatelessWebTier => c instanceof StatelessWebTier) : [];
    for (const tier of tiers) {
      const stack = Stack.of(tier);
      // The group's logical id: unambiguous, and readable whether or not the template has path metadata.
      const group = stack.getLogicalId(tier.autoScalingGroup.node.defaultChild as CfnElement);
      commands.push(`(cd source && npx cdk-web-tiers spike ../${assembly}/${stack.templateFile} --group ${group} ` +
        `--profile ${this.spikeGate.profile} --factor ${this.spikeGate.factor} --expect-minutes ${this.spikeGate.absorbWithin.toMinutes({ integral: false })})`);
    }
    return new pipelines.CodeBuildStep(`Gates-${stage.stageName}`, {
      input: this.synth,
      additionalInputs: { source: this.source },
      commands,
    });
  }

  /** The same k6 script from `sources` CodeBuild projects at once, each sending its share. */
  private loadTestSteps(stage: Stage, profile: EnvironmentProfile, test: StageLoadTest): pipelines.Step[] {
    const where = `addStage(${stage.stageName}).loadTest`;
    const profileName = test.profile ?? 'tv-ad';
    checkProfileName(this, `${where}.profile`, profileName);
    if (!/^https:\/\//.test(test.url) && profile.name !== 'development') {
      invalid(this, 'CWT906', `${where}.url`, test.url, `A ${profile.name} stage is load-tested over HTTPS, as its users reach it: use https://.`);
    }
    const factor = test.factor ?? 15;
    if (!(factor > 1)) invalid(this, 'CWT907', `${where}.factor`, factor, 'A spike is a factor above 1, for example 15.');
    const sources = test.sources ?? 2;
    let script: string;
    try {
      script = LoadTestScript.k6({
        url: test.url,
        profile: spikeProfileNamed(profileName, { factor })!,
        baselineRequestsPerSecond: test.baselineRequestsPerSecond,
        sources,
        timeScale: test.timeScale ?? 0.25,
        p95LatencyMillis: test.p95LatencyMillis,
      });
    } catch (e) {
      if (!(e instanceof TierValidationError)) throw e;
      throw new TierValidationError(e.code, this.node.path, `${where}.${e.prop}`, e.value, e.fix);
    }
    const k6 = `https://github.com/grafana/k6/releases/download/${K6_VERSION}/k6-${K6_VERSION}-linux-amd64.tar.gz`;
    return Array.from({ length: sources }, (_, i) => new pipelines.CodeBuildStep(`LoadTest-${stage.stageName}-${i + 1}`, {
      commands: [
        `curl -fsSL ${k6} | tar -xz --strip-components=1`,
        `cat > load.js <<'CDK_WEB_TIERS_K6'\n${script}CDK_WEB_TIERS_K6`,
        './k6 run --no-usage-report load.js',
      ],
    }));
  }
}

function checkProfileName(scope: Construct, prop: string, name: string): void {
  if (!SPIKE_PROFILE_NAMES.includes(name)) invalid(scope, 'CWT909', prop, name, `Use one of ${SPIKE_PROFILE_NAMES.join(', ')}.`);
}

/** The AwsSolutions-IAM5 findings of a policy document, spelled as cdk-nag spells them (Action::x, Resource::x). */
function wildcardFindings(document: { Statement?: Array<Record<string, unknown>> }): string[] {
  const findings = new Set<string>();
  for (const statement of document.Statement ?? []) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of ([] as unknown[]).concat(statement.Action ?? [])) {
      if (typeof action === 'string' && action.includes('*')) findings.add(`Action::${action}`);
    }
    for (const resource of ([] as unknown[]).concat(statement.Resource ?? [])) {
      const flat = flatten(resource);
      if (flat.includes('*')) findings.add(`Resource::${flat}`);
    }
  }
  return [...findings];
}

/** A CloudFormation value as a flat string: Ref → <Id>, GetAtt → <Id.Attr>, Join concatenated (as cdk-nag does). */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/}/g, '>');
  const node = (value ?? {}) as { 'Fn::Join'?: [string, unknown[]]; 'Fn::Sub'?: unknown; 'Fn::GetAtt'?: [string, string]; Ref?: string };
  if (node['Fn::Join']) return node['Fn::Join'][1].map(flatten).join(node['Fn::Join'][0]);
  if (node['Fn::Sub']) return flatten(node['Fn::Sub']);
  if (node['Fn::GetAtt']) return `<${node['Fn::GetAtt'][0]}.${node['Fn::GetAtt'][1]}>`;
  if (node.Ref) return `<${node.Ref}>`;
  return JSON.stringify(value);
}

function wildcardReason(finding: string, artifactsArn: string): string {
  if (/^Action::s3:/.test(finding) || finding === `Resource::${artifactsArn}/*`) {
    return 'CDK Pipelines grants read (and to the pipeline, source and synth, write) on the pipeline\'s own artifact bucket: the wildcards cover the object keys and S3 action families of that one bucket.';
  }
  if (/^Action::kms:/.test(finding)) {
    return 'kms:ReEncrypt* and kms:GenerateDataKey* on the pipeline\'s own artifact key only (the grant that lets a step read and write encrypted artifacts).';
  }
  if (/:log-group:\/aws\/codebuild\//.test(finding)) {
    return 'CodeBuild writes its default log group /aws/codebuild/<project>: the wildcard covers the log streams of that group (the asset role\'s covers the asset projects, named at run time).';
  }
  if (/:report-group\//.test(finding)) {
    return 'CodeBuild test reports of the pipeline\'s own projects: the wildcard covers the report groups CodeBuild names after the project.';
  }
  if (/:role\/\*/.test(finding)) {
    return 'Self-mutation and asset publishing assume only the CDK bootstrap roles, selected by the iam:ResourceTag/aws-cdk:bootstrap-role condition.';
  }
  return 'CDK Pipelines: cloudformation:DescribeStacks, s3:ListBucket and codebuild:StartBuild/BatchGetBuilds have no resource that is known before the stacks and projects they name exist.';
}

