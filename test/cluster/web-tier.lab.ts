/**
 * The cluster lab: the library's web-tier chart on a real control plane and two real kubelets
 * (containerd, runc), installed with the values that the examples' synthesized templates carry
 * (Run The World, BuycycleHybrid), with `helm upgrade --install --wait --atomic` as the deploy
 * provider runs it. What only AWS provides is a thin stand-in (README, "The cluster lab").
 */
import { BuycycleHybridStack } from '../../examples/buycycle-hybrid';
import { RunTheWorldStack } from '../../examples/run-the-world';
import {
  ExampleRelease, applyJson, exampleRelease, helmUpgrade, inLab, kubectl, kubectlJson, labEnv, readyPods, sleep, spawnInLab, waitFor,
} from './lab/lab';

const ENV = { env: { account: '123456789012', region: 'us-east-1' } };
// The app stand-in's readiness checks this TCP address (the examples' database); liveness does not.
const DEPENDENCY = `${labEnv.HOST_IP}:5433`;

function withDependency(values: Record<string, any>): Record<string, any> {
  return { ...values, env: [...values.env, { name: 'DEPENDENCY_ADDR', value: DEPENDENCY }] };
}

function startDependency() {
  const p = spawnInLab('python3', '-m', 'http.server', '5433', '--bind', labEnv.HOST_IP);
  return p;
}

function install(r: ExampleRelease, values = r.values) {
  // The template creates the namespace (labelled for the readiness gate) before the chart.
  applyJson(r.namespaceManifest);
  return helmUpgrade(r, values);
}

