import * as aps from 'aws-cdk-lib/aws-aps';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Aws, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeFindings, compliancePacks } from '../common/acknowledge';
import { TierNotifications } from '../observability/tier-notifications';
import { allowLogGroupsToUseKey, createKey } from '../common/encryption';
import { TierCluster } from './tier-cluster';

/** The OpenTelemetry collector image (AWS Distro for OpenTelemetry, with the X-Ray exporter). */
export const OTEL_COLLECTOR_IMAGE = 'public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3';

/** Namespace of the in-cluster telemetry (the OpenTelemetry collector). */
export const OBSERVABILITY_NAMESPACE = 'observability';

/**
 * Props of a {@link TierClusterMonitoring}.
 */
export interface TierClusterMonitoringProps {
  /** The cluster to watch. */
  readonly cluster: TierCluster;
  /**
   * Where alerts go. Prometheus' Alertmanager publishes to it; the topic gets the policy that lets
   * Amazon Managed Service for Prometheus (this workspace only) publish, and its key the use of it.
   *
   * @default - the stack's `TierNotifications` topic (its e-mails and Slack channel), like every alarm of the EC2 tiers
   */
  readonly alertTopic?: sns.ITopic;
  /**
   * The KMS key of `alertTopic`, when it is encrypted with a customer managed key.
   *
   * @default - the key of the stack's `TierNotifications` when alertTopic is not given; otherwise none
   */
  readonly alertTopicKey?: kms.IKey;
  /**
   * Run an OpenTelemetry collector in the cluster that receives OTLP traces (gRPC 4317,
   * HTTP 4318) at `otel-collector.observability` and sends them to AWS X-Ray.
   *
   * @default true
   */
  readonly traces?: boolean;
}

/**
 * Monitoring of a {@link TierCluster}, all of it managed by AWS so that nothing in the cluster
 * has to survive the spike it reports on:
 *
 * - **Metrics**: an Amazon Managed Service for Prometheus workspace (encrypted, logs to
 *   CloudWatch) fed by an AWS managed collector (agentless scraper: kubelet/cAdvisor, API server,
 *   and pods annotated `prometheus.io/scrape: "true"`). Chosen over a kube-prometheus-stack chart
 *   because the chart's Prometheus runs on the nodes it watches, needs storage and upgrades, and
 *   would have to be fetched from a chart repository at deploy time.
 * - **Alerts**: Prometheus rules in the workspace (memory near limit, API server errors, scrape
 *   targets down), routed by the workspace's Alertmanager to the stack's `TierNotifications`
 *   (e-mail, Slack), or to `alertTopic`.
 * - **Traces**: an OpenTelemetry collector (ADOT) Deployment with its own pod identity, exporting
 *   to AWS X-Ray.
 */
export class TierClusterMonitoring extends Construct {
  /** The Prometheus workspace. */
  public readonly workspace: aps.CfnWorkspace;
  /** The managed collector. */
  public readonly scraper: aps.CfnScraper;
  /** The alert rules. */
  public readonly rules: aps.CfnRuleGroupsNamespace;
  /** The kube-state-metrics add-on (object state: restarts, unavailable replicas, HPA bounds). */
  public readonly kubeStateMetrics: eksv2.Addon;
  /** The OpenTelemetry collector's manifest, unless traces is false. */
  public readonly collector?: Construct;
  /** The OpenTelemetry collector's IAM role (EKS Pod Identity), unless traces is false. */
  public readonly collectorRole?: iam.Role;

