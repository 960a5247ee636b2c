import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { checkOptions, invalid } from '../common/validation';
import { AccessLogQueries } from './access-log-queries';
import { graph, warnMonitoringOff } from './alarm-kit';
import { accessLogTables, addServingAlarms, checkServingOptions, demandMetric, servingWidgets } from './serving-alarms';
import { TierDashboard } from './tier-dashboard';
import { WebTierAlarm, WebTierAlarmOptions } from './web-tier-alarms';

/**
 * Props of {@link KubernetesTierAlarms}.
 */
export interface KubernetesTierAlarmsProps {
  /** The tier's load balancer construct (alarms on the load balancer itself go under it, once). */
  readonly loadBalancerScope: Construct;
  /** The load balancer. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The tier's IP target group. */
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  /** replicas.min of the tier: fewer healthy pods fire HealthyHostsBelowMin. */
  readonly minReplicas: number;
  /**
   * Thresholds. The EC2-only ones (`atMaxCapacityMinutes`, `cpuCreditBalance`) fail at synth.
   *
   * @default - every alarm with its default threshold
   */
  readonly options?: WebTierAlarmOptions;
  /**
   * The tier's access log queries, shown as tables on the dashboard.
   *
   * @default - none
   */
  readonly accessLogQueries?: AccessLogQueries;
}

/**
 * The CloudWatch alarms and dashboard section of a `KubernetesWebTier` behind a load balancer:
 * the same target group alarms as a `StatelessWebTier` (5xx share, p99 response time, unhealthy
 * pods, healthy pods below replicas.min) and the load balancer's own (5xx, rejected connections),
 * notifying the stack's `TierNotifications`. What happens inside the cluster (memory, restarts,
 * scrape targets) is alerted on by `TierClusterMonitoring`'s Prometheus rules.
 */
export class KubernetesTierAlarms extends Construct {
  /** The alarms, by {@link WebTierAlarm} value. */
  public readonly alarms: { [name: string]: cloudwatch.Alarm } = {};

  constructor(scope: Construct, id: string, props: KubernetesTierAlarmsProps) {
    super(scope, id);
    checkOptions(this, 'props', props, { loadBalancerScope: 'object!', loadBalancer: 'object!', targetGroup: 'object!', minReplicas: 'number!', options: 'object', accessLogQueries: 'object' });
    const o = props.options ?? {};
    checkServingOptions(scope, o);
    const ec2Only: Array<[string, unknown]> = [['atMaxCapacityMinutes', o.atMaxCapacityMinutes], ['cpuCreditBalance', o.cpuCreditBalance]];
    for (const [prop, value] of ec2Only) {
      if (value !== undefined) {
        invalid(scope, 'CWT605', `alarms.${prop}`, value, 'It watches an Auto Scaling group of EC2 instances, which a Kubernetes tier does not have: remove it.');
      }
    }
    for (const alarm of o.disable ?? []) {
      if ([WebTierAlarm.AT_MAX_CAPACITY, WebTierAlarm.CPU_CREDIT_BALANCE, WebTierAlarm.BOOT_FAILURES].includes(alarm)) {
        invalid(scope, 'CWT606', 'alarms.disable', alarm, 'A Kubernetes tier has no such alarm (it is an EC2 tier alarm): remove it from disable.');
      }
    }

    if (o.enabled === false) {
      warnMonitoringOff(scope, 'this tier answers errors, slows down or loses pods');
    } else {
      addServingAlarms(this, this.alarms, {
        targetGroup: props.targetGroup, loadBalancer: props.loadBalancer, loadBalancerScope: props.loadBalancerScope,
        minHealthy: props.minReplicas, minName: 'replicas.min', target: 'pod', replacedBy: 'Kubernetes', options: o,
        on: (alarm: string) => !(o.disable ?? []).includes(alarm as WebTierAlarm),
      });
    }
    TierDashboard.of(this).addSection(`Kubernetes tier ${scope.node.path}`, [
      graph('Demand', [demandMetric(props.targetGroup)], { leftLabel: 'requests/s' }),
      ...servingWidgets(props.targetGroup, props.loadBalancer, 'pod'),
      ...accessLogTables(props.accessLogQueries),
    ]);
  }
}