describe('Run The World', () => {
  const rtw = exampleRelease(app => new RunTheWorldStack(app, 'RunTheWorld', ENV));
  let dependency: ReturnType<typeof startDependency>;
  beforeAll(() => { dependency = startDependency(); });
  afterAll(() => { dependency.kill(); });

  test('the template creates the namespace with the readiness-gate labels', () => {
    expect(rtw.namespaceManifest.metadata.labels).toMatchObject({ 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' });
  });

  test('pods start and become Ready under runAsNonRoot: the secrets init container and the app run as numeric non-root UIDs', async () => {
    install(rtw, withDependency(rtw.values));
    const pods = await waitFor('a ready pod', 120, () => readyPods(rtw.namespace, rtw.release).length >= 1 && readyPods(rtw.namespace, rtw.release));
    const pod = kubectlJson('get', 'pod', '-n', rtw.namespace, pods[0].name);
    expect(pod.status.initContainerStatuses[0]).toMatchObject({ name: 'secret-database-secret-file', state: { terminated: { exitCode: 0 } } });
    // The process itself, not the spec: UID 10001, and it reads the secret file the init container (UID 65532) wrote.
    expect(inLab('curl', '-fsS', `http://${pods[0].ip}:8080/whoami`).trim()).toBe('10001 10001');
    expect(Number(inLab('curl', '-fsS', `http://${pods[0].ip}:8080/secret`).trim())).toBeGreaterThan(10);
  });

  test('liveness does not fail while the database is down; readiness does, and the pod leaves the endpoints without a restart', async () => {
    const [pod] = readyPods(rtw.namespace, rtw.release);
    dependency.kill();
    await waitFor('the pod to turn NotReady', 60, () => !readyPods(rtw.namespace, rtw.release).some(p => p.name === pod.name));
    // Longer than the liveness probe's period (20 s) twice over.
    await sleep(45_000);
    const events = kubectlJson('get', 'events', '-n', rtw.namespace, '--field-selector', `involvedObject.name=${pod.name}`).items
      .map((e: any) => `${e.reason}: ${e.message}`);
    expect(events.some((e: string) => /Readiness probe failed/.test(e))).toBe(true);
    expect(events.filter((e: string) => /Liveness probe failed/.test(e))).toEqual([]);
    const status = kubectlJson('get', 'pod', '-n', rtw.namespace, pod.name).status;
    expect(status.containerStatuses[0].restartCount).toBe(0);
    dependency = startDependency();
    await waitFor('the pod to be Ready again', 60, () => readyPods(rtw.namespace, rtw.release).some(p => p.name === pod.name));
  });

  test('the pre-scale job raises the ScaledObject floor and a helm upgrade keeps it (KEDA operator not in the lab)', async () => {
    kubectl('create', 'job', '-n', rtw.namespace, 'keynote-now', '--from=cronjob/api-keynote');
    await waitFor('the pre-scale job', 120, () => kubectlJson('get', 'job', '-n', rtw.namespace, 'keynote-now').status.succeeded === 1);
    const so = () => kubectlJson('get', 'scaledobject.keda.sh', '-n', rtw.namespace, 'api');
    expect(so().spec.minReplicaCount).toBe(40);
    install(rtw, withDependency(rtw.values));
    expect(so().spec.minReplicaCount).toBe(40);
    expect(so().metadata.annotations['cdk-web-tiers.io/prescale-floor']).toBe('40');
  });
});

describe('BuycycleHybrid', () => {
  const bc = exampleRelease(app => new BuycycleHybridStack(app, 'BuycycleHybrid', ENV));
  let load: ReturnType<typeof spawnInLab> | undefined;
  afterAll(() => { load?.kill(); });

  test('pods become Ready; the HPA holds the floor (replicas.min 2) with metrics from metrics-server', async () => {
    install(bc);
    await waitFor('2 ready pods', 180, () => readyPods(bc.namespace, bc.release).length >= 2);
    const hpa = await waitFor('HPA metrics', 120, () => {
      const h = kubectlJson('get', 'hpa', '-n', bc.namespace, 'api');
      return h.status.currentMetrics?.[0]?.resource?.current?.averageUtilization !== undefined && h;
    });
    expect(hpa.spec.minReplicas).toBe(2);
    expect(kubectlJson('get', 'deployment', '-n', bc.namespace, 'api').spec.replicas).toBe(2);
  });

  test('the HPA scales on CPU, and a helm upgrade (a new env var: a rollout) keeps the replicas it holds', async () => {
    const pods = readyPods(bc.namespace, bc.release);
    // Each pod requests 250m; 8 callers burning 200 ms per request keep them far above 60 %.
    const urls = pods.map(p => `http://${p.ip}:8080/burn?ms=200`).join(' ');
    load = spawnInLab('sh', '-c', `for i in 1 2 3 4 5 6 7 8; do (while true; do for u in ${urls}; do curl -s -o /dev/null "$u"; done; done) & done; wait`);
    const scaled = await waitFor('the HPA to scale out', 240, () => {
      const r = kubectlJson('get', 'deployment', '-n', bc.namespace, 'api').spec.replicas;
      return r >= 4 && r;
    });
    expect(scaled).toBeGreaterThanOrEqual(4);
    // Stop the load: the HPA keeps its replicas for its 5-minute scale-down window, long enough
    // for the upgrade; let the pods it added become ready first (helm --wait waits for them).
    load!.kill();
    load = undefined;
    await waitFor('the scaled-out pods to be ready', 240, () => {
      const r = kubectlJson('get', 'deployment', '-n', bc.namespace, 'api').spec.replicas;
      return readyPods(bc.namespace, bc.release).length >= r;
    });
    const before = kubectlJson('get', 'deployment', '-n', bc.namespace, 'api').spec.replicas;
    install(bc, { ...bc.values, env: [...bc.values.env, { name: 'RELEASE', value: 'upgrade-during-spike' }] });
    const after = kubectlJson('get', 'deployment', '-n', bc.namespace, 'api').spec.replicas;
    expect(after).toBeGreaterThanOrEqual(before);
    expect(readyPods(bc.namespace, bc.release).length).toBeGreaterThanOrEqual(before);
  });

  test('the pre-scale CronJob raises the HPA floor and it survives an upgrade (a schedule added to the example\'s values)', async () => {
    const values: Record<string, any> = { ...bc.values, scheduledScaling: [{ name: 'campaign', schedule: '0 9 * * 1', minReplicas: 4, timeZone: 'Etc/UTC' }] };
    install(bc, values);
    kubectl('create', 'job', '-n', bc.namespace, 'campaign-now', '--from=cronjob/api-campaign');
    await waitFor('the pre-scale job', 120, () => kubectlJson('get', 'job', '-n', bc.namespace, 'campaign-now').status.succeeded === 1);
    expect(kubectlJson('get', 'hpa', '-n', bc.namespace, 'api').spec.minReplicas).toBe(4);
    await waitFor('4 ready pods', 180, () => readyPods(bc.namespace, bc.release).length >= 4);
    install(bc, { ...values, env: [...values.env, { name: 'RELEASE', value: 'upgrade-during-campaign' }] });
    expect(kubectlJson('get', 'hpa', '-n', bc.namespace, 'api').spec.minReplicas).toBe(4);
    expect(kubectlJson('get', 'deployment', '-n', bc.namespace, 'api').spec.replicas).toBeGreaterThanOrEqual(4);
    // The scheduled entry that ends the campaign puts the floor back, and the next upgrade agrees.
    kubectl('patch', 'hpa', '-n', bc.namespace, 'api', '--type=merge', '-p', '{"metadata":{"annotations":{"cdk-web-tiers.io/prescale-floor":"2"}},"spec":{"minReplicas":2}}');
    install(bc, values);
    expect(kubectlJson('get', 'hpa', '-n', bc.namespace, 'api').spec.minReplicas).toBe(2);
  });

  test('a node drain respects the PDB: at most one pod unavailable at a time, and the drain completes', async () => {
    install(bc);
    // However many pods the HPA holds now (at least replicas.min = 2), the PodDisruptionBudget
    // (maxUnavailable 1) keeps all but one of them ready while a node drains.
    const replicas = kubectlJson('get', 'deployment', '-n', bc.namespace, 'api').spec.replicas;
    await waitFor('every pod ready', 180, () => readyPods(bc.namespace, bc.release).length >= replicas);
    const onNode = (n: string) => readyPods(bc.namespace, bc.release).filter(p => p.node === n).length;
    const nodes = [...new Set(readyPods(bc.namespace, bc.release).map(p => p.node))];
    const node = nodes.sort((a, b) => onNode(b) - onNode(a))[0];
    let minReady = Infinity;
    let draining = true;
    const watch = (async () => {
      while (draining) {
        minReady = Math.min(minReady, readyPods(bc.namespace, bc.release).length);
        await sleep(500);
      }
    })();
    const drain = spawnInLab(labEnv.KUBECTL, 'drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=480s');
    const code = await new Promise<number>(resolve => drain.on('exit', c => resolve(c ?? 1)));
    draining = false;
    await watch;
    kubectl('uncordon', node);
    expect(code).toBe(0);
    expect(replicas).toBeGreaterThanOrEqual(2);
    expect(minReady).toBeGreaterThanOrEqual(replicas - 1);
    expect(readyPods(bc.namespace, bc.release).every(p => p.node !== node)).toBe(true);
  });
});

describe('the kubelet refuses what EKS refuses', () => {
  function refusal(image: string): Promise<string> {
    const name = image.includes('named') ? 'named-user' : 'root-image';
    applyJson({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
      spec: {
        securityContext: { runAsNonRoot: true },
        containers: [{ name: 'app', image, imagePullPolicy: 'Never' }],
      },
    });
    return waitFor(`${name} to be refused`, 60, () => {
      const waiting = kubectlJson('get', 'pod', '-n', 'default', name).status.containerStatuses?.[0]?.state?.waiting;
      return waiting?.reason === 'CreateContainerConfigError' && waiting.message;
    });
  }

  test('an image that runs as root is refused under runAsNonRoot without a runAsUser (the old init container)', async () => {
    expect(await refusal('lab.local/root-app:1.0')).toMatch(/container has runAsNonRoot and image will run as root/);
  });

  test('an image whose USER is a name is refused too: the kubelet cannot verify it', async () => {
    expect(await refusal('lab.local/named-user-app:1.0')).toMatch(/non-numeric user \(app\)/);
  });
});
