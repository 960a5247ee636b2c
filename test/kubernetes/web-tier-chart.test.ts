/**
 * The library's web-tier chart, rendered by the real `helm template` with the values a
 * KubernetesWebTier puts into its Helm release, and every object validated offline against the
 * JSON schema of the cluster's Kubernetes version (kubernetes-validate, --strict).
 */
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Template } from 'aws-cdk-lib/assertions';
import * as YAML from 'yaml';
import { KubernetesWebTier, TierLoadBalancer } from '../../lib';
import { CERTIFICATE_ARN } from '../helpers';
import { checkovKubernetes, clusterStack, deployedValues, helmTemplate, k8sTools, kubernetesValidate } from './fixtures';

// First run on a fresh machine builds helm (about 5 minutes on 2 cores).
jest.setTimeout(15 * 60 * 1000);

function parseAll(yaml: string): any[] {
  return YAML.parseAllDocuments(yaml).map(d => d.toJS()).filter(o => o);
}

function renderTier() {
  const { stack, vpc, cluster } = clusterStack();
  const lb = new TierLoadBalancer(stack, 'Lb', { vpc, certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN) });
  const tier = new KubernetesWebTier(stack, 'Api', {
    cluster, loadBalancer: lb,
    image: 'public.ecr.aws/runtheworld/api:1.4.2',
    containerPort: 3000,
    resources: { cpu: '500m', memory: '512Mi', memoryLimit: '768Mi' },
    replicas: { min: 3, max: 40 },
    scaling: { targetCpuPercent: 55, scheduled: [{ name: 'keynote', schedule: '30 16 * * 4', minReplicas: 20 }, { name: 'after', schedule: '0 19 * * 4', minReplicas: 3 }] },
    healthCheck: { path: '/ready', livenessPath: '/alive' },
    environment: { LOG_LEVEL: 'info' },
    secrets: { DATABASE_SECRET_FILE: new secretsmanager.Secret(stack, 'Db') },
    kubernetesNamespace: 'events',
  });
  const props = Object.values(Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-HelmChart'))[0].Properties;
  const yaml = helmTemplate(props.Release, deployedValues(props), props.Namespace);
  return { yaml, objects: parseAll(yaml), version: cluster.kubernetesVersion, tier };
}

