import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { checkHostHeader, checkPathPattern } from '../common/input-checks';
import { checkInteger, invalid } from '../common/validation';
import { TierLoadBalancer } from './tier-load-balancer';
import { StatelessWebTierProps, WebTierRouting } from './web-tier-props';

/** The props that belong to an own load balancer, and routing on a shared one. */
export function validateLoadBalancerProps(scope: Construct, props: StatelessWebTierProps): void {
  if (props.loadBalancer) {
    const own: Array<keyof StatelessWebTierProps> = ['certificate', 'protocol', 'internetFacing', 'deletionProtection'];
    for (const key of own) {
      if (props[key] !== undefined) {
        invalid(scope, 'CWT231', key, key === 'certificate' ? 'a certificate' : props[key],
          `It configures the tier's own load balancer, but loadBalancer (${props.loadBalancer.node.path}) is shared: set it on that TierLoadBalancer instead.`);
      }
    }
  } else if (props.routing) {
    invalid(scope, 'CWT232', 'routing', `priority ${props.routing.priority}`, 'Routing rules apply only to a shared load balancer: pass loadBalancer, or remove routing.');
  }
  if (props.routing) {
    if (!props.routing.hostHeaders?.length && !props.routing.pathPatterns?.length) {
      invalid(scope, 'CWT216', 'routing', 'no hostHeaders and no pathPatterns', 'Give at least one host header or path pattern, or remove routing to receive every unmatched request.');
    }
    checkInteger(scope, 'CWT217', 'routing.priority', props.routing.priority, 1, 50000);
    for (const host of props.routing.hostHeaders ?? []) checkHostHeader(scope, 'routing.hostHeaders[]', host);
    for (const pattern of props.routing.pathPatterns ?? []) checkPathPattern(scope, 'routing.pathPatterns[]', pattern);
  }
}

/**
 * Sends the tier its requests: the listener's default action without routing (its own load
 * balancer), a listener rule with host and path conditions on a shared one.
 */
export function attachToListener(tier: Construct, tierLoadBalancer: TierLoadBalancer, targetGroup: elbv2.ApplicationTargetGroup, routing: WebTierRouting | undefined): void {
  if (!routing) {
    tierLoadBalancer._setDefaultTier(tier, targetGroup);
    return;
  }
  tierLoadBalancer._registerPriority(tier, routing.priority);
  const conditions: elbv2.ListenerCondition[] = [];
  if (routing.hostHeaders?.length) conditions.push(elbv2.ListenerCondition.hostHeaders(routing.hostHeaders));
  if (routing.pathPatterns?.length) conditions.push(elbv2.ListenerCondition.pathPatterns(routing.pathPatterns));
  new elbv2.ApplicationListenerRule(tier, 'ListenerRule', {
    listener: tierLoadBalancer.listener,
    priority: routing.priority,
    conditions,
    targetGroups: [targetGroup],
  });
}