  constructor(scope: Construct, id: string, props: TierClusterMonitoringProps) {
    super(scope, id);
    const cluster = props.cluster.cluster;
    const notifications = props.alertTopic ? undefined : TierNotifications.of(this);
    const alertTopic: sns.ITopic = props.alertTopic ?? notifications!.topic;
    const alertTopicKey = props.alertTopic ? props.alertTopicKey : notifications!.encryptionKey;
    const key = createKey(this, 'Key', `Metrics and logs of the Prometheus workspace of ${this.node.path}`);
    allowLogGroupsToUseKey(key);
    const logGroup = new logs.LogGroup(this, 'WorkspaceLogs', {
      retention: logs.RetentionDays.ONE_YEAR, encryptionKey: key, removalPolicy: RemovalPolicy.RETAIN,
    });
    this.workspace = new aps.CfnWorkspace(this, 'Workspace', {
      alias: `${Stack.of(this).stackName}-${id}`.slice(0, 100),
      kmsKeyArn: key.keyArn,
      loggingConfiguration: { logGroupArn: logGroup.logGroupArn },
      alertManagerDefinition: alertManagerDefinition(alertTopic.topicArn),
    });
    // Prometheus uses the key for the workspace's data through grants it creates for itself.
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'ManagedPrometheus',
      principals: [new iam.ServicePrincipal('aps.amazonaws.com')],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey', 'kms:CreateGrant'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }));

    {
      // Alertmanager publishes with the aps service principal, for this workspace only.
      alertTopic.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'ManagedPrometheusAlerts',
        principals: [new iam.ServicePrincipal('aps.amazonaws.com')],
        actions: ['sns:Publish', 'sns:GetTopicAttributes'],
        resources: [alertTopic.topicArn],
        conditions: { ArnEquals: { 'aws:SourceArn': this.workspace.attrArn }, StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }));
      alertTopicKey?.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'ManagedPrometheusAlerts',
        principals: [new iam.ServicePrincipal('aps.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }));
    }

    this.scraper = new aps.CfnScraper(this, 'Scraper', {
      alias: 'cluster',
      source: {
        eksConfiguration: {
          clusterArn: cluster.clusterArn,
          subnetIds: cluster.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds,
          securityGroupIds: [cluster.clusterSecurityGroupId],
        },
      },
      destination: { ampConfiguration: { workspaceArn: this.workspace.attrArn } },
      scrapeConfiguration: { configurationBlob: Fn.base64(SCRAPE_CONFIGURATION) },
      // The workspace is encrypted with a customer managed key: the scraper writes through a role
      // that may use the key (RoleConfiguration), as for a workspace in another account.
      roleConfiguration: scraperRoles(this, this.workspace, key),
    });
    // No access entry here: Amazon Managed Service for Prometheus creates the scraper's own (user
    // `aps-collector-user`, whose RBAC is below) and a second one would fail with 409 Conflict.
    cluster.addManifest(`${id}ScraperRbac`, ...scraperRbacManifests());

    // kube-state-metrics (EKS community add-on): Deployment, pod and HPA state for the alerts below.
    this.kubeStateMetrics = new eksv2.Addon(this, 'KubeStateMetrics', { cluster, addonName: 'kube-state-metrics' });

    this.rules = new aps.CfnRuleGroupsNamespace(this, 'Rules', {
      workspace: this.workspace.attrArn,
      name: 'cdk-web-tiers',
      data: ALERT_RULES,
    });

    if (props.traces ?? true) {
      this.collectorRole = new iam.Role(this, 'CollectorRole', {
        assumedBy: new iam.SessionTagsPrincipal(new iam.ServicePrincipal('pods.eks.amazonaws.com')),
        description: `OpenTelemetry collector of ${this.node.path} (EKS Pod Identity): traces to X-Ray`,
      });
      const policy = new iam.ManagedPolicy(this, 'CollectorPolicy', {
        roles: [this.collectorRole],
        statements: [new iam.PolicyStatement({
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
          resources: ['*'],
        })],
      });
      acknowledgeFindings(policy, 'X-Ray trace and sampling actions have no resource-level permissions: AWS only accepts "*" for them.',
        'AwsSolutions-IAM5[Resource::*]');
      const identity = new eks.CfnPodIdentityAssociation(this, 'CollectorIdentity', {
        clusterName: cluster.clusterName,
        namespace: OBSERVABILITY_NAMESPACE,
        serviceAccount: 'otel-collector',
        roleArn: this.collectorRole.roleArn,
      });
      const collector = cluster.addManifest(`${id}OtelCollector`, ...otelCollectorManifests(Stack.of(this).region));
      // Pod Identity associations are eventually consistent: the collector must start with its credentials.
      collector.node.addDependency(identity);
      this.collector = collector;
    }
  }
}