describe('web-tier chart (helm template + kubernetes-validate)', () => {
  let rendered: ReturnType<typeof renderTier>;
  beforeAll(() => {
    k8sTools();
    rendered = renderTier();
  });

  test('renders the Deployment, Service, HPA, PDB, ServiceAccount, TargetGroupBinding and pre-scale CronJobs', () => {
    const kinds = rendered.objects.map(o => `${o.kind}/${o.metadata.name}`).sort();
    expect(kinds).toEqual([
      'CronJob/api-after', 'CronJob/api-keynote', 'Deployment/api', 'HorizontalPodAutoscaler/api', 'PodDisruptionBudget/api',
      'Role/api-prescale', 'RoleBinding/api-prescale', 'Service/api', 'ServiceAccount/api', 'ServiceAccount/api-prescale',
      'TargetGroupBinding/api',
    ]);
  });

  test('every object with a Kubernetes schema validates (strict) against the cluster version; only the TargetGroupBinding CRD has none', () => {
    const report = kubernetesValidate(rendered.yaml, rendered.version);
    const passed = report.lines.filter(l => l.startsWith('INFO') && l.includes('passed'));
    const errors = report.lines.filter(l => l.startsWith('ERROR'));
    const noSchema = report.lines.filter(l => l.startsWith('WARN') && l.includes("Couldn't find schema"));
    expect(errors).toEqual([]);
    expect(passed).toHaveLength(rendered.objects.length - 1);
    expect(passed.every(l => l.includes(`against version ${rendered.version}`))).toBe(true);
    expect(noSchema).toHaveLength(1);
    expect(noSchema[0]).toContain('kind TargetGroupBinding with api version eks.amazonaws.com/v1');
  });

  test('the validator does reject a broken object (it is not a no-op)', () => {
    const broken = rendered.yaml.replace('maxSkew: 1', 'maxSkew: "one"');
    const report = kubernetesValidate(broken, rendered.version);
    expect(report.lines.filter(l => l.startsWith('ERROR')).join('\n')).toMatch(/maxSkew: 'one' is not of type 'integer'/);
  });

  test('Deployment: probes on the exposed port, requests and limits, zone spread, no unavailable pod during a rollout', () => {
    const dep = rendered.objects.find(o => o.kind === 'Deployment');
    const pod = dep.spec.template.spec;
    const app = pod.containers.find((c: any) => c.name === 'app');
    expect(app.ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
    expect(app.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(app.livenessProbe.httpGet).toEqual({ path: '/alive', port: 'http' });
    expect(app.startupProbe.httpGet).toEqual({ path: '/alive', port: 'http' });
    expect(app.resources).toEqual({ requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '768Mi' } });
    expect(pod.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' });
    expect(dep.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(dep.metadata.namespace ?? 'events').toBe('events');
    expect(pod.serviceAccountName).toBe('api');
    expect(app.env).toEqual(expect.arrayContaining([{ name: 'PORT', value: '3000' }, { name: 'LOG_LEVEL', value: 'info' },
      { name: 'DATABASE_SECRET_FILE', value: '/var/run/secrets/app/database-secret-file' }]));
  });

  test('the secret is fetched by an init container into a memory volume: no secret value in any manifest', () => {
    const pod = rendered.objects.find(o => o.kind === 'Deployment').spec.template.spec;
    expect(pod.initContainers).toHaveLength(1);
    expect(pod.initContainers[0].args[0]).toContain('aws secretsmanager get-secret-value');
    expect(pod.volumes.find((v: any) => v.name === 'secrets').emptyDir.medium).toBe('Memory');
    expect(rendered.objects.filter(o => o.kind === 'Secret')).toEqual([]);
  });

  test('HPA on CPU with a fast scale-up; PDB; pre-scale jobs may patch only this HPA', () => {
    const hpa = rendered.objects.find(o => o.kind === 'HorizontalPodAutoscaler');
    expect(hpa.spec).toMatchObject({ minReplicas: 3, maxReplicas: 40 });
    expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 55 } } }]);
    expect(hpa.spec.behavior.scaleUp.stabilizationWindowSeconds).toBe(0);
    expect(rendered.objects.find(o => o.kind === 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
    const role = rendered.objects.find(o => o.kind === 'Role');
    expect(role.rules).toEqual([{ apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], resourceNames: ['api'], verbs: ['get', 'patch'] }]);
    const keynote = rendered.objects.find(o => o.kind === 'CronJob' && o.metadata.name === 'api-keynote');
    expect(keynote.spec.schedule).toBe('30 16 * * 4');
    expect(keynote.spec.jobTemplate.spec.template.spec.containers[0].args).toEqual(['patch', 'hpa', 'api', '--type=merge', '-p', '{"metadata":{"annotations":{"cdk-web-tiers.io/prescale-floor":"20"}},"spec":{"minReplicas":20}}']);
  });

  test('TargetGroupBinding points the service at the target group of the load balancer', () => {
    const tgb = rendered.objects.find(o => o.kind === 'TargetGroupBinding');
    expect(tgb.spec).toEqual({ targetGroupARN: expect.stringMatching(/^arn:aws:/), targetType: 'ip', serviceRef: { name: 'api', port: 3000 } });
  });
});

