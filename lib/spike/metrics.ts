/**
 * The metrics a run publishes, one sample per step, and the datapoints alarms read from them:
 * aggregated over the metric's period and usable only once the period has ended and the
 * publication delay has passed (constants.ts: METRIC_PUBLICATION_DELAY_SECONDS).
 */
import { BASIC_MONITORING_PUBLICATION_DELAY_SECONDS, METRIC_PUBLICATION_DELAY_SECONDS } from './constants';
import { SpikeMetric, SpikeMetricModel } from './model';

/** Seconds after its period ends until a datapoint is usable. */
export function publicationDelaySeconds(metric: SpikeMetricModel, override: number | undefined): number {
  if (override !== undefined) return override;
  return metric.periodSeconds > 60 ? BASIC_MONITORING_PUBLICATION_DELAY_SECONDS : METRIC_PUBLICATION_DELAY_SECONDS;
}

/** Per-step samples of the metrics the simulator reproduces. */
export class MetricStore {
  private readonly cpu: Array<number | undefined> = [];
  private readonly requestsPerTarget: number[] = [];
  private readonly requests: number[] = [];
  private readonly cpuInstances: number[] = [];

  constructor(private readonly stepSeconds: number, private readonly delayOverride: number | undefined) {}

  /** Records one step: average CPU of the instances the metric covers, requests per routed target, requests. */
  public push(cpuPercent: number | undefined, requestsPerTarget: number, requests: number, cpuInstances: number): void {
    this.cpu.push(cpuPercent);
    this.cpuInstances.push(cpuInstances);
    this.requestsPerTarget.push(requestsPerTarget);
    this.requests.push(requests);
  }

  /** Steps per period of the metric. */
  public stepsPerPeriod(metric: SpikeMetricModel): number {
    return Math.max(1, Math.round(metric.periodSeconds / this.stepSeconds));
  }

  /**
   * The `count` newest datapoints usable at `step` (newest first): whole periods, aligned on
   * period boundaries, that ended at least the publication delay ago. Undefined where none exists.
   */
  public usableDatapoints(metric: SpikeMetricModel, step: number, count: number): Array<number | undefined> {
    const n = this.stepsPerPeriod(metric);
    const delaySteps = Math.ceil(publicationDelaySeconds(metric, this.delayOverride) / this.stepSeconds);
    const newestEnd = Math.floor((step - delaySteps) / n) * n;
    return Array.from({ length: count }, (_, k) => this.datapoint(metric, newestEnd - k * n, n));
  }

  /**
   * The capacity a target tracking policy wants from the newest usable datapoint: for CPU, the
   * instances the datapoint covered × value ÷ target; for request counts, the period's requests ÷
   * target (what keeps requests per target at the target). Computed from the datapoint's own
   * period, not from today's fleet, so that a late datapoint is not applied to a grown fleet.
   */
  public wantedCapacity(metric: SpikeMetricModel, step: number, targetValue: number): number | undefined {
    const n = this.stepsPerPeriod(metric);
    const delaySteps = Math.ceil(publicationDelaySeconds(metric, this.delayOverride) / this.stepSeconds);
    const end = Math.floor((step - delaySteps) / n) * n;
    const value = this.datapoint(metric, end, n);
    if (value === undefined) return undefined;
    if (metric.metric === SpikeMetric.CPU_UTILIZATION) {
      const covered = this.cpuInstances.slice(end - n, end);
      const instances = covered.reduce((a, b) => a + b, 0) / covered.length;
      return Math.ceil(instances * value / targetValue - 1e-9);
    }
    const requests = this.requests.slice(end - n, end).reduce((a, b) => a + b, 0);
    return Math.ceil(requests / targetValue - 1e-9);
  }

  private datapoint(metric: SpikeMetricModel, endStep: number, n: number): number | undefined {
    if (endStep - n < 0 || endStep > this.cpu.length) return undefined;
    if (metric.metric === SpikeMetric.CPU_UTILIZATION) {
      const values = this.cpu.slice(endStep - n, endStep).filter((v): v is number => v !== undefined);
      return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
    }
    const source = metric.metric === SpikeMetric.REQUEST_COUNT_PER_TARGET ? this.requestsPerTarget
      : metric.metric === SpikeMetric.REQUEST_COUNT ? this.requests : undefined;
    if (!source) return undefined;
    return source.slice(endStep - n, endStep).reduce((a, b) => a + b, 0);
  }
}
