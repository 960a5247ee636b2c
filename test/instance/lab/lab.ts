// The instance lab: boots the examples' instances under real systemd (systemd-nspawn on a cached
// Debian 12 root file system), each in its own network namespace, next to a services namespace
// that holds the lab's AWS endpoint (a recording proxy in front of moto), Redis with TLS and AUTH,
// and a git server over SSH. See README.md, "Instance lab".
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export const LAB_DIR = __dirname;
export const CACHE_DIR = process.env.LAB_CACHE ?? '/var/cache/cdk-web-tiers-lab';
export const VENV = process.env.LAB_VENV ?? path.join(CACHE_DIR, 'venv');
export const RUN_ROOT = '/run/cdk-web-tiers-lab';
/** The services namespace's address on the lab bridge; instances get .11 and up. */
export const SERVICES_IP = '10.77.0.1';
export const AWS_ENDPOINT = `http://${SERVICES_IP}:5000`;
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const GIT_USER = 'cwtlab-git';
export const GIT_HOST = 'git.kwizly.lab';
export const LOCK_HOST = 'lock.kwizly.lab';
/** The app repositories the lab's git server serves (paths under the git user's home), per example. */
export const APP_REPOSITORIES = { Kwizly: 'kwizly/kwizly-app.git', Buycycle: 'buycycle/buycycle-app.git' } as const;
/** The SSH URL of a repository of the lab's git server. */
export function repositoryUrl(repository: string): string {
  return `${GIT_USER}@${GIT_HOST}:${repository}`;
}
export const LOCK_PORT = 6379;
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The cgroup hierarchies systemd uses on this host: the named systemd one and/or the unified one. */
export function cgroupRoots(): string[] {
  const hybrid = ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified'].filter(dir => fs.existsSync(path.join(dir, 'cgroup.procs')));
  return hybrid.length ? hybrid : ['/sys/fs/cgroup'];
}

export interface RunResult { code: number; stdout: string; stderr: string }