describe('web-tier chart with requests-per-pod scaling (KEDA)', () => {
  let objects: any[];
  let yaml: string;
  let version: string;
  beforeAll(() => {
    k8sTools();
    const { stack, vpc, cluster } = clusterStack();
    const lb = new TierLoadBalancer(stack, 'Lb', { vpc, certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN) });
    new KubernetesWebTier(stack, 'Api', {
      cluster, loadBalancer: lb, image: 'public.ecr.aws/runtheworld/api:1.4.2',
      resources: { cpu: '500m', memory: '512Mi' }, replicas: { min: 3, max: 40 },
      scaling: { requestsPerSecondPerPod: 20, scheduled: [{ name: 'keynote', schedule: '30 16 * * 4', minReplicas: 20 }] },
    });
    const charts = Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-HelmChart');
    const props = Object.values(charts).find(c => c.Properties.Release === 'api')!.Properties;
    yaml = helmTemplate(props.Release, deployedValues(props), props.Namespace);
    objects = parseAll(yaml);
    version = cluster.kubernetesVersion;
  });

  test('a KEDA ScaledObject on CPU and the target group request count replaces the HPA', () => {
    expect(objects.filter(o => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    const so = objects.find(o => o.kind === 'ScaledObject');
    expect(so.spec).toMatchObject({ scaleTargetRef: { name: 'api' }, minReplicaCount: 3, maxReplicaCount: 40 });
    expect(so.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.stabilizationWindowSeconds).toBe(0);
    expect(so.spec.triggers.map((t: any) => t.type)).toEqual(['cpu', 'aws-cloudwatch']);
    expect(so.spec.triggers[1]).toMatchObject({
      metricType: 'AverageValue',
      metadata: { namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', dimensionName: 'TargetGroup;LoadBalancer', metricStat: 'Sum', targetMetricValue: '1200', awsRegion: 'us-east-1', metricEndTimeOffset: '60' },
    });
    expect(so.spec.triggers[1].metadata.dimensionValue.split(';')).toHaveLength(2);
  });

  test('pre-scale patches the ScaledObject floor (KEDA owns the HPA)', () => {
    const role = objects.find(o => o.kind === 'Role');
    expect(role.rules).toEqual([{ apiGroups: ['keda.sh'], resources: ['scaledobjects'], resourceNames: ['api'], verbs: ['get', 'patch'] }]);
    const job = objects.find(o => o.kind === 'CronJob');
    expect(job.spec.jobTemplate.spec.template.spec.containers[0].args).toEqual(['patch', 'scaledobject.keda.sh', 'api', '--type=merge', '-p', '{"metadata":{"annotations":{"cdk-web-tiers.io/prescale-floor":"20"}},"spec":{"minReplicaCount":20}}']);
  });

  test('every object with a schema validates; the ScaledObject and TargetGroupBinding CRDs have none', () => {
    const report = kubernetesValidate(yaml, version);
    expect(report.lines.filter(l => l.startsWith('ERROR'))).toEqual([]);
    const noSchema = report.lines.filter(l => l.startsWith('WARN')).map(l => l.replace(/.*kind (\w+) .*/, '$1')).sort();
    expect(noSchema).toEqual(['ScaledObject', 'TargetGroupBinding', 'TriggerAuthentication']);
  });
});

describe("checkov's Kubernetes checks on the rendered chart", () => {
  test('no failed check, with the HPA and with KEDA; every skip is an annotation with its reason on the object', () => {
    for (const requestsScaling of [null, { requestsPerPodPerMinute: 600, targetGroupFullName: 'targetgroup/a/b', loadBalancerFullName: 'app/c/d', region: 'us-east-1' }]) {
      const yaml = helmTemplate('api', {
        name: 'api', image: 'public.ecr.aws/acme/api:1.0.0', targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/a/b',
        secretFiles: [{ name: 'db', envName: 'DB', secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db' }],
        scheduledScaling: [{ name: 'keynote', schedule: '0 9 * * 4', minReplicas: 5 }], requestsScaling,
      }, 'events');
      const report = checkovKubernetes(yaml);
      expect(report.failed).toEqual([]);
      expect(report.passed).toBeGreaterThan(100);
      expect(report.skipped).toBe(9);
      for (const o of parseAll(yaml).filter(x => x.metadata.annotations)) {
        for (const [k, v] of Object.entries<string>(o.metadata.annotations).filter(([key]) => key.startsWith('checkov.io/skip'))) {
          expect({ k, v }).toEqual({ k, v: expect.stringMatching(/^CKV2?_K8S_\d+=.{40,}$/) });
        }
      }
    }
  });
});
