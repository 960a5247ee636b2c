import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';

/**
 * Alarms that only feed a composite alarm (the windows of an SLO burn-rate alert): they notify
 * through the composite, so TierNotifications gives them no action of their own.
 */
const COMPONENTS = new WeakSet<IConstruct>();

/** Marks an alarm as a component of a composite alarm. */
export function markComponentAlarm(alarm: cloudwatch.Alarm): void {
  COMPONENTS.add(alarm.node.defaultChild as IConstruct);
}

/** True for the CfnAlarm of an alarm marked with {@link markComponentAlarm}. */
export function isComponentAlarm(cfn: IConstruct): boolean {
  return COMPONENTS.has(cfn);
}
