import * as sns from 'aws-cdk-lib/aws-sns';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as YAML from 'yaml';
import { CfnElement } from 'aws-cdk-lib';
import { EncryptionKeys, TierClusterMonitoring, TierNotifications } from '../../lib';
import { ALERT_RULES, otelCollectorManifests, SCRAPE_CONFIGURATION, scraperRbacManifests } from '../../lib/kubernetes/cluster-monitoring';
import { checkovKubernetes, clusterStack, k8sTools, kubernetesValidate } from './fixtures';

jest.setTimeout(15 * 60 * 1000);

function monitored(traces?: boolean) {
  const { stack, cluster } = clusterStack();
  const key = EncryptionKeys.create(stack, 'AlertsKey', 'alerts');
  const topic = new sns.Topic(stack, 'Alerts', { masterKey: key });
  const monitoring = new TierClusterMonitoring(stack, 'Monitoring', { cluster, alertTopic: topic, alertTopicKey: key, traces });
  return { stack, cluster, monitoring, template: Template.fromStack(stack) };
}

describe('TierClusterMonitoring', () => {
  test('Amazon Managed Service for Prometheus: encrypted workspace with logs, fed by the AWS managed collector from the cluster', () => {
    const { template } = monitored();
    template.hasResourceProperties('AWS::APS::Workspace', {
      KmsKeyArn: Match.anyValue(),
      LoggingConfiguration: { LogGroupArn: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::APS::Scraper', {
      Source: { EksConfiguration: { ClusterArn: Match.anyValue(), SubnetIds: [Match.anyValue(), Match.anyValue()], SecurityGroupIds: [Match.anyValue()] } },
      Destination: { AmpConfiguration: { WorkspaceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Workspace'), 'Arn'] } } },
      ScrapeConfiguration: { ConfigurationBlob: { 'Fn::Base64': SCRAPE_CONFIGURATION } },
    });
    // The collector reads the Kubernetes API as aps-collector-user through the access entry AMP creates.
  });

  test('alerts: rules in the workspace, Alertmanager publishes to the topic, which lets only this workspace publish', () => {
    const { template } = monitored();
    template.hasResourceProperties('AWS::APS::RuleGroupsNamespace', { Name: 'cdk-web-tiers', Data: ALERT_RULES });
    const workspace = Object.values(template.findResources('AWS::APS::Workspace'))[0];
    expect(JSON.stringify(workspace.Properties.AlertManagerDefinition)).toMatch(/sns_configs:.*topic_arn: /s);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Sid: 'ManagedPrometheusAlerts', Principal: { Service: 'aps.amazonaws.com' }, Action: ['sns:Publish', 'sns:GetTopicAttributes'],
        Condition: { ArnEquals: { 'aws:SourceArn': Match.anyValue() }, StringEquals: { 'aws:SourceAccount': Match.anyValue() } },
      })]) },
    });
  });

  test('the rules and the scrape configuration are valid YAML with the expected alerts', () => {
    const rules = YAML.parse(ALERT_RULES);
    expect(rules.groups[0].rules.map((r: any) => r.alert)).toEqual(['ContainerMemoryNearLimit', 'KubernetesApiServerErrors',
      'PodCrashLooping', 'DeploymentReplicasUnavailable', 'AutoscalerAtMax', 'ScrapeTargetDown']);
    for (const rule of rules.groups[0].rules) expect(['10m', '15m']).toContain(rule.for);
    expect(YAML.parse(SCRAPE_CONFIGURATION).scrape_configs.map((j: any) => j.job_name)).toEqual(['kubernetes-apiservers', 'cadvisor', 'kube-state-metrics', 'pods']);
  });

  test('traces: an OpenTelemetry collector with its own pod identity that may only send to X-Ray', () => {
    const { template } = monitored();
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'observability', ServiceAccount: 'otel-collector' });
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
    const actions = policies.flatMap(p => p.Properties.PolicyDocument.Statement.flatMap((s: any) => [].concat(s.Action)));
    expect(actions.sort()).toEqual(['xray:GetSamplingRules', 'xray:GetSamplingTargets', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    expect(monitored(false).template.findResources('AWS::EKS::PodIdentityAssociation')).toEqual({});
  });

  test('the collector and RBAC manifests validate (strict) against the Kubernetes schema of the cluster version', () => {
    k8sTools();
    const { cluster } = clusterStack();
    const yaml = [...otelCollectorManifests('us-east-1'), ...scraperRbacManifests()].map(m => YAML.stringify(m)).join('---\n');
    const report = kubernetesValidate(yaml, cluster.kubernetesVersion);
    expect(report.lines.filter(l => !l.startsWith('INFO'))).toEqual([]);
    expect(report.lines.filter(l => l.includes('passed'))).toHaveLength(8); // with the collector's PodDisruptionBudget
  });
});

test("checkov's Kubernetes checks pass on the collector and RBAC manifests", () => {
  const yaml = [...otelCollectorManifests('us-east-1'), ...scraperRbacManifests()].map(m => YAML.stringify(m)).join('---\n');
  const report = checkovKubernetes(yaml);
  expect(report.failed).toEqual([]);
  expect(report.skipped).toBe(4);
});

test("alerts go to the stack's TierNotifications (e-mail, Slack) unless another topic is given", () => {
  const { stack, cluster } = clusterStack();
  const notifications = new TierNotifications(stack, 'Alerts', { emails: ['oncall@example.com'] });
  new TierClusterMonitoring(stack, 'Monitoring', { cluster });
  const template = Template.fromStack(stack);
  const workspace = Object.values(template.findResources('AWS::APS::Workspace'))[0];
  expect(JSON.stringify(workspace.Properties.AlertManagerDefinition)).toContain(stack.getLogicalId(notifications.topic.node.defaultChild as CfnElement));
  template.hasResourceProperties('AWS::SNS::TopicPolicy', {
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'ManagedPrometheusAlerts', Principal: { Service: 'aps.amazonaws.com' } })]) },
  });
  template.hasResourceProperties('AWS::KMS::Key', {
    KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'ManagedPrometheusAlerts', Action: ['kms:GenerateDataKey*', 'kms:Decrypt'] })]) },
  });
  template.resourceCountIs('AWS::SNS::Topic', 1);
});