/**
 * Alertmanager of the workspace: every alert to the SNS topic, grouped per alert and namespace,
 * as an Amazon Q Developer (Chatbot) custom notification: Chatbot ignores an SNS message that is
 * not one of the AWS events it knows or its custom schema (`version` "1.0", `source` "custom",
 * `content.description`), and Alertmanager's default message is plain text.
 */
export function alertManagerDefinition(topicArn: string): string {
  return [
    'template_files:',
    '  chatbot.tmpl: |',
    '    {{ define "sns.cdkwebtiers.message" }}{"version":"1.0","source":"custom","content":{"textType":"client-markdown",' +
      '"title":"[{{ .Status }}] {{ .CommonLabels.alertname }} ({{ len .Alerts }})",' +
      '"description":"{{ range .Alerts }}*{{ .Labels.namespace }}* {{ .Annotations.summary }}\\n{{ end }}"}}{{ end }}',
    '    {{ define "sns.cdkwebtiers.subject" }}[{{ .Status }}] {{ .CommonLabels.alertname }}{{ end }}',
    'alertmanager_config: |',
    '  route:',
    '    receiver: notifications',
    '    group_by: [alertname, namespace]',
    '    group_wait: 30s',
    '    group_interval: 5m',
    '    repeat_interval: 3h',
    '  receivers:',
    '    - name: notifications',
    '      sns_configs:',
    `        - topic_arn: ${topicArn}`,
    '          subject: \'{{ template "sns.cdkwebtiers.subject" . }}\'',
    '          message: \'{{ template "sns.cdkwebtiers.message" . }}\'',
    '          sigv4:',
    `            region: ${Aws.REGION}`,
    '          attributes:',
    '            source: cdk-web-tiers',
    '',
  ].join('\n');
}

/** What the managed collector scrapes: cAdvisor and the kubelet through the API server, the API server, annotated pods. */
export const SCRAPE_CONFIGURATION = `global:
  scrape_interval: 30s
scrape_configs:
  - job_name: kubernetes-apiservers
    scheme: https
    authorization:
      credentials_file: /var/run/secrets/kubernetes.io/serviceaccount/token
    tls_config:
      ca_file: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
      insecure_skip_verify: true
    kubernetes_sd_configs:
      - role: endpoints
    relabel_configs:
      - source_labels: [__meta_kubernetes_namespace, __meta_kubernetes_service_name, __meta_kubernetes_endpoint_port_name]
        action: keep
        regex: default;kubernetes;https
  - job_name: cadvisor
    scheme: https
    authorization:
      credentials_file: /var/run/secrets/kubernetes.io/serviceaccount/token
    tls_config:
      ca_file: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
      insecure_skip_verify: true
    kubernetes_sd_configs:
      - role: node
    relabel_configs:
      - action: labelmap
        regex: __meta_kubernetes_node_label_(.+)
      - target_label: __address__
        replacement: kubernetes.default.svc:443
      - source_labels: [__meta_kubernetes_node_name]
        regex: (.+)
        target_label: __metrics_path__
        replacement: /api/v1/nodes/$1/proxy/metrics/cadvisor
  - job_name: kube-state-metrics
    kubernetes_sd_configs:
      - role: endpoints
    relabel_configs:
      - source_labels: [__meta_kubernetes_service_name, __meta_kubernetes_endpoint_port_name]
        action: keep
        regex: kube-state-metrics;http
  - job_name: pods
    kubernetes_sd_configs:
      - role: pod
    relabel_configs:
      - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]
        action: keep
        regex: "true"
      - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_path]
        action: replace
        target_label: __metrics_path__
        regex: (.+)
      - source_labels: [__meta_kubernetes_namespace]
        target_label: namespace
      - source_labels: [__meta_kubernetes_pod_name]
        target_label: pod
`;

