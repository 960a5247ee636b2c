// Public API of cdk-web-tiers: every name here is documented and kept compatible; nothing else of
// lib/ is public (no `export *`: a module's helpers stay internal). Examples and users import only
// from here.
export { EncryptionKeys } from './common/encryption-keys';
export { EnvironmentProfile } from './common/environment-profile';
export type { EnvironmentProfileProps } from './common/environment-profile';
export { Findings } from './common/findings';
export { TierNetwork } from './network/tier-network';
export type { TierNetworkProps } from './network/tier-network';

export { AppSource } from './fleet/app-source';
export type { AppSourceBindOptions, AppSourceConfig, MachineImageSourceOptions } from './fleet/app-source-config';
export type { EnvironmentSecretOptions } from './fleet/app-environment';
export type { GitRepositorySourceProps } from './fleet/git-repository-source';
export { BootPhase } from './fleet/boot-step';
export type { BootStep } from './fleet/boot-step';
export type { IJobLock, ScheduledJobOptions } from './fleet/scheduled-job-options';
export type { ITier, RollingDeployment, TierCapacity, TierInstanceProps } from './fleet/tier';
export { TierBase } from './fleet/tier-base';

export { StatelessWebTier } from './web-tier/stateless-web-tier';
export type {
  PrepareForOptions, ScheduledCapacity, StatelessWebTierProps, WebTierHealthCheck, WebTierRouting, WebTierScaling, WebTierSpotBurst, WebTierWarmPool,
} from './web-tier/web-tier-props';
export { TierLoadBalancer } from './web-tier/tier-load-balancer';
export type { TierLoadBalancerProps } from './web-tier/tier-load-balancer';
export { SingletonWorker } from './worker/singleton-worker';
export type { SingletonWorkerProps, WorkerHealthCheck } from './worker/singleton-worker';
export { SharedUploads } from './storage/shared-uploads';
export type { SharedUploadsProps } from './storage/shared-uploads';
export { JobLock, LockEngine } from './lock/job-lock';
export type { JobLockProps } from './lock/job-lock';
export { ScheduledJob } from './lock/scheduled-job';

export { DeliveryPipeline } from './delivery/delivery-pipeline';
export type { DeliveryPipelineProps, DeliveryStageOptions, SpikeGate, StageLoadTest } from './delivery/delivery-pipeline';
export { LoadTestScript } from './delivery/load-test-script';
export type { K6ScriptOptions } from './delivery/load-test-script';

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

export { TierNotifications } from './observability/tier-notifications';
export type { SlackChannel, TierNotificationsProps } from './observability/tier-notifications';
export { TierDashboard } from './observability/tier-dashboard';
export { WebTierAlarm, WebTierAlarms } from './observability/web-tier-alarms';
export type { WebTierAlarmOptions, WebTierAlarmsProps } from './observability/web-tier-alarms';
export { WebTierSlo } from './observability/web-tier-slo';
export type { LatencyObjective, ServiceLevelObjective, WebTierSloProps } from './observability/web-tier-slo';
export { WorkerAlarm, WorkerAlarms } from './observability/worker-alarms';
export type { WorkerAlarmOptions, WorkerAlarmsProps } from './observability/worker-alarms';
export { JobLockAlarm, JobLockAlarms } from './observability/job-lock-alarms';
export type { JobLockAlarmOptions, JobLockAlarmsProps } from './observability/job-lock-alarms';
export { ScheduledJobAlarm, ScheduledJobAlarms } from './observability/scheduled-job-alarms';
export type { ScheduledJobAlarmOptions, ScheduledJobAlarmsProps } from './observability/scheduled-job-alarms';
export { UploadsAlarm, UploadsAlarms } from './observability/uploads-alarms';
export type { UploadsAlarmOptions, UploadsAlarmsProps } from './observability/uploads-alarms';
export { AccessLogQueries } from './observability/access-log-queries';
export type { AccessLogQueriesProps } from './observability/access-log-queries';
export { KubernetesTierAlarms } from './observability/kubernetes-tier-alarms';
export type { KubernetesTierAlarmsProps } from './observability/kubernetes-tier-alarms';
export { TierLogQueries } from './observability/log-queries';
export type { TierLogQueriesProps } from './observability/log-queries';

export { TierCluster } from './kubernetes/tier-cluster';
export type { TierClusterCapacity, TierClusterProps } from './kubernetes/tier-cluster';
export { KubernetesWebTier } from './kubernetes/kubernetes-web-tier';
export type {
  KubernetesHealthCheck, KubernetesReplicas, KubernetesResources, KubernetesScaling, KubernetesScheduledScaling, KubernetesTrafficWeight, KubernetesWebTierProps,
} from './kubernetes/kubernetes-web-tier';
export { TierClusterMonitoring } from './kubernetes/cluster-monitoring';
export type { TierClusterMonitoringProps } from './kubernetes/cluster-monitoring';

export { TierErrors } from './common/errors';
export { ERROR_CODES } from './common/error-codes';
export type { ErrorCode } from './common/error-codes';
