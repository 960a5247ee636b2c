import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';

/**
 * Marks an alarm that only feeds a composite alarm (one window of an SLO burn-rate alert): it
 * notifies through the composite, so even `routeAllAlarms` gives it no action of its own. The mark
 * is a property of the construct itself (as aws-cdk-lib marks its stacks), not a registry.
 */
const COMPONENT_ALARM = Symbol.for('cdk-web-tiers.componentAlarm');

/** Marks an alarm as a component of a composite alarm. */
export function markComponentAlarm(alarm: cloudwatch.Alarm): void {
  Object.defineProperty(alarm, COMPONENT_ALARM, { value: true });
}

/** True for an alarm marked with {@link markComponentAlarm}, or its CfnAlarm. */
export function isComponentAlarm(node: IConstruct): boolean {
  const alarm = node instanceof cloudwatch.CfnAlarm ? node.node.scope : node;
  return alarm !== undefined && (alarm as unknown as Record<symbol, unknown>)[COMPONENT_ALARM] === true;
}
