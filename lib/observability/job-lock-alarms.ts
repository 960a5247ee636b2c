import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Duration, Fn } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkInteger, checkOptions } from '../common/validation';
import { checkThreshold, graph, newAlarm, warnMonitoringOff } from './alarm-kit';
import { TierDashboard } from './tier-dashboard';

/** The alarms of a {@link JobLockAlarms}, to turn single ones off. */
export enum JobLockAlarm {
  /** Any eviction: an evicted key can be a lock or a tick record, so a job may run twice. */
  EVICTIONS = 'Evictions',
  /** Memory used, percent of what the node has for data. */
  MEMORY = 'Memory',
  /** CPU of the cache engine thread. */
  ENGINE_CPU = 'EngineCpu',
  /** Client connections (a leak grows them until the node refuses new ones). */
  CONNECTIONS = 'Connections',
}

/**
 * Thresholds of a job lock's alarms.
 */
export interface JobLockAlarmOptions {
  /**
   * Create the alarms at all. `false` warns (`cdk-web-tiers:monitoringOff`).
   *
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Alarms to leave out.
   *
   * @default - none
   */
  readonly disable?: JobLockAlarm[];
  /**
   * Percent of the node's data memory used (any node, 15 minutes) that fires the alarm. With
   * `noeviction`, a full node refuses new locks and every job is skipped.
   *
   * @default 80
   */
  readonly memoryPercent?: number;
  /**
   * Engine CPU percent (any node, 15 minutes) that fires the alarm.
   *
   * @default 90
   */
  readonly engineCpuPercent?: number;
  /**
   * Client connections on a node (15 minutes) that fire the alarm.
   *
   * @default 1000
   */
  readonly connections?: number;
}

/**
 * Props of {@link JobLockAlarms}.
 */
export interface JobLockAlarmsProps {
  /** The replication group id (its cache clusters are `<id>-001`, `<id>-002`...). */
  readonly replicationGroupId: string;
  /** Number of cache clusters (nodes) in the group. */
  readonly nodes: number;
  /**
   * Thresholds.
   *
   * @default - every alarm on, with its default threshold
   */
  readonly options?: JobLockAlarmOptions;
}

/**
 * The alarms and dashboard section of a `JobLock`: evictions, memory, engine CPU and connections
 * of each node, as the worst node's value. Created by the lock (`lock.alarms`).
 */
export class JobLockAlarms extends Construct {
  /** The alarms, by {@link JobLockAlarm} value. */
  public readonly alarms: { [name: string]: cloudwatch.Alarm } = {};

  constructor(scope: Construct, id: string, props: JobLockAlarmsProps) {
    super(scope, id);
    checkOptions(this, 'props', props, { replicationGroupId: 'string!', nodes: 'number!', options: 'object' });
    const o = props.options ?? {};
    checkThreshold(scope, 'alarms.memoryPercent', o.memoryPercent, 1, 100, '80');
    checkThreshold(scope, 'alarms.engineCpuPercent', o.engineCpuPercent, 1, 100, '90');
    checkThreshold(scope, 'alarms.connections', o.connections, 1, 65000, '1000');
    checkInteger(scope, 'CWT604', 'nodes', props.nodes, 1, 6);
    const nodeIds = Array.from({ length: props.nodes }, (_, i) => Fn.join('-', [props.replicationGroupId, String(i + 1).padStart(3, '0')]));
    // The worst node: MAX over one metric per cache cluster.
    const worst = (metricName: string, statistic: string, label: string) => new cloudwatch.MathExpression({
      expression: `MAX([${nodeIds.map((_, i) => `${metricName.toLowerCase()}${i + 1}`).join(', ')}])`,
      usingMetrics: Object.fromEntries(nodeIds.map((nodeId, i) => [`${metricName.toLowerCase()}${i + 1}`, new cloudwatch.Metric({
        namespace: 'AWS/ElastiCache', metricName, dimensionsMap: { CacheClusterId: nodeId }, statistic, period: Duration.minutes(5),
      })])),
      label,
      period: Duration.minutes(5),
    });
    const evictions = worst('Evictions', cloudwatch.Stats.SUM, 'evictions');
    const memory = worst('DatabaseMemoryUsagePercentage', cloudwatch.Stats.MAXIMUM, 'memory used %');
    const cpu = worst('EngineCPUUtilization', cloudwatch.Stats.MAXIMUM, 'engine CPU %');
    const connections = worst('CurrConnections', cloudwatch.Stats.MAXIMUM, 'connections');
    if (o.enabled === false) {
      warnMonitoringOff(scope, 'the lock store evicts locks, fills up or runs out of CPU or connections');
    } else {
      const on = (alarm: JobLockAlarm) => !(o.disable ?? []).includes(alarm);
      const add = (alarm: JobLockAlarm, metric: cloudwatch.IMetric, threshold: number, periods: number, description: string) => {
        if (!on(alarm)) return;
        this.alarms[alarm] = newAlarm(this, alarm, {
          metric, threshold, comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, evaluationPeriods: periods, description,
        });
      };
      add(JobLockAlarm.EVICTIONS, evictions, 1, 1,
        'the cache evicted keys: an evicted lock or tick record lets a job run twice. The parameter group must keep maxmemory-policy noeviction.');
      add(JobLockAlarm.MEMORY, memory, o.memoryPercent ?? 80, 3,
        'the cache is filling up: with noeviction a full node refuses new locks and every job is skipped. Look for keys that are not joblock\'s or use a larger node.');
      add(JobLockAlarm.ENGINE_CPU, cpu, o.engineCpuPercent ?? 90, 3, 'the cache engine is saturated: claims time out and jobs are skipped (exit 201).');
      add(JobLockAlarm.CONNECTIONS, connections, o.connections ?? 1000, 3, 'client connections keep growing: a client leaks connections.');
    }
    TierDashboard.of(this).addSection(`Job lock ${scope.node.path}`, [
      graph('Evictions', [evictions]),
      graph('Memory and engine CPU', [memory, cpu], { leftLabel: '%' }),
      graph('Connections', [connections]),
    ]);
  }
}