/** Prometheus alert rules evaluated in the workspace. */
export const ALERT_RULES = `groups:
  - name: cdk-web-tiers
    rules:
      - alert: ContainerMemoryNearLimit
        expr: max by (namespace, pod, container) (container_memory_working_set_bytes{container!=""} / (container_spec_memory_limit_bytes{container!=""} > 0)) > 0.9
        for: 10m
        labels:
          severity: warning
        annotations:
          summary: "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) uses over 90% of its memory limit: it will be OOM-killed"
      - alert: KubernetesApiServerErrors
        expr: sum(rate(apiserver_request_total{code=~"5.."}[5m])) / sum(rate(apiserver_request_total[5m])) > 0.05
        for: 10m
        labels:
          severity: critical
        annotations:
          summary: "Over 5% of Kubernetes API requests fail: deployments and autoscaling may stall"
      - alert: PodCrashLooping
        expr: max by (namespace, pod, container) (max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m])) >= 1
        for: 10m
        labels:
          severity: critical
        annotations:
          summary: "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) is crash-looping"
      - alert: DeploymentReplicasUnavailable
        expr: max by (namespace, deployment) (kube_deployment_status_replicas_unavailable) > 0
        for: 15m
        labels:
          severity: warning
        annotations:
          summary: "{{ $labels.namespace }}/{{ $labels.deployment }} has had {{ $value }} unavailable replicas for 15 minutes"
      - alert: AutoscalerAtMax
        expr: max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_current_replicas) >= max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas)
        for: 15m
        labels:
          severity: warning
        annotations:
          summary: "{{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} has run at its maximum replicas for 15 minutes: raise replicas.max or the node pools' limits"
      - alert: ScrapeTargetDown
        expr: up == 0
        for: 10m
        labels:
          severity: warning
        annotations:
          summary: "{{ $labels.job }} target {{ $labels.instance }} has not answered a scrape for 10 minutes"
`;

/**
 * The scraper's RoleConfiguration: it writes to a workspace encrypted with a customer managed key
 * through a target role that may use the key, assumed from a source role that the scraper service
 * assumes.
 */
function scraperRoles(scope: Construct, workspace: aps.CfnWorkspace, key: kms.IKey): aps.CfnScraper.RoleConfigurationProperty {
  const source = new iam.Role(scope, 'ScraperSourceRole', {
    assumedBy: new iam.ServicePrincipal('scraper.aps.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } }),
    description: `Managed collector of ${scope.node.path}: assumes the write role`,
  });
  const target = new iam.Role(scope, 'ScraperWriteRole', {
    assumedBy: new iam.ArnPrincipal(source.roleArn),
    description: `Managed collector of ${scope.node.path}: remote write to the workspace, with its key`,
  });
  const write = new iam.Policy(scope, 'ScraperWritePolicy', {
    roles: [target],
    statements: [
      new iam.PolicyStatement({ actions: ['aps:RemoteWrite'], resources: [workspace.attrArn] }),
      new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [key.keyArn] }),
    ],
  });
  const assume = new iam.Policy(scope, 'ScraperSourcePolicy', {
    roles: [source],
    statements: [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [target.roleArn] })],
  });
  for (const policy of [write, assume]) {
    acknowledgeFindings(policy,
      'The policy belongs to one role that exists only for this workspace\'s managed collector, is scoped to that workspace, its key or the write role, ' +
      'and is created and deleted with the role: a managed policy would add a second lifecycle and nothing else.',
      ...compliancePacks('IAMNoInlinePolicy'));
  }
  return { sourceRoleArn: source.roleArn, targetRoleArn: target.roleArn };
}

/** RBAC that the AWS managed collector needs (user `aps-collector-user`, read-only discovery and metrics). */
export function scraperRbacManifests(): Record<string, unknown>[] {
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'aps-collector-role' },
      rules: [
        { apiGroups: [''], resources: ['nodes', 'nodes/proxy', 'nodes/metrics', 'services', 'endpoints', 'pods', 'ingresses', 'configmaps'], verbs: ['describe', 'get', 'list', 'watch'] },
        { apiGroups: ['extensions', 'networking.k8s.io'], resources: ['ingresses/status', 'ingresses'], verbs: ['describe', 'get', 'list', 'watch'] },
        { apiGroups: ['metrics.eks.amazonaws.com'], resources: ['kcm/metrics', 'ksh/metrics'], verbs: ['get'] },
        { nonResourceURLs: ['/metrics'], verbs: ['get'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'aps-collector-user-role-binding' },
      subjects: [{ kind: 'User', name: 'aps-collector-user', apiGroup: 'rbac.authorization.k8s.io' }],
      roleRef: { kind: 'ClusterRole', name: 'aps-collector-role', apiGroup: 'rbac.authorization.k8s.io' },
    },
  ];
}