/** Runs a bash command on the host; throws with its output when it fails. */
export function sh(command: string, input?: string): string {
  const r = spawnSync('bash', ['-c', command], { encoding: 'utf-8', input, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) {
    throw new Error(`lab: '${command}' exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** Resolves with the promise's value, or with 'timeout' after `ms` (the timer does not outlive it). */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>(resolve => { timer = setTimeout(() => resolve('timeout'), ms); });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls until `check` returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`lab: timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await sleep(500);
  }
}

/** One recorded call to the lab's AWS endpoint. */
export interface AwsCall {
  time: number;
  service: string;
  action: string;
  params: Record<string, any>;
  client: string;
  fault?: { code: string; status?: number };
  answers?: Record<string, string>;
  /** CompleteLifecycleAction: the lifecycle state the instance was in. */
  state?: string;
}

export interface InstanceOptions {
  /** Short name, also the machine name (letters and digits). */
  readonly name: string;
  /** The rendered user data (a bash script). */
  readonly userData: string;
  /** The Auto Scaling group's name, served as the `aws:autoscaling:groupName` instance tag. */
  readonly groupName: string;
  /** Files written into the instance before its first boot (path inside → content, or mode+content). */
  readonly files?: Record<string, string | { content: string; mode: number }>;
  /** Commands run with chroot in the instance before its first boot (e.g. what a Packer image bakes in). */
  readonly bake?: string[];
  /**
   * Its Auto Scaling lifecycle state at launch: `Pending:Wait` (launched into service) or
   * `Warmed:Pending:Wait` (launched into a warm pool). Default `Pending:Wait`.
   */
  readonly lifecycleState?: string;
  /** Instance metadata paths that the test controls (see Instance.setMetadata), e.g. `autoscaling/target-lifecycle-state`. */
  readonly metadata?: Record<string, string>;
}

export class Instance {
  public readonly instanceId: string;
  public readonly ip: string;
  public readonly netns: string;
  public readonly dir: string;
  public readonly merged: string;
  private nspawn?: ChildProcess;
  private nspawnExit?: Promise<number | null>;
  private boots = 0;

  constructor(private readonly lab: Lab, public readonly name: string, index: number) {
    this.instanceId = `i-0${crypto.createHash('sha256').update(`${lab.runId}/${name}`).digest('hex').slice(0, 16)}`;
    this.ip = `10.77.0.${10 + index}`;
    this.netns = `${lab.prefix}-${name}`;
    this.dir = path.join(lab.runDir, 'instances', name);
    this.merged = path.join(this.dir, 'merged');
  }

  /** Path on the host of a file inside the instance. */
  public file(inside: string): string {
    return path.join(this.merged, inside);
  }

  public read(inside: string): string {
    try {
      return fs.readFileSync(this.file(inside), 'utf-8');
    } catch {
      return '';
    }
  }

  /**
   * Serves `value` at the instance metadata path `meta-data/<key>` from now on (undefined: 404),
   * e.g. `autoscaling/target-lifecycle-state` or `spot/instance-action`.
   */
  public setMetadata(key: string, value: string | undefined): void {
    const file = path.join(this.dir, 'imds-dynamic.json');
    let current: Record<string, string> = {};
    try {
      current = JSON.parse(fs.readFileSync(file, 'utf-8'));
    } catch { /* none yet */ }
    if (value === undefined) delete current[key];
    else current[key] = value;
    fs.writeFileSync(`${file}.new`, JSON.stringify(current));
    fs.renameSync(`${file}.new`, file);
  }

  /** The instance metadata requests it made (path and status), from the fake IMDS' log. */
  public metadataRequests(): string[] {
    try {
      return fs.readFileSync(path.join(this.dir, 'imds.log'), 'utf-8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  }

  /** Starts the container (systemd as PID 1). */
  public start(): void {
    this.boots++;
    const log = fs.openSync(path.join(this.dir, `nspawn-${this.boots}.log`), 'a');
    // With --keep-unit the container's systemd manages the cgroup nspawn runs in. Without a cgroup
    // of its own, two containers would both manage the host's root cgroup (same /system.slice/...
    // paths) and break each other's units (219/CGROUP), so each one gets its own first.
    const cgroups = cgroupRoots().map(root => path.join(root, `${this.lab.prefix}-${this.name}`));
    for (const dir of cgroups) fs.mkdirSync(dir, { recursive: true });
    const enter = cgroups.map(dir => `echo $$ > ${dir}/cgroup.procs`).join('; ');
    this.nspawn = spawn('bash', ['-c', `${enter}; exec systemd-nspawn "$@"`, 'nspawn',
      '--boot', '--register=no', '--keep-unit', '--quiet', '--console=passive',
      '-D', this.merged, '-M', this.name,
      `--network-namespace-path=/run/netns/${this.netns}`,
      `--bind=${this.lab.efsDir}:/mnt/cdk-web-tiers-lab-efs`,
    ], { stdio: ['ignore', log, log] });
    fs.writeFileSync(path.join(this.lab.pidDir, `nspawn-${this.name}.pid`), `${this.nspawn.pid}\n`);
    const child = this.nspawn;
    this.nspawnExit = new Promise(resolve => child.on('exit', code => resolve(code)));
  }

  /** PID (on the host) of the container's systemd. */
  public leader(): number {
    const pid = this.nspawn?.pid;
    if (!pid) throw new Error(`lab: ${this.name} is not running`);
    const out = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf-8' }).stdout.trim();
    const leader = Number(out.split('\n')[0]);
    if (!leader) throw new Error(`lab: ${this.name} has no init process yet`);
    return leader;
  }

  /** Runs a bash command inside the container as root (all its namespaces). */
  public exec(command: string, timeoutMs = 120_000): RunResult {
    const r = spawnSync('nsenter', ['-t', String(this.leader()), '-a', '--',
      '/usr/bin/env', '-i', `PATH=${PATH}`, 'HOME=/root', 'LANG=C.UTF-8', '/bin/bash', '-c', command],
    { encoding: 'utf-8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** Like exec, but throws unless the command succeeds; returns its stdout. */
  public run(command: string, timeoutMs?: number): string {
    const r = this.exec(command, timeoutMs);
    if (r.code !== 0) throw new Error(`lab: '${command}' in ${this.name} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  }

  /** Waits until systemd is up (the container answers) and the user data ran (cloud-final). */
  public async waitForBoot(timeoutMs: number): Promise<void> {
    await waitFor(`${this.name}'s systemd`, 60_000, () => {
      try {
        const state = this.exec('systemctl is-system-running', 10_000).stdout.trim();
        return ['running', 'degraded', 'starting'].includes(state) ? state : undefined;
      } catch {
        return undefined;
      }
    });
    await waitFor(`${this.name}'s user data (see ${this.file('/var/log/cloud-init-output.log')})`, timeoutMs,
      () => fs.existsSync(this.file('/var/lib/cloud/instance/boot-finished')));
  }

  /** Waits until the container's systemd has finished starting units (after a reboot, say). */
  public async waitForSystem(timeoutMs: number): Promise<string> {
    return waitFor(`${this.name}'s systemd to finish starting`, timeoutMs, () => {
      try {
        const state = this.exec('systemctl is-system-running', 10_000).stdout.trim();
        return ['running', 'degraded'].includes(state) ? state : undefined;
      } catch {
        return undefined;
      }
    });
  }

  /** The user data's exit status (cloud-final records it). */
  public userDataExitCode(): number {
    return Number(this.read('/var/lib/cloud/instance/user-data.rc').trim());
  }

  public bootLog(): string {
    return this.read('/var/log/cdk-web-tiers/boot.log');
  }

  /** `systemctl reboot` inside, then boots the same upper layer again, as a rebooted instance. */
  public async reboot(timeoutMs = 120_000): Promise<void> {
    this.exec('systemctl reboot', 10_000);
    const code = await within(this.nspawnExit!, timeoutMs);
    if (code === 'timeout') throw new Error(`lab: ${this.name} did not shut down for its reboot`);
    this.start();
    await this.waitForSystem(timeoutMs);
  }

  /**
   * Stops the instance as EC2 does (an orderly `systemctl poweroff` inside); the upper layer stays,
   * so `boot` starts the same instance again, as Auto Scaling does with a warm pool's instance.
   */
  public async powerOff(timeoutMs = 60_000): Promise<void> {
    this.exec('systemctl poweroff', 10_000);
    const code = await within(this.nspawnExit!, timeoutMs);
    if (code === 'timeout') throw new Error(`lab: ${this.name} did not power off`);
  }

  /** Starts a powered-off instance again and waits until its systemd has finished starting units. */
  public async boot(timeoutMs = 120_000): Promise<void> {
    this.start();
    await this.waitForSystem(timeoutMs);
  }

  /** Stops the container (an orderly shutdown, then SIGKILL). */
  public async stop(): Promise<void> {
    if (!this.nspawn || this.nspawn.exitCode !== null || this.nspawn.signalCode !== null) return;
    this.nspawn.kill('SIGTERM');
    const done = await within(this.nspawnExit!, 20_000);
    if (done === 'timeout') {
      this.nspawn.kill('SIGKILL');
      await this.nspawnExit;
    }
  }

  /** Everything useful to read when a test fails. */
  public diagnostics(): string {
    return [
      `==== ${this.name} (${this.instanceId}) boot.log`, this.bootLog(),
      `==== cloud-init-output.log`, this.read('/var/log/cloud-init-output.log').slice(-4000),
      `==== app.log`, this.read('/var/log/cdk-web-tiers/app.log').slice(-2000),
    ].join('\n');
  }
}

/** Values the lab gives the template's resources (see render-user-data.ts). */
export interface LabServices {
  /** The AUTH token the lab's Redis requires (also the lock's secret value). */
  readonly redisToken: string;
  /** The lab CA that signed Redis' certificate (PEM). */
  readonly caPem: string;
  /** `known_hosts` line of the lab git server. */
  readonly knownHosts: string;
  /** Private deploy key the git server accepts (the deploy-key secret's value). */
  readonly deployKey: string;
}

/**
 * One lab: a services namespace with its bridge and servers, and the instances booted in it.
 * `Lab.start()` in beforeAll, `lab.stop()` in afterAll (it removes everything even after a failure).
 */
export class Lab {
  public readonly runId: string;
  public readonly prefix: string;
  public readonly runDir: string;
  public readonly pidDir: string;
  public readonly efsDir: string;
  public readonly awsDir: string;
  public rootfs = '';
  public services!: LabServices;
  public readonly instances: Instance[] = [];
  private readonly processes: ChildProcess[] = [];
  private gitHome = '';

  private constructor(name: string) {
    this.runId = `${name}${process.pid}`;
    this.prefix = `cwtlab-${this.runId}`;
    this.runDir = path.join(RUN_ROOT, this.runId);
    this.pidDir = path.join(this.runDir, 'pids');
    this.efsDir = path.join(this.runDir, 'efs');
    this.awsDir = path.join(this.runDir, 'aws');
  }

  /** Builds (or reuses) the root file system and starts the services. */
  public static async start(name: string): Promise<Lab> {
    const lab = new Lab(name);
    // A run interrupted (Ctrl-C, CI timeout) still removes its containers, mounts and namespaces.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        spawnSync('bash', [path.join(LAB_DIR, 'cleanup.sh'), lab.runId], { stdio: 'inherit' });
        process.exit(130);
      });
    }
    try {
      await lab.startServices();
    } catch (e) {
      await lab.stop();
      throw e;
    }
    return lab;
  }

  private svc(): string {
    return `${this.prefix}-svc`;
  }

  private spawnService(name: string, command: string[]): ChildProcess {
    const log = fs.openSync(path.join(this.runDir, `${name}.log`), 'a');
    const child = spawn('ip', ['netns', 'exec', this.svc(), ...command], { stdio: ['ignore', log, log] });
    fs.writeFileSync(path.join(this.pidDir, `${name}.pid`), `${child.pid}\n`);
    this.processes.push(child);
    return child;
  }

  private async waitForPort(host: string, port: number, what: string): Promise<void> {
    await waitFor(`${what} on ${host}:${port}`, 30_000, () =>
      spawnSync('ip', ['netns', 'exec', this.svc(), 'bash', '-c', `exec 3<>/dev/tcp/${host}/${port}`]).status === 0);
  }

  private async startServices(): Promise<void> {
    sh(`bash ${LAB_DIR}/setup.sh`);
    this.rootfs = sh(`bash ${LAB_DIR}/rootfs.sh`).trim();
    for (const dir of [this.runDir, this.pidDir, this.efsDir, this.awsDir, path.join(this.runDir, 'instances')]) {
      fs.mkdirSync(dir, { recursive: true });
    }
    // The services namespace: a bridge every instance's veth joins.
    const svc = this.svc();
    sh(`ip netns add ${svc} && ip -n ${svc} link set lo up && ip -n ${svc} link add br0 type bridge &&
        ip -n ${svc} addr add ${SERVICES_IP}/24 dev br0 && ip -n ${svc} link set br0 up`);

    // Redis with TLS and AUTH, as ElastiCache with transit encryption and an auth token.
    const tls = path.join(this.runDir, 'tls');
    fs.mkdirSync(tls);
    sh(`cd ${tls} && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=cdk-web-tiers lab CA' -keyout ca.key -out ca.crt 2>/dev/null &&
        openssl req -newkey rsa:2048 -nodes -subj '/CN=${LOCK_HOST}' -keyout redis.key -out redis.csr 2>/dev/null &&
        printf 'subjectAltName=DNS:${LOCK_HOST},IP:${SERVICES_IP}\\n' > san.ext &&
        openssl x509 -req -in redis.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out redis.crt 2>/dev/null &&
        chmod 0644 redis.key`);
    const redisToken = `lab-${crypto.randomBytes(12).toString('hex')}`;
    this.spawnService('redis', ['redis-server', '--port', '0', '--tls-port', String(LOCK_PORT), '--bind', SERVICES_IP,
      '--tls-cert-file', `${tls}/redis.crt`, '--tls-key-file', `${tls}/redis.key`, '--tls-ca-cert-file', `${tls}/ca.crt`,
      '--tls-auth-clients', 'no', '--requirepass', redisToken, '--save', '', '--appendonly', 'no']);

    // The AWS endpoint: moto behind the recording proxy.
    this.spawnService('moto', [`${VENV}/bin/moto_server`, '-H', '127.0.0.1', '-p', '5001']);
    this.spawnService('aws-proxy', ['python3', `${LAB_DIR}/services/aws_proxy.py`, SERVICES_IP, '5000', 'http://127.0.0.1:5001', this.awsDir]);

    // The git server: sshd with a pinned host key, git-shell for the deploy key only.
    const git = path.join(this.runDir, 'git');
    fs.mkdirSync(git);
    const hostKey = path.join(CACHE_DIR, 'git-host-key');
    const deployKeyFile = path.join(CACHE_DIR, 'deploy-key');
    const gitHome = sh(`getent passwd ${GIT_USER} | cut -d: -f6`).trim();
    fs.writeFileSync(path.join(git, 'authorized_keys'),
      `restrict ${fs.readFileSync(`${deployKeyFile}.pub`, 'utf-8').trim()}\n`);
    fs.chmodSync(git, 0o755);
    fs.writeFileSync(path.join(git, 'sshd_config'), [
      `ListenAddress ${SERVICES_IP}:22`, `HostKey ${hostKey}`, `PidFile ${git}/sshd.pid`,
      `AuthorizedKeysFile ${git}/authorized_keys`, `AllowUsers ${GIT_USER}`, 'PasswordAuthentication no',
      'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no', 'PermitRootLogin no', 'LogLevel VERBOSE', '',
    ].join('\n'));
    fs.mkdirSync('/run/sshd', { recursive: true });
    this.spawnService('sshd', ['/usr/sbin/sshd', '-D', '-e', '-f', `${git}/sshd_config`]);
    this.gitHome = gitHome;
    for (const repository of Object.values(APP_REPOSITORIES)) sh(`bash ${LAB_DIR}/app-repo.sh ${gitHome}/${repository} ${GIT_USER}`);

    await this.waitForPort(SERVICES_IP, 5000, 'the AWS proxy');
    await this.waitForPort('127.0.0.1', 5001, 'moto');
    await this.waitForPort(SERVICES_IP, LOCK_PORT, 'redis');
    await this.waitForPort(SERVICES_IP, 22, 'sshd');
    this.services = {
      redisToken,
      caPem: fs.readFileSync(`${tls}/ca.crt`, 'utf-8'),
      knownHosts: `${GIT_HOST} ${fs.readFileSync(`${hostKey}.pub`, 'utf-8').trim().split(' ').slice(0, 2).join(' ')}`,
      deployKey: fs.readFileSync(deployKeyFile, 'utf-8'),
    };
  }

  /**
   * Pushes a commit to the branch main of one of the git server's repositories (APP_REPOSITORIES),
   * writing `files` (path in the repository → content); returns the commit's hash.
   */
  public pushCommit(repository: string, files: Record<string, string>, message: string): string {
    const bare = path.join(this.gitHome, repository);
    const work = fs.mkdtempSync(path.join(this.runDir, 'push-'));
    const git = `${this.rootGit()} -c user.name=lab -c user.email=lab@kwizly.lab`;
    sh(`${git} clone -q --branch main ${bare} ${work}/repo`);
    for (const [name, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(work, 'repo', name)), { recursive: true });
      fs.writeFileSync(path.join(work, 'repo', name), content);
    }
    sh(`cd ${work}/repo && ${git} add -A && ${git} commit -q -m ${JSON.stringify(message)} && ${git} push -q origin main && chown -R ${GIT_USER}: ${bare}`);
    const commit = sh(`${git} -C ${work}/repo rev-parse HEAD`).trim();
    fs.rmSync(work, { recursive: true, force: true });
    return commit;
  }

  /** The commit at the head of main in one of the git server's repositories. */
  public headCommit(repository: string): string {
    return sh(`${this.rootGit()} -C ${path.join(this.gitHome, repository)} rev-parse main`).trim();
  }

  /**
   * git for root on the git user's repositories: safe.directory is only read from the global or
   * system configuration, so a global configuration of the lab's own says so.
   */
  private rootGit(): string {
    const config = path.join(this.runDir, 'gitconfig');
    if (!fs.existsSync(config)) fs.writeFileSync(config, '[safe]\n\tdirectory = *\n');
    return `GIT_CONFIG_GLOBAL=${config} git`;
  }

  /** Seeds moto (bucket and assets, secrets) from a JSON description; see services/seed.py. */
  public seed(seed: object): Record<string, string> {
    const file = path.join(this.runDir, `seed-${crypto.randomBytes(4).toString('hex')}.json`);
    fs.writeFileSync(file, JSON.stringify(seed));
    return JSON.parse(sh(`ip netns exec ${this.svc()} ${VENV}/bin/python ${LAB_DIR}/services/seed.py http://127.0.0.1:5001 ${file}`));
  }

  /** A folder every instance sees as the EFS file system `fsId` (through the lab's mount.efs). */
  public fileSystem(fsId: string): string {
    const dir = path.join(this.efsDir, fsId);
    fs.mkdirSync(dir, { recursive: true });
    fs.chmodSync(dir, 0o777);
    return dir;
  }

  /** Every call the instances made to the AWS endpoint so far. */
  public calls(action?: string): AwsCall[] {
    let text: string;
    try {
      text = fs.readFileSync(path.join(this.awsDir, 'calls.jsonl'), 'utf-8');
    } catch {
      return [];
    }
    const calls = text.split('\n').filter(Boolean).map(line => JSON.parse(line) as AwsCall);
    return action ? calls.filter(c => c.action === action) : calls;
  }

  /** Makes the next calls of `action` answer these errors, in order. */
  public fault(action: string, ...faults: Array<{ code: string; status?: number; message?: string }>): void {
    const file = path.join(this.awsDir, 'faults.json');
    let current: Record<string, unknown[]> = {};
    try {
      current = JSON.parse(fs.readFileSync(file, 'utf-8'));
    } catch { /* none yet */ }
    current[action] = [...(current[action] ?? []), ...faults];
    fs.writeFileSync(file, JSON.stringify(current));
  }

  /**
   * What the proxy answers about Auto Scaling and target groups: the address of each instance (where
   * DescribeTargetHealth probes it, like an ALB), its group, the launch template version it was
   * launched from (default "1"), each group's launch template version (default "1") and whether it
   * launches through a MixedInstancesPolicy, and the target groups' health checks.
   */
  public setTargets(targets: {
    instances?: Record<string, string>; groups?: Record<string, string>; targetGroups?: Record<string, object>;
    launchTemplateVersions?: Record<string, string>; groupLaunchTemplates?: Record<string, { version: string; mixed: boolean }>;
  }): void {
    const file = path.join(this.awsDir, 'targets.json');
    let current: any = {};
    try {
      current = JSON.parse(fs.readFileSync(file, 'utf-8'));
    } catch { /* none yet */ }
    for (const key of ['instances', 'groups', 'targetGroups', 'launchTemplateVersions', 'groupLaunchTemplates'] as const) {
      current[key] = { ...current[key], ...targets[key] };
    }
    fs.writeFileSync(`${file}.new`, JSON.stringify(current));
    fs.renameSync(`${file}.new`, file);
  }

  /** Sets an instance's Auto Scaling lifecycle state (e.g. `Pending:Wait` when it leaves the warm pool). */
  public setLifecycleState(instanceId: string, state: string): void {
    sh(`python3 - ${JSON.stringify(path.join(this.awsDir, 'lifecycle.json'))} ${instanceId} ${JSON.stringify(state)} <<'PY'
import fcntl, json, os, sys
path, instance, state = sys.argv[1:]
with open(path + '.lock', 'a') as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        current = json.load(open(path))
    except (OSError, ValueError):
        current = {}
    current[instance] = state
    with open(path + '.new', 'w') as f:
        json.dump(current, f)
    os.rename(path + '.new', path)
PY`);
  }

  /** The instances in a group's warm pool, as DescribeWarmPool answers them (rolling-update.ts keeps it). */
  public setWarmPool(groupName: string, instanceIds: string[]): void {
    const file = path.join(this.awsDir, 'warmpool.json');
    let current: Record<string, string[]> = {};
    try {
      current = JSON.parse(fs.readFileSync(file, 'utf-8'));
    } catch { /* none yet */ }
    current[groupName] = instanceIds;
    fs.writeFileSync(`${file}.new`, JSON.stringify(current));
    fs.renameSync(`${file}.new`, file);
  }

  /**
   * Whether CloudFormation is creating or updating the stack (SignalResource is accepted) or not
   * (it answers that the resource "cannot be signaled"). Default: signalable.
   */
  public setSignalable(signalable: boolean): void {
    fs.writeFileSync(path.join(this.awsDir, 'stack.json'), JSON.stringify({ signalable }));
  }

  /** An instance's Auto Scaling lifecycle state as the proxy sees it. */
  public lifecycleState(instanceId: string): string {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.awsDir, 'lifecycle.json'), 'utf-8'))[instanceId] ?? 'Pending:Wait';
    } catch {
      return 'Pending:Wait';
    }
  }

  /** Creates an instance (network namespace, IMDS, copy-on-write root) and boots it. */
  public async launch(options: InstanceOptions): Promise<Instance> {
    const instance = new Instance(this, options.name, this.instances.length + 1);
    this.instances.push(instance);
    const ns = instance.netns;
    const veth = `v${this.instances.length}`;
    sh(`ip netns add ${ns} && ip -n ${ns} link set lo up &&
        ip -n ${this.svc()} link add ${veth} type veth peer name eth0 netns ${ns} &&
        ip -n ${this.svc()} link set ${veth} master br0 up &&
        ip -n ${ns} addr add ${instance.ip}/24 dev eth0 && ip -n ${ns} link set eth0 up &&
        ip -n ${ns} addr add 169.254.169.254/32 dev lo`);
    // IMDSv2 for this instance, inside its namespace.
    const imds = path.join(instance.dir, 'imds.json');
    fs.mkdirSync(path.join(instance.dir, 'upper'), { recursive: true });
    fs.mkdirSync(path.join(instance.dir, 'work'));
    fs.mkdirSync(instance.merged);
    fs.writeFileSync(imds, JSON.stringify({
      listen: '169.254.169.254', instanceId: instance.instanceId, region: REGION, az: `${REGION}a`, account: ACCOUNT,
      ip: instance.ip, role: 'lab-instance-role', log: path.join(instance.dir, 'imds.log'),
      dynamic: path.join(instance.dir, 'imds-dynamic.json'),
      tags: { 'aws:autoscaling:groupName': options.groupName, 'Name': options.name },
    }));
    for (const [key, value] of Object.entries(options.metadata ?? {})) instance.setMetadata(key, value);
    if (options.lifecycleState) this.setLifecycleState(instance.instanceId, options.lifecycleState);
    const log = fs.openSync(path.join(instance.dir, 'imds.out'), 'a');
    const child = spawn('ip', ['netns', 'exec', ns, 'python3', `${LAB_DIR}/services/imds.py`, imds], { stdio: ['ignore', log, log] });
    fs.writeFileSync(path.join(this.pidDir, `imds-${options.name}.pid`), `${child.pid}\n`);
    this.processes.push(child);
    await waitFor(`${options.name}'s IMDS`, 30_000, () =>
      spawnSync('ip', ['netns', 'exec', ns, 'bash', '-c', 'exec 3<>/dev/tcp/169.254.169.254/80']).status === 0);

    // A copy-on-write view of the cached root file system.
    sh(`mount -t overlay overlay -o lowerdir=${this.rootfs},upperdir=${instance.dir}/upper,workdir=${instance.dir}/work ${instance.merged}`);
    const m = instance.merged;
    sh(`cp -a ${LAB_DIR}/rootfs-files/. ${m}/`);
    const files: Record<string, string | { content: string; mode: number }> = {
      '/etc/cdk-web-tiers-lab/aws-endpoint': AWS_ENDPOINT,
      '/etc/hostname': `${options.name}\n`,
      '/etc/hosts': `127.0.0.1 localhost\n127.0.1.1 ${options.name}\n${SERVICES_IP} ${GIT_HOST} ${LOCK_HOST}\n`,
      '/usr/local/share/ca-certificates/cdk-web-tiers-lab.crt': this.services.caPem,
      '/var/lib/cloud/instance/user-data.txt': { content: options.userData, mode: 0o700 },
      ...options.files,
    };
    for (const [inside, value] of Object.entries(files)) {
      const file = path.join(m, inside);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const { content, mode } = typeof value === 'string' ? { content: value, mode: 0o644 } : value;
      fs.writeFileSync(file, content, { mode });
      fs.chmodSync(file, mode);
    }
    // The lab CA joins the trust store, as Amazon's CAs are in AL2023's (ElastiCache's certificate chains to them).
    sh(`cat ${m}/usr/local/share/ca-certificates/cdk-web-tiers-lab.crt >> ${m}/etc/ssl/certs/ca-certificates.crt`);
    for (const command of options.bake ?? []) sh(`chroot ${m} /bin/bash -c ${JSON.stringify(command)}`);
    // Auto Scaling launched it into its group; its address is where the load balancer probes it.
    this.setTargets({ instances: { [instance.instanceId]: instance.ip }, groups: { [instance.instanceId]: options.groupName } });
    instance.start();
    return instance;
  }

  /** Stops the instances and services and removes their namespaces and mounts. */
  public async stop(): Promise<void> {
    await Promise.all(this.instances.map(i => i.stop().catch(() => undefined)));
    for (const child of this.processes) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    }
    await sleep(300);
    if (process.env.LAB_KEEP !== '1') {
      spawnSync('bash', [path.join(LAB_DIR, 'cleanup.sh'), this.runId], { stdio: 'inherit' });
    }
  }
}
