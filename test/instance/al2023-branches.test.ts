// The Amazon Linux 2023 branches of the boot files (dnf install paths) that Debian would not take
// by itself: each file runs under real bash in a copy-on-write chroot of the lab's root file
// system, with a recording fake `dnf` (or `yum`, or none) first on PATH.
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { LAB_DIR, RUN_ROOT, sh } from './lab/lab';

const BOOT_DIR = path.resolve(__dirname, '../../runtime/boot');
const dir = path.join(RUN_ROOT, `al2023${process.pid}`);
const root = path.join(dir, 'merged');

/** A recording package manager: logs its arguments; `install` runs what `installs` maps a name to. */
function fakeManager(name: string, installs: Record<string, string> = {}): string {
  const cases = Object.entries(installs).map(([pkg, command]) => `    ${pkg}) ${command} ;;`).join('\n');
  return [
    '#!/bin/bash',
    `echo "${name} $*" >> /lab/calls.log`,
    '[ "$1" = install ] || exit 1',
    'for pkg in "$@"; do',
    '  case $pkg in',
    cases,
    '    *) ;;',
    '  esac',
    'done',
    '',
  ].join('\n');
}

interface Run { code: number; output: string; calls: string[] }

/**
 * Runs a boot file in the chroot the way run_step does (bash -euo pipefail), with `bin` (name →
 * script) as the only additions to a PATH that otherwise lacks /usr/local/bin (the lab's stand-ins).
 */
