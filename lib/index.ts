// Public API of cdk-web-tiers. Examples and users import only from here.
export * from './fleet/app-environment';
export * from './common/encryption-keys';
export * from './common/findings';
export * from './fleet/app-source';
export * from './fleet/app-source-config';
export type { GitRepositorySourceProps } from './fleet/git-repository-source';
export * from './delivery/delivery-pipeline';
export * from './common/environment-profile';
export * from './delivery/load-test-script';
export * from './fleet/boot-step';
export * from './fleet/tier';
export * from './fleet/tier-base';
export * from './fleet/scheduled-job-options';
export * from './lock/job-lock';
export * from './lock/scheduled-job';
export * from './network/tier-network';
export * from './storage/shared-uploads';
export * from './web-tier/tier-load-balancer';
export * from './web-tier/stateless-web-tier';
export * from './web-tier/web-tier-props';
export * from './worker/singleton-worker';
export { SpikeChart } from './spike/chart';
export type { SpikeChartOptions } from './spike/chart';
export { SpikeAdjustmentType, SpikeComparison, SpikeHealthCheckType, SpikeMetric, SpikeWarmPoolState } from './spike/model';
export type {
  ScalingModel, SpikeAlarmModel, SpikeMetricModel, SpikeModelOptions, SpikeScheduledActionModel, SpikeSimpleScalingModel,
  SpikeStepModel, SpikeStepScalingModel, SpikeTargetGroupModel, SpikeTargetTrackingModel, SpikeWarmPoolModel,
} from './spike/model';
export { SpikeProfile } from './spike/profile';
export type { CsvProfileOptions, RampProfileOptions, SpikeProfileStage, StepProfileOptions, TvAdProfileOptions } from './spike/profile';
export type { SpikeResult, SpikeRunOptions, SpikeSample, SpikeSummary } from './spike/simulator';
export { SpikeSimulation } from './spike/spike-simulation';
export type { ExpectSpikeOptions } from './spike/expect-spike';
export * from './observability/tier-notifications';
export * from './observability/tier-dashboard';
export * from './observability/web-tier-alarms';
export * from './observability/web-tier-slo';
export * from './observability/worker-alarms';
export * from './observability/job-lock-alarms';
export * from './observability/scheduled-job-alarms';
export * from './observability/uploads-alarms';
export * from './observability/access-log-queries';
export * from './observability/kubernetes-tier-alarms';
export * from './observability/log-queries';
export * from './kubernetes/tier-cluster';
export * from './kubernetes/kubernetes-web-tier';
export * from './kubernetes/cluster-monitoring';
