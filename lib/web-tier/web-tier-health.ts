import { Duration, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkInteger, checkRange, invalid } from '../common/validation';
import { WebTierHealthCheck } from './web-tier-props';

/** A health check with every default filled in. */
export interface ResolvedHealthCheck {
  readonly path: string;
  readonly port?: number;
  readonly healthyHttpCodes: string;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  readonly interval: Duration;
  readonly timeout: Duration;
  readonly gracePeriod: Duration;
  readonly livenessPath?: string;
  readonly loadBalancerReplacesInstances: boolean;
  readonly failOpenBelowHealthyPercent: number;
  readonly slowStart?: Duration;
}

/** Fills in the health check's defaults and checks each value against what ELB accepts. */
export function validateHealthCheck(scope: Construct, hc: WebTierHealthCheck | undefined): ResolvedHealthCheck {
  const resolved: ResolvedHealthCheck = {
    path: hc?.path ?? '/',
    port: hc?.port,
    healthyHttpCodes: hc?.healthyHttpCodes ?? '200-399',
    healthyThreshold: hc?.healthyThreshold ?? 2,
    unhealthyThreshold: hc?.unhealthyThreshold ?? 3,
    interval: hc?.interval ?? Duration.seconds(10),
    timeout: hc?.timeout ?? Duration.seconds(5),
    gracePeriod: hc?.gracePeriod ?? Duration.minutes(5),
    livenessPath: hc?.livenessPath,
    loadBalancerReplacesInstances: hc?.loadBalancerReplacesInstances ?? false,
    failOpenBelowHealthyPercent: hc?.failOpenBelowHealthyPercent ?? 60,
    slowStart: hc?.slowStart,
  };
  if (resolved.livenessPath !== undefined && !Token.isUnresolved(resolved.livenessPath) && !/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$/.test(resolved.livenessPath)) {
    invalid(scope, 'CWT219', 'healthCheck.livenessPath', resolved.livenessPath, "Use a URL path that starts with '/' (letters, digits and URL punctuation), for example '/livez'.");
  }
  checkRange(scope, 'CWT220', 'healthCheck.failOpenBelowHealthyPercent', resolved.failOpenBelowHealthyPercent, 0, 100,
    'Use a percentage from 1 to 100, or 0 to fail open only when no target is healthy.');
  if (resolved.slowStart && !resolved.slowStart.isUnresolved()) {
    checkInteger(scope, 'CWT221', 'healthCheck.slowStart (seconds)', resolved.slowStart.toSeconds(), 30, 900);
  }
  if (!Token.isUnresolved(resolved.path) && !resolved.path.startsWith('/')) {
    invalid(scope, 'CWT222', 'healthCheck.path', resolved.path, `It must start with '/': use '/${resolved.path}'.`);
  }
  checkInteger(scope, 'CWT223', 'healthCheck.port', resolved.port, 1, 65535);
  if (!Token.isUnresolved(resolved.healthyHttpCodes) && !/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(resolved.healthyHttpCodes)) {
    invalid(scope, 'CWT224', 'healthCheck.healthyHttpCodes', resolved.healthyHttpCodes, "Use codes and ranges such as '200', '200,302' or '200-399'.");
  }
  checkInteger(scope, 'CWT225', 'healthCheck.healthyThreshold', resolved.healthyThreshold, 2, 10);
  checkInteger(scope, 'CWT226', 'healthCheck.unhealthyThreshold', resolved.unhealthyThreshold, 2, 10);
  const interval = resolved.interval.isUnresolved() ? undefined : resolved.interval.toSeconds();
  const timeout = resolved.timeout.isUnresolved() ? undefined : resolved.timeout.toSeconds();
  checkInteger(scope, 'CWT227', 'healthCheck.interval (seconds)', interval, 5, 300);
  checkInteger(scope, 'CWT228', 'healthCheck.timeout (seconds)', timeout, 2, 120);
  if (interval !== undefined && timeout !== undefined && timeout >= interval) {
    invalid(scope, 'CWT229', 'healthCheck.timeout', `${timeout}s`, `It must be shorter than healthCheck.interval (${interval}s).`);
  }
  if (!resolved.gracePeriod.isUnresolved()) {
    checkInteger(scope, 'CWT230', 'healthCheck.gracePeriod (seconds)', resolved.gracePeriod.toSeconds(), 0, 7200);
  }
  return resolved;
}
