import { CfnParameter, Duration, Stack, StackProps, Stage, StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DeliveryPipeline, EnvironmentProfile } from '../lib';
import { KwizlyStack } from './kwizly';

/**
 * One environment of Kwizly: the Kwizly example stack under an environment profile.
 */
export class KwizlyStage extends Stage {
  public readonly kwizly: KwizlyStack;

  constructor(scope: Construct, id: string, profile: EnvironmentProfile, props: StageProps = {}) {
    super(scope, id, props);
    profile.applyTo(this);
    this.kwizly = new KwizlyStack(this, 'Kwizly', {
      env: props.env,
      // A pipeline passes no stack parameters: each environment keeps its settings in SSM.
      settingsParameterPrefix: `/kwizly/${profile.name}`,
      description: `cdk-web-tiers example: Kwizly, ${profile.name} environment`,
    });
  }
}

/**
 * Kwizly's delivery: a push to `main` of the infrastructure repository is tested, synthesized,
 * checked by the validators and the spike simulator, deployed to development, then staging (and
 * load-tested there with the 8 o'clock rush, 4x, from two sources), then, after a person approves,
 * production. The three environments come from one definition and differ only by their profiles.
 */
export class KwizlyDeliveryStack extends Stack {
  public readonly pipeline: DeliveryPipeline;
  public readonly stages: KwizlyStage[];

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const connectionArn = new CfnParameter(this, 'ConnectionArn', {
      type: 'String',
      description: 'ARN of the AWS CodeConnections connection to the repository host (GitHub, GitLab or Bitbucket)',
      allowedPattern: '^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:[0-9]{12}:connection/[0-9a-f-]+$',
    });
    this.pipeline = new DeliveryPipeline(this, 'Delivery', {
      repository: 'kwizly/kwizly-infra',
      connectionArn: connectionArn.valueAsString,
      // Kwizly's rush: four times the evening's traffic when the quizzes open at 8, absorbed within 6 minutes.
      spikeGate: { factor: 4, absorbWithin: Duration.minutes(6) },
    });
    const app = Stage.of(this)!;
    const env = props.env;
    const development = new KwizlyStage(app, 'Development', EnvironmentProfile.development(), { env });
    const staging = new KwizlyStage(app, 'Staging', EnvironmentProfile.staging(), { env });
    const production = new KwizlyStage(app, 'Production', EnvironmentProfile.production(), { env });
    this.pipeline.addStage(development);
    this.pipeline.addStage(staging, {
      loadTest: {
        url: 'https://staging.kwizly.example/healthz', baselineRequestsPerSecond: 40, factor: 4, profile: 'step', sources: 2,
        // The staging firewall exempts requests carrying this secret from its per-IP rate limit (KwizlyStack).
        tokenSecretName: KwizlyStack.loadTestTokenSecretName('/kwizly/staging'),
      },
    });
    this.pipeline.addStage(production);
    this.stages = [development, staging, production];
  }
}
