import { App, AppProps } from 'aws-cdk-lib';
import { BuycycleStack } from '../examples/buycycle';
import { KarmaLabsStack } from '../examples/karma-labs';
import { KwizlyStack } from '../examples/kwizly';
import { KwizlyDeliveryStack } from '../examples/kwizly-delivery';
import { BuycycleHybridStack } from '../examples/buycycle-hybrid';
import { RunTheWorldStack } from '../examples/run-the-world';

/** Region of the example stacks unless `-c region=...` says otherwise. */
export const DEFAULT_EXAMPLE_REGION = 'us-east-1';

/**
 * Builds the app with every example stack. The stacks name a region (load balancer access logs
 * need one) but no account, so synthesizing needs no AWS account, no credentials and no network,
 * and gives the same templates on every machine.
 */
export function buildExamplesApp(props: AppProps = {}): App {
  const app = new App(props);
  const env = { region: app.node.tryGetContext('region') ?? DEFAULT_EXAMPLE_REGION };
  new KarmaLabsStack(app, 'KarmaLabs', {
    env,
    description: 'cdk-web-tiers example: Karma Labs (Web, API and Brain tiers from pre-baked images)',
  });
  new KwizlyStack(app, 'Kwizly', {
    env,
    description: 'cdk-web-tiers example: Kwizly (web tier built from git at boot, env from Secrets Manager, EFS uploads, job lock, RDS)',
  });
  new KwizlyDeliveryStack(app, 'KwizlyDelivery', {
    env,
    description: 'cdk-web-tiers example: Kwizly delivery pipeline (development, staging, production with gates)',
  });
  new BuycycleStack(app, 'Buycycle', {
    env,
    description: 'cdk-web-tiers example: Buycycle (15x TV-ad spike: on-demand baseline and Spot burst, warm pool, pre-scaling, truthful health)',
  });
  new RunTheWorldStack(app, 'RunTheWorld', {
    env,
    description: 'cdk-web-tiers example: Run The World (event API on EKS with Spot burst, Aurora Serverless v2, Prometheus and X-Ray)',
  });
  new BuycycleHybridStack(app, 'BuycycleHybrid', {
    env,
    description: 'cdk-web-tiers example: Buycycle (static EC2 storefront and a Kubernetes API bursting on Spot behind one load balancer)',
  });
  return app;
}