/** The OpenTelemetry collector: OTLP in (4317 gRPC, 4318 HTTP), batches, X-Ray out. */
export function otelCollectorManifests(region: string): Record<string, unknown>[] {
  const labels = { 'app.kubernetes.io/name': 'otel-collector', 'app.kubernetes.io/part-of': 'cdk-web-tiers' };
  const config = [
    'receivers:',
    '  otlp:',
    '    protocols:',
    '      grpc:',
    '        endpoint: 0.0.0.0:4317',
    '      http:',
    '        endpoint: 0.0.0.0:4318',
    'processors:',
    '  memory_limiter:',
    '    check_interval: 1s',
    '    limit_percentage: 80',
    '    spike_limit_percentage: 20',
    '  batch: {}',
    'exporters:',
    '  awsxray:',
    `    region: ${region}`,
    'extensions:',
    '  health_check:',
    '    endpoint: 0.0.0.0:13133',
    'service:',
    '  extensions: [health_check]',
    '  pipelines:',
    '    traces:',
    '      receivers: [otlp]',
    '      processors: [memory_limiter, batch]',
    '      exporters: [awsxray]',
    '',
  ].join('\n');
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: OBSERVABILITY_NAMESPACE } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'otel-collector', namespace: OBSERVABILITY_NAMESPACE, labels } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'otel-collector', namespace: OBSERVABILITY_NAMESPACE, labels }, data: { 'config.yaml': config } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'otel-collector',
        namespace: OBSERVABILITY_NAMESPACE,
        labels,
        // Acknowledged checkov findings (Kubernetes framework), each with its reason.
        annotations: {
          'checkov.io/skip1': 'CKV_K8S_11=No CPU limit on purpose - a throttled collector drops spans in a spike; the memory limiter bounds it instead',
          'checkov.io/skip2': 'CKV_K8S_43=The ADOT image is pinned to a release tag',
          'checkov.io/skip3': 'CKV_K8S_15=The ADOT image is pinned to a release tag, so IfNotPresent runs the same image',
          'checkov.io/skip4': 'CKV2_K8S_6=The collector is reached through the cluster security group; network policies are not enabled by this library',
        },
      },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'otel-collector',
            // EKS Pod Identity injects its own token; the collector never calls the Kubernetes API.
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } }],
            containers: [{
              name: 'collector',
              image: OTEL_COLLECTOR_IMAGE,
              args: ['--config=/conf/config.yaml'],
              ports: [
                { name: 'otlp-grpc', containerPort: 4317, protocol: 'TCP' },
                { name: 'otlp-http', containerPort: 4318, protocol: 'TCP' },
                { name: 'health', containerPort: 13133, protocol: 'TCP' },
              ],
              readinessProbe: { httpGet: { path: '/', port: 'health' }, periodSeconds: 10 },
              livenessProbe: { httpGet: { path: '/', port: 'health' }, periodSeconds: 20, failureThreshold: 6 },
              resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'config', mountPath: '/conf', readOnly: true }],
            }],
            volumes: [{ name: 'config', configMap: { name: 'otel-collector' } }],
          },
        },
      },
    },
    {
      // Two replicas, at most one away at a time: a node drain never stops the traces.
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'otel-collector', namespace: OBSERVABILITY_NAMESPACE, labels },
      spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'otel-collector', namespace: OBSERVABILITY_NAMESPACE, labels },
      spec: {
        selector: labels,
        ports: [
          { name: 'otlp-grpc', port: 4317, targetPort: 'otlp-grpc', protocol: 'TCP' },
          { name: 'otlp-http', port: 4318, targetPort: 'otlp-http', protocol: 'TCP' },
        ],
      },
    },
  ];
}
