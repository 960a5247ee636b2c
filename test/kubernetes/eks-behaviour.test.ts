/**
 * Issue 18: what EKS, Kubernetes, KEDA, Amazon Managed Service for Prometheus and Chatbot do with
 * what the library renders. Each test names the document (URL and the sentence) it rests on;
 * where no document gives a number, the test takes the pessimistic end and says so.
 *
 * The chart tests render with the real `helm template` (scripts/ensure-k8s-tools.sh).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KubectlV33Layer } from '@aws-cdk/lambda-layer-kubectl-v33';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as YAML from 'yaml';
import { KubernetesWebTier, KubernetesWebTierProps, TierCluster, TierClusterMonitoring, TierLoadBalancer } from '../../lib';
import { ALERT_RULES, SCRAPE_CONFIGURATION, alertManagerDefinition } from '../../lib/kubernetes/cluster-monitoring';
import { DEREGISTRATION_DELAY_SECONDS } from '../../lib/kubernetes/kubernetes-web-tier';
import { CERTIFICATE_ARN } from '../helpers';
import { clusterStack, deployedValues, helmTemplate, k8sTools } from './fixtures';

jest.setTimeout(15 * 60 * 1000);

function parseAll(yaml: string): any[] {
  return YAML.parseAllDocuments(yaml).map(d => d.toJS()).filter(o => o);
}

function tierStack(props: Partial<KubernetesWebTierProps> = {}, extend?: (stack: Stack, vpc: ec2.Vpc, tier: KubernetesWebTier) => void) {
  const { stack, vpc, cluster } = clusterStack();
  const lb = new TierLoadBalancer(stack, 'Lb', { vpc, certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN) });
  const tier = new KubernetesWebTier(stack, 'Api', {
    cluster, loadBalancer: lb,
    image: 'public.ecr.aws/runtheworld/api:1.4.2',
    resources: { cpu: '500m', memory: '512Mi' },
    replicas: { min: 4, max: 120 },
    secrets: { DATABASE_SECRET_FILE: new secretsmanager.Secret(stack, 'Db') },
    scaling: { scheduled: [{ name: 'keynote', schedule: '30 15 * * 4', minReplicas: 40 }] },
    ...props,
  });
  extend?.(stack, vpc, tier);
  return { stack, vpc, cluster, tier, template: Template.fromStack(stack) };
}

function rendered(props: Partial<KubernetesWebTierProps> = {}) {
  const { stack, template } = tierStack(props);
  const chart = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart')).find(c => c.Properties.Release === 'api')!;
  const objects = parseAll(helmTemplate('api', deployedValues(chart.Properties), chart.Properties.Namespace));
  return { stack, template, chart, objects, deployment: objects.find(o => o.kind === 'Deployment') };
}

describe('pods start under runAsNonRoot (item 1)', () => {
  beforeAll(() => k8sTools());

  // https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#security-context
  // runAsNonRoot: "Indicates that the container must run as a non-root user. If true, the Kubelet
  // will validate the image at runtime to ensure that it does not run as UID 0 (root) and fail to
  // start the container if it does." The kubelet cannot verify a named user (kubernetes#56503:
  // "MustRunAsNonRoot should reject a pod if it has non-numeric USER"), and the AWS CLI image has no
  // USER line. The cluster lab shows both refusals on a real kubelet.
  test('every container the chart renders runs as a numeric, non-root UID (the AWS CLI init container too)', () => {
    const { objects } = rendered();
    const pods = objects.filter(o => o.kind === 'Deployment' || o.kind === 'CronJob')
      .map(o => (o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec));
    expect(pods.length).toBeGreaterThanOrEqual(2);
    let containers = 0;
    for (const pod of pods) {
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
        const uid = c.securityContext?.runAsUser ?? pod.securityContext.runAsUser;
        expect({ container: c.name, uid }).toEqual({ container: c.name, uid: expect.any(Number) });
        expect(uid).toBeGreaterThan(0);
        containers++;
      }
    }
    expect(containers).toBeGreaterThanOrEqual(3);
    const init = pods[0].initContainers[0];
    expect(init.securityContext.runAsUser).toBe(65532);
    // The CLI needs a writable home: the /tmp memory volume, not the read-only root.
    expect(init.env).toEqual(expect.arrayContaining([{ name: 'HOME', value: '/tmp' }]));
  });

  test('the app container gets a documented default UID (10001) that users override with runAsUser', () => {
    expect(rendered().deployment.spec.template.spec.securityContext.runAsUser).toBe(10001);
    expect(rendered({ runAsUser: 1000 }).deployment.spec.template.spec.containers[0].securityContext.runAsUser).toBe(1000);
    expect(() => tierStack({ runAsUser: 0 })).toThrow(/invalid runAsUser \(0\)/);
  });
});

// aws-cdk#22257 (issue "eks: helm chart stuck in pending-upgrade"): when helm's --timeout equals the
// kubectl handler's 15-minute Lambda limit, Lambda stops helm before it can roll back. The AWS Lambda
// quota: "Function timeout: 900 seconds (15 minutes)" (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
test('helm --wait --atomic times out before the deploy provider does (item 1)', () => {
  const { template } = tierStack({ scaling: { requestsPerSecondPerPod: 25 } });
  const charts = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart'));
  expect(charts.length).toBe(2);
  for (const c of charts) expect(parseInt(c.Properties.Timeout, 10)).toBeLessThanOrEqual(720);
});

describe('metrics-server (item 2)', () => {
  // https://docs.aws.amazon.com/eks/latest/userguide/metrics-server.html
  // "The Kubernetes Metrics Server is an aggregator of resource usage data in your cluster, and it
  // isn't deployed by default in Amazon EKS clusters." The same page deploys it "as community
  // add-on with Amazon EKS Add-ons" (add-on name metrics-server).
  test('every TierCluster installs the metrics-server community add-on', () => {
    const { stack } = clusterStack();
    Template.fromStack(stack).hasResourceProperties('AWS::EKS::Addon', { AddonName: 'metrics-server' });
  });
});

describe('the autoscaler owns the replica count (item 3)', () => {
  beforeAll(() => k8sTools());

  // https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#migrating-deployments-and-statefulsets-to-horizontal-autoscaling
  // "When an HPA is enabled, it is recommended that the value of spec.replicas of the Deployment
  // and / or StatefulSet be removed from their manifest(s). If this isn't done, any time a change
  // to that object is applied, for example via kubectl apply -f deployment.yaml, this will instruct
  // Kubernetes to scale the current number of Pods to the value of the spec.replicas key."
  test('the Deployment has no spec.replicas, with the HPA and with KEDA', () => {
    expect(rendered().deployment.spec).not.toHaveProperty('replicas');
    expect(rendered({ scaling: { requestsPerSecondPerPod: 25 } }).deployment.spec).not.toHaveProperty('replicas');
  });

  test('the pre-scale job records its floor on the autoscaler, and the chart keeps that floor on upgrade (lookup)', () => {
    const { objects } = rendered();
    const job = objects.find(o => o.kind === 'CronJob');
    const patch = JSON.parse(job.spec.jobTemplate.spec.template.spec.containers[0].args[5]);
    expect(patch).toEqual({ metadata: { annotations: { 'cdk-web-tiers.io/prescale-floor': '40' } }, spec: { minReplicas: 40 } });
    const helpers = fs.readFileSync(path.join(__dirname, '../../lib/kubernetes/charts/web-tier/templates/_helpers.tpl'), 'utf8');
    expect(helpers).toMatch(/lookup \$api \$kind \.Release\.Namespace \.Values\.name/);
    expect(objects.find(o => o.kind === 'HorizontalPodAutoscaler').spec.minReplicas).toBe(4);
  });
});

describe('the managed scraper (items 4 and 5)', () => {
  function monitored() {
    const { stack, cluster } = clusterStack();
    new TierClusterMonitoring(stack, 'Monitoring', { cluster });
    return Template.fromStack(stack);
  }

  // https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-collector-how-to.html (the sample
  // scraper configuration): the cadvisor job has "authorization: credentials_file:
  // /var/run/secrets/kubernetes.io/serviceaccount/token" and the apiserver job
  // "bearer_token_file: /var/run/secrets/kubernetes.io/serviceaccount/token" with the service
  // account's ca.crt. Without them the API server answers 401 and `up` is 0.
  test('the API server and cAdvisor jobs authenticate with the collector\'s service account token', () => {
    const config = YAML.parse(SCRAPE_CONFIGURATION);
    for (const job of ['kubernetes-apiservers', 'cadvisor']) {
      const j = config.scrape_configs.find((c: any) => c.job_name === job);
      expect(j.authorization).toEqual({ credentials_file: '/var/run/secrets/kubernetes.io/serviceaccount/token' });
      expect(j.tls_config.ca_file).toBe('/var/run/secrets/kubernetes.io/serviceaccount/ca.crt');
    }
  });

  // design.md (AWS facts checked): "AMP managed scrapers get their access entry automatically (a
  // second one answers 409) and need RoleConfiguration for a customer-key workspace".
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-aps-scraper-roleconfiguration.html
  // (aws-cdk-lib 2.257's CfnScraper has roleConfiguration: sourceRoleArn, targetRoleArn).
  test('no access entry of our own for the scraper; RoleConfiguration with a write role that may use the workspace key', () => {
    const t = monitored();
    expect(Object.values(t.findResources('AWS::EKS::AccessEntry')).filter(e => JSON.stringify(e).includes('Scraper'))).toEqual([]);
    t.hasResourceProperties('AWS::APS::Scraper', {
      RoleConfiguration: {
        SourceRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ScraperSourceRole'), 'Arn'] },
        TargetRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ScraperWriteRole'), 'Arn'] },
      },
    });
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'scraper.aps.amazonaws.com' } })] },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([
        Match.objectLike({ Action: 'aps:RemoteWrite' }),
        Match.objectLike({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('MonitoringKey'), 'Arn'] } }),
      ]) },
    });
  });

  // https://docs.aws.amazon.com/eks/latest/userguide/community-addons.html lists kube-state-metrics
  // among the community add-ons; without it "pod crash-looping", "replicas unavailable" and
  // "HPA at max" have no series.
  test('kube-state-metrics add-on, scraped, with crash-loop, unavailable-replica and HPA-at-max alerts', () => {
    const t = monitored();
    t.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'kube-state-metrics' });
    expect(YAML.parse(SCRAPE_CONFIGURATION).scrape_configs.map((c: any) => c.job_name)).toContain('kube-state-metrics');
    const alerts = YAML.parse(ALERT_RULES).groups[0].rules.map((r: any) => r.alert);
    expect(alerts).toEqual(expect.arrayContaining(['PodCrashLooping', 'DeploymentReplicasUnavailable', 'AutoscalerAtMax']));
  });
});

describe('alerts reach Slack through Chatbot (item 6)', () => {
  beforeAll(() => k8sTools());

  // https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html, "Event schema":
  // "AWS Chatbot custom notifications must use the following event format" with version "Must be
  // 1.0" and source "Must be custom". AMP's Alertmanager "outputs messages in a plain text list
  // format" by default (https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-alertmanager-receiver-JSON.html).
  test('the SNS message is a Chatbot custom notification (rendered by Go text/template through helm)', () => {
    const definition = YAML.parse(alertManagerDefinition('arn:aws:sns:us-east-1:123456789012:alerts'));
    const config = YAML.parse(definition.alertmanager_config);
    const sns = config.receivers[0].sns_configs[0];
    expect(sns.message).toBe('{{ template "sns.cdkwebtiers.message" . }}');
    // Render the template with Go's text/template (helm's engine), on data shaped like Alertmanager's.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatbot-template-'));
    fs.mkdirSync(path.join(dir, 'templates'));
    fs.writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: t\nversion: 0.0.1\n');
    fs.writeFileSync(path.join(dir, 'templates', '_t.tpl'), definition.template_files['chatbot.tmpl']);
    fs.writeFileSync(path.join(dir, 'templates', 'out.txt'), '{{ template "sns.cdkwebtiers.message" .Values.data }}');
    const summaries = YAML.parse(ALERT_RULES).groups[0].rules.map((r: any) => r.annotations.summary.replace(/\{\{[^}]*\}\}/g, 'x'));
    fs.writeFileSync(path.join(dir, 'values.json'), JSON.stringify({ data: {
      Status: 'firing', CommonLabels: { alertname: 'PodCrashLooping' },
      Alerts: summaries.map((summary: string) => ({ Labels: { namespace: 'events' }, Annotations: { summary } })),
    } }));
    const out = execFileSync(k8sTools().helm, ['template', 't', dir, '--values', path.join(dir, 'values.json'), '--show-only', 'templates/out.txt'], { encoding: 'utf8' });
    const message = JSON.parse(out.replace(/^---\n# Source: .*\n/, ''));
    expect(message).toMatchObject({ version: '1.0', source: 'custom', content: { textType: 'client-markdown' } });
    expect(message.content.title).toBe(`[firing] PodCrashLooping (${summaries.length})`);
    expect(message.content.description.split('\n').filter((l: string) => l)).toHaveLength(summaries.length);
  });
});

describe('Pod Identity associations come before the workloads (item 7)', () => {
  // https://docs.aws.amazon.com/eks/latest/APIReference/API_CreatePodIdentityAssociation.html
  // "Similar to Amazon Web Services IAM behavior, EKS Pod Identity associations are eventually
  // consistent, and may take several seconds to be effective after the initial API call returns
  // successfully." No document gives the delay: we order, we do not sleep.
  test('the web tier chart, KEDA and the OTel collector depend on their associations', () => {
    const { template } = tierStack({ scaling: { requestsPerSecondPerPod: 25 } });
    const deps = (type: string, pred: (r: any) => boolean) =>
      Object.values(template.findResources(type)).filter(pred).map(r => JSON.stringify(r.DependsOn ?? []));
    const association = (name: RegExp) => Object.keys(template.findResources('AWS::EKS::PodIdentityAssociation')).find(k => name.test(k))!;
    expect(deps('Custom::AWSCDK-EKS-HelmChart', r => r.Properties.Release === 'api')[0]).toContain(association(/^ApiPodIdentity/));
    expect(deps('Custom::AWSCDK-EKS-HelmChart', r => r.Properties.Release === 'keda')[0]).toContain(association(/KedaOperatorIdentity/));

    const { stack, cluster } = clusterStack();
    new TierClusterMonitoring(stack, 'Monitoring', { cluster });
    const t = Template.fromStack(stack);
    const collector = Object.values(t.findResources('Custom::AWSCDK-EKS-KubernetesResource')).find(r => JSON.stringify(r.Properties.Manifest).includes('otel-collector'))!;
    const id = Object.keys(t.findResources('AWS::EKS::PodIdentityAssociation')).find(k => /CollectorIdentity/.test(k))!;
    expect(collector.DependsOn).toContain(id);
  });
});

describe('health, drains and placement (item 8)', () => {
  beforeAll(() => k8sTools());

  // https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
  // "If the liveness probe fails, the kubelet kills the container." A database outage must not
  // restart the pods: without a livenessPath the liveness and startup probes are TCP connects.
  test('liveness (and startup) default to a TCP connect, never to the readiness path', () => {
    const app = rendered({ healthCheck: { path: '/ready' } }).deployment.spec.template.spec.containers[0];
    expect(app.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(app.livenessProbe).not.toHaveProperty('httpGet');
    expect(app.livenessProbe.tcpSocket).toEqual({ port: 'http' });
    expect(app.startupProbe.tcpSocket).toEqual({ port: 'http' });
  });

  // https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/pod_readiness_gate/
  // "For readiness gate configuration to be injected to the pod spec, you need to apply the label
  // elbv2.k8s.aws/pod-readiness-gate-inject: enabled to the pod namespace." Auto Mode runs its own
  // controller (eks.amazonaws.com API group); its label's spelling is not in a document we could
  // read, so the namespace carries both.
  test('the namespace is created by the library, labelled for the readiness gate, before the chart (which does not create it)', () => {
    const { stack, template, chart } = rendered();
    // createNamespace: false leaves CreateNamespace out of the custom resource (no --create-namespace).
    expect(chart.Properties).not.toHaveProperty('CreateNamespace');
    const ns = Object.entries(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
      .find(([, r]) => JSON.stringify(stack.resolve(r.Properties.Manifest)).includes('"kind\\":\\"Namespace'))!;
    const manifest = JSON.parse(stack.resolve(ns[1].Properties.Manifest))[0];
    expect(manifest.metadata).toMatchObject({ name: 'api', labels: { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled', 'eks.amazonaws.com/pod-readiness-gate-inject': 'enabled' } });
    expect(chart.DependsOn).toContain(ns[0]);
  });

  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#deregistration-delay
  // "Elastic Load Balancing stops sending requests to targets that are deregistering. By default,
  // Elastic Load Balancing waits 300 seconds before completing the deregistration process, which
  // can help in-flight requests to the target to complete." Our delay is 30 s: the pod must keep
  // serving at least that long after it is told to stop.
  test('preStop sleeps at least the deregistration delay, and the grace period covers it', () => {
    const pod = rendered().deployment.spec.template.spec;
    const sleep = pod.containers[0].lifecycle.preStop.sleep.seconds;
    expect(sleep).toBeGreaterThanOrEqual(DEREGISTRATION_DELAY_SECONDS);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(sleep);
    const { template } = tierStack();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: String(DEREGISTRATION_DELAY_SECONDS) }]),
    });
  });

  // https://keda.sh/docs/2.13/scalers/aws-cloudwatch/ : "identityOwner" is deprecated in favour of
  // a TriggerAuthentication with podIdentity provider aws (https://keda.sh/docs/latest/authentication-providers/aws/).
  // CloudWatch's current minute is still being counted: metricEndTimeOffset skips it.
  test('KEDA reads CloudWatch through a TriggerAuthentication (podIdentity aws), skipping the partial minute', () => {
    const { objects } = rendered({ scaling: { requestsPerSecondPerPod: 25 } });
    const trigger = objects.find(o => o.kind === 'ScaledObject').spec.triggers[1];
    expect(trigger.metadata).not.toHaveProperty('identityOwner');
    expect(trigger.metadata.metricEndTimeOffset).toBe('60');
    expect(trigger.authenticationRef).toEqual({ name: 'api-cloudwatch' });
    expect(objects.find(o => o.kind === 'TriggerAuthentication')).toMatchObject({ metadata: { name: 'api-cloudwatch' }, spec: { podIdentity: { provider: 'aws' } } });
  });

  // https://docs.aws.amazon.com/eks/latest/eksctl/pod-identity-associations.html
  // "If you're using an EKS Auto Mode cluster, the eks-pod-identity-agent is pre-installed and you
  // can skip creating the add-on."
  test('no Pod Identity agent add-on on an Auto Mode cluster', () => {
    const { stack } = clusterStack();
    expect(JSON.stringify(Template.fromStack(stack).findResources('AWS::EKS::Addon'))).not.toContain('eks-pod-identity-agent');
  });

  // https://kubernetes.io/docs/tasks/run-application/configure-pdb/ : with maxUnavailable 1 and one
  // replica, the eviction API lets the only pod go. No document gives Auto Mode's replacement rate:
  // nodes expire at least every 336 h (expireAfter), so a single pod would be down at least weekly.
  test('replicas.min 1 fails at synth; the PDB lets one pod go at a time', () => {
    expect(() => tierStack({ replicas: { min: 1, max: 10 } })).toThrow(/invalid replicas.min \(1\)\. One pod means an outage/);
    expect(rendered().objects.find(o => o.kind === 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
  });

  // Auto Mode's node pools label nodes with karpenter.sh/capacity-type (on-demand | spot). The floor
  // prefers On-Demand nodes; a preference, not a guarantee (see the README's known limits).
  test('the pods prefer On-Demand nodes', () => {
    const affinity = rendered().deployment.spec.template.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0];
    expect(affinity.preference.matchExpressions).toEqual([{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] }]);
  });

  test('the OTel collector has a PodDisruptionBudget', () => {
    const { stack, cluster } = clusterStack();
    new TierClusterMonitoring(stack, 'Monitoring', { cluster });
    const manifests = Object.values(Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-KubernetesResource'))
      .flatMap(r => JSON.parse(stack.resolve(r.Properties.Manifest)));
    expect(manifests.find((m: any) => m.kind === 'PodDisruptionBudget' && m.metadata.name === 'otel-collector').spec.maxUnavailable).toBe(1);
  });
});

describe('a new user (item 9)', () => {
  // https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_ec2.IConnectable.html : constructs
  // with network access expose `connections`; on Auto Mode pods use the cluster security group.
  test('KubernetesWebTier has connections (cluster security group, container port by default)', () => {
    const { tier, template } = tierStack({ containerPort: 3000 }, (stack, vpc, t) => {
      new ec2.SecurityGroup(stack, 'DbSg', { vpc }).connections.allowFrom(t, ec2.Port.tcp(5432));
    });
    expect(tier.connections.defaultPort?.toString()).toBe('3000');
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 5432, SourceSecurityGroupId: Match.anyValue() });
  });

  // cdk init writes aws-cdk-lib's recommended feature flags into cdk.json; with
  // @aws-cdk/aws-lambda:useCdkManagedLogGroup the deploy provider's functions get their own log groups.
  test('under the feature flags cdk init writes, the deploy provider\'s log groups are KMS-encrypted', () => {
    const flags = JSON.parse(fs.readFileSync(require.resolve('aws-cdk-lib/recommended-feature-flags.json'), 'utf8'));
    const app = new App({ context: flags });
    const stack = new Stack(app, 'Init', { env: { region: 'us-east-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    new TierCluster(stack, 'Cluster', { vpc, kubectlLayer: new KubectlV33Layer(stack, 'Kubectl') });
    const groups = Object.values(Template.fromStack(stack).findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThanOrEqual(2);
    for (const g of groups) expect(g.Properties.KmsKeyId).toBeDefined();
    // `cdk synth --strict` fails on any warning: the cluster adds none under these flags.
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('the README names the kubectl layer package', () => {
    const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
    expect(readme).toMatch(/npm install @aws-cdk\/lambda-layer-kubectl-v33/);
  });
});
