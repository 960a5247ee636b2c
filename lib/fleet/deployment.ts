import { Duration, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { invalid, warn } from '../common/validation';
import { ResolvedCapacity } from './capacity';
import { RollingDeployment } from './tier';

/**
 * What the readiness deadline leaves of the deployment timeout (CloudFormation's PauseTime, which
 * counts from the launch): up to 2 minutes from the launch to the start of the boot (EC2 pending,
 * cloud-init), and about 3 minutes for the FAILURE signal's retries (2 + 4 + ... + 60 s), so that
 * CloudFormation hears FAILURE, and why, before it gives up on the instance.
 */
export const SIGNAL_MARGIN = Duration.minutes(5);

/** The rolling deployment with every default filled in. */
export interface ResolvedDeployment {
  readonly maxBatchSize: number;
  readonly minInstancesInService: number;
  readonly timeout: Duration;
}

/** Fills in the rolling deployment's defaults and checks them against what CloudFormation accepts. */
export function resolveDeployment(scope: Construct, capacity: ResolvedCapacity, deployment: RollingDeployment | undefined, singleton: boolean): ResolvedDeployment {
  const timeout = deployment?.timeout ?? Duration.minutes(15);
  const maxBatchSize = deployment?.maxBatchSize ?? Math.max(1, Math.ceil(capacity.min / 2));
  if (!Token.isUnresolved(maxBatchSize) && (!Number.isInteger(maxBatchSize) || maxBatchSize < 1)) {
    invalid(scope, 'CWT124', 'deployment.maxBatchSize', maxBatchSize, 'Use a whole number of at least 1.');
  }
  const least = SIGNAL_MARGIN.toSeconds() + 60;
  if (!timeout.isUnresolved() && (timeout.toSeconds() < least || timeout.toSeconds() > 3600)) {
    invalid(scope, 'CWT125', 'deployment.timeout', timeout.toHumanString(), 'CloudFormation waits at most 60 minutes for an instance signal, and the boot keeps 5 minutes of it ' +
      'for the launch and its FAILURE signal beside at least a minute of readiness: use Duration.minutes(6) to Duration.minutes(60).');
  }
  // CloudFormation requires MinInstancesInService < MaxSize; keep `min` healthy whenever max leaves room.
  const minInstancesInService = Math.max(0, Math.min(capacity.min, capacity.max - maxBatchSize));
  if (minInstancesInService < capacity.min && !singleton) {
    warn(scope, 'rollingDeployBelowMin',
      `capacity.max (${capacity.max}) leaves no room above capacity.min (${capacity.min}) for a batch of ${maxBatchSize}: ` +
      `rolling deployments will keep only ${minInstancesInService} instance(s) in service. Raise capacity.max to at least ${capacity.min + maxBatchSize} to deploy without losing capacity.`);
  }
  return { maxBatchSize, minInstancesInService, timeout };
}

/**
 * Picks the instance subnets (private with egress by default) and checks that they span two AZs.
 */