function runBootFile(file: string, env: Record<string, string>, bin: Record<string, string>, prepare = ''): Run {
  sh(`rm -rf ${root}/lab && mkdir -p ${root}/lab/bin ${root}/lab/boot && cp ${BOOT_DIR}/*.sh ${root}/lab/boot/`);
  for (const [name, script] of Object.entries(bin)) {
    fs.writeFileSync(path.join(root, 'lab', 'bin', name), script, { mode: 0o755 });
  }
  fs.writeFileSync(path.join(root, 'lab', 'calls.log'), '');
  const vars = Object.entries({ CWT_REGION: 'us-east-1', CWT_HOME: '/opt/cdk-web-tiers', CWT_LOG_DIR: '/var/log/cdk-web-tiers', ...env })
    .map(([k, v]) => `${k}=${v}`);
  const r = spawnSync('chroot', [root, '/usr/bin/env', '-i', 'PATH=/lab/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', ...vars,
    '/bin/bash', '-c', `${prepare}\nmkdir -p "$CWT_HOME/bin" "$CWT_LOG_DIR"; exec bash -euo pipefail -c 'source /lab/boot/${file}'`],
  // stdin not a socket: bash would take itself for an rsh session and read bash.bashrc.
  { encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
  return {
    code: r.status ?? -1,
    output: `${r.stdout}${r.stderr}`,
    calls: fs.readFileSync(path.join(root, 'lab', 'calls.log'), 'utf-8').split('\n').filter(Boolean),
  };
}

beforeAll(() => {
  const rootfs = sh(`bash ${LAB_DIR}/rootfs.sh`).trim();
  fs.mkdirSync(path.join(dir, 'upper'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'work'));
  fs.mkdirSync(root);
  sh(`mount -t overlay overlay -o lowerdir=${rootfs},upperdir=${dir}/upper,workdir=${dir}/work ${root}`);
  // The stand-ins the lab's dnf would install, reachable for the fakes below.
  sh(`cp -a ${LAB_DIR}/rootfs-files/usr/lib/cdk-web-tiers-lab ${root}/usr/lib/`);
}, 300_000);

afterAll(() => {
  spawnSync('umount', ['-l', root]);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('install-packages.sh', () => {
  test('installs the packages with dnf on AL2023', () => {
    const r = runBootFile('install-packages.sh', { PACKAGES: 'git nodejs npm' }, { dnf: fakeManager('dnf') });
    expect(r.code).toBe(0);
    expect(r.calls).toEqual(['dnf install -y -q git nodejs npm']);
  });

  test('uses yum where there is no dnf (Amazon Linux 2)', () => {
    const r = runBootFile('install-packages.sh', { PACKAGES: 'git' }, { yum: fakeManager('yum') });
    expect(r.calls).toEqual(['yum install -y -q git']);
  });

  test('fails the step when dnf fails', () => {
    const r = runBootFile('install-packages.sh', { PACKAGES: 'nosuchpackage' }, { dnf: '#!/bin/bash\necho "dnf $*" >> /lab/calls.log\necho "Error: Unable to find a match: nosuchpackage" >&2\nexit 1\n' });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('Unable to find a match: nosuchpackage');
  });
});

describe('mount-efs.sh', () => {
  const env = { FILE_SYSTEM_ID: 'fs-0123', ACCESS_POINT_ID: 'fsap-0456', MOUNT_PATH: '/var/app/uploads' };
  // dnf "installs" amazon-efs-utils: a mount.efs that records how mount called it.
  const efsUtils = { 'amazon-efs-utils': 'printf \'#!/bin/bash\\necho "mount.efs $*" >> /lab/calls.log\\n\' > /usr/sbin/mount.efs && chmod 0755 /usr/sbin/mount.efs' };
  // `mount DIR` reads fstab and runs mount.efs; the fake then makes it a mount point.
  const mount = '#!/bin/bash\necho "mount $*" >> /lab/calls.log\nline=$(grep " $1 efs " /etc/fstab)\nset -- $line\n/usr/sbin/mount.efs "$1" "$2" -o "$4"\n';
  const mountpoint = '#!/bin/bash\ngrep -q "^mount.efs" /lab/calls.log\n';

  test('installs amazon-efs-utils with dnf, writes the fstab line (TLS, IAM, access point) once, and mounts', () => {
    const prepare = 'rm -f /usr/sbin/mount.efs; : > /etc/fstab';
    const first = runBootFile('mount-efs.sh', env, { dnf: fakeManager('dnf', efsUtils), mount, mountpoint }, prepare);
    expect(first.code).toBe(0);
    expect(first.calls).toEqual([
      'dnf install -y -q amazon-efs-utils',
      'mount /var/app/uploads',
      'mount.efs fs-0123:/ /var/app/uploads -o _netdev,noresvport,tls,iam,accesspoint=fsap-0456',
    ]);
    // A second run (the same instance booting its user data again) adds no second fstab line.
    runBootFile('mount-efs.sh', env, { dnf: fakeManager('dnf', efsUtils), mount, mountpoint });
    expect(fs.readFileSync(path.join(root, 'etc/fstab'), 'utf-8').split('\n').filter(Boolean))
      .toEqual(['fs-0123:/ /var/app/uploads efs _netdev,noresvport,tls,iam,accesspoint=fsap-0456 0 0']);
  });

  test('says so and fails when mount.efs is missing and there is no dnf or yum', () => {
    const r = runBootFile('mount-efs.sh', env, {}, 'rm -f /usr/sbin/mount.efs');
    expect(r.code).toBe(1);
    expect(r.output).toContain('amazon-efs-utils is not installed and cannot be installed here (no dnf/yum)');
  });
});

describe('cloudwatch-agent.sh', () => {
  const ctl = '/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl';
  const agent = { 'amazon-cloudwatch-agent': `mkdir -p ${path.dirname(ctl)} && printf '#!/bin/bash\\necho "agent-ctl $*" >> /lab/calls.log\\n' > ${ctl} && chmod 0755 ${ctl}` };

  test('installs the agent with dnf and starts it with a JSON config that ships the boot, app, job and health logs', () => {
    // No systemd runs in a chroot: a recording systemctl stands in (the lab's booted instances run the real one).
    const systemctl = '#!/bin/bash\necho "systemctl $*" >> /lab/calls.log\n';
    const r = runBootFile('cloudwatch-agent.sh', { CWT_LOG_GROUP: 'kwizly-web' }, { dnf: fakeManager('dnf', agent), systemctl }, `rm -rf /opt/aws`);
    expect({ code: r.code, output: r.output }).toEqual({ code: 0, output: '' });
    expect(r.calls).toEqual([
      'dnf install -y -q amazon-cloudwatch-agent',
      'systemctl daemon-reload',
      'systemctl enable --now cdk-web-tiers-journal.service',
      'agent-ctl -a fetch-config -m ec2 -s -c file:/opt/aws/amazon-cloudwatch-agent/etc/cdk-web-tiers.json',
    ]);
    const config = JSON.parse(fs.readFileSync(path.join(root, 'opt/aws/amazon-cloudwatch-agent/etc/cdk-web-tiers.json'), 'utf-8'));
    const files = config.logs.logs_collected.files.collect_list;
    expect(files.map((f: any) => f.file_path)).toEqual(expect.arrayContaining(['boot', 'app', 'jobs', 'health'].map(n => `/var/log/cdk-web-tiers/${n}.log`)));
    expect(new Set(files.map((f: any) => f.log_group_name))).toEqual(new Set(['kwizly-web']));
    expect(config.metrics.append_dimensions.AutoScalingGroupName).toBe('${aws:AutoScalingGroupName}');
  });

  test('fails with a reason when the agent is missing and there is no dnf or yum', () => {
    const r = runBootFile('cloudwatch-agent.sh', { CWT_LOG_GROUP: 'g' }, {}, 'rm -rf /opt/aws');
    expect(r.code).toBe(1);
    expect(r.output).toContain('amazon-cloudwatch-agent is not installed and no dnf/yum to install it');
  });
});

describe('joblock-install.sh', () => {
  test('installs Node.js with dnf when the image has none (the minimal AL2023 image)', () => {
    // The image without node; dnf's nodejs puts it back. aws copies a one-file CLI.
    const nodejs = { nodejs: 'mv /usr/bin/node.hidden /usr/bin/node' };
    const aws = '#!/bin/bash\necho "aws $*" >> /lab/calls.log\nprintf \'if (process.argv.includes("--help")) console.log("usage");\\n\' > "${@: -1}"\n';
    const r = runBootFile('joblock-install.sh', { CLI_BUCKET: 'assets', CLI_KEY: 'abc.js', APP_USER: 'webapp' },
      { dnf: fakeManager('dnf', nodejs), aws }, 'mv /usr/bin/node /usr/bin/node.hidden');
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
    expect(r.calls).toEqual([
      'dnf install -y -q nodejs',
      'aws s3 cp --region us-east-1 --only-show-errors s3://assets/abc.js /opt/cdk-web-tiers/bin/joblock.js',
    ]);
    expect(fs.readFileSync(path.join(root, 'usr/local/bin/joblock'), 'utf-8')).toContain('exec node /opt/cdk-web-tiers/bin/joblock.js "$@"');
  });

  test('fails with a reason when Node.js is missing and there is no dnf or yum', () => {
    const r = runBootFile('joblock-install.sh', { CLI_BUCKET: 'b', CLI_KEY: 'k', APP_USER: 'webapp' }, {},
      '[ -e /usr/bin/node ] && mv /usr/bin/node /usr/bin/node.hidden; true');
    expect(r.code).toBe(1);
    expect(r.output).toContain('Node.js is not installed and no dnf/yum to install it');
  });
});
