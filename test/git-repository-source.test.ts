import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Template } from 'aws-cdk-lib/assertions';
import { AppSource, GitRepositorySourceProps, SingletonWorker, StatelessWebTier, TierNetwork } from '../lib';
import { bootFileText, logicalIdOf, newStack, resource, runSteps, statementsOfRole, testCertificate, userDataOf } from './helpers';

function webTier(source: Partial<GitRepositorySourceProps>, extra: { instanceType?: ec2.InstanceType; environment?: boolean } = {}) {
  const stack = newStack();
  const network = new TierNetwork(stack, 'Network');
  const deployKey = new secretsmanager.Secret(stack, 'DeployKey');
  const env = extra.environment ? new secretsmanager.Secret(stack, 'AppEnv') : undefined;
  const web = new StatelessWebTier(stack, 'Web', {
    vpc: network.vpc,
    certificate: testCertificate(stack),
    instanceType: extra.instanceType,
    environment: env,
    source: AppSource.fromGitRepository({
      repository: 'git@github.com:acme/app.git',
      deployKey,
      buildCommands: ['npm ci', 'npm run build'],
      startCommand: 'npm start',
      packages: ['nodejs'],
      ...source,
    }),
  });
  return { stack, web, deployKey, env, template: () => Template.fromStack(stack) };
}

describe('AppSource.fromGitRepository', () => {
  test('boots Amazon Linux 2023 for the instance architecture, from an SSM parameter (no lookup)', () => {
    const arm = webTier({}, { instanceType: new ec2.InstanceType('t4g.small') });
    const params = arm.template().toJSON().Parameters;
    expect(Object.values(params).map((p: any) => p.Default)).toContain('/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64');
    const x86 = webTier({});
    expect(Object.values(x86.template().toJSON().Parameters).map((p: any) => p.Default)).toContain('/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64');
  });

  test('boot steps: packages, clone, build, service, readiness, in that order', () => {
    const { web, template } = webTier({});
    const script = userDataOf(template(), web);
    const names = runSteps(script).map(([name]) => name);
    const order = ['install-packages', 'git-clone', 'build', 'app-service', 'wait-for-http'];
    expect(order.map(n => names.indexOf(n))).toEqual([...order.map(n => names.indexOf(n))].sort((a, b) => a - b));
    expect(order.every(n => names.includes(n))).toBe(true);
    expect(script).toContain("'PACKAGES=git nodejs'");
    expect(script).toContain("'REPOSITORY=git@github.com:acme/app.git'");
    expect(script).toContain("'BRANCH=main'");
    expect(script).toContain("'BUILD_COMMANDS=npm ci\nnpm run build'");
    expect(script).toContain("'START_COMMAND=npm start'");
    // The step bodies come from the boot files asset.
    for (const file of ['install-packages.sh', 'git-clone.sh', 'build-app.sh', 'app-service.sh']) {
      expect(script).toContain(`source "$CWT_BOOT_DIR/${file}"`);
    }
    // Build runs as the unprivileged app user; the service restarts on failure.
    expect(bootFileText('build-app.sh')).toContain('sudo -u "$APP_USER" -H bash -c');
    expect(bootFileText('app-service.sh')).toContain('Restart=on-failure');
    expect(bootFileText('app-service.sh')).toContain('User=$APP_USER');
    // GitHub's host key is pinned; no trust on first use.
    expect(script).toContain('github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5');
    expect(bootFileText('git-clone.sh')).toContain('StrictHostKeyChecking=yes');
  });

  test('the deploy key: read access to that secret only, and SSH egress', () => {
    const { web, deployKey, template } = webTier({});
    const t = template();
    const reads = statementsOfRole(t, logicalIdOf(web.role)).filter(s => JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue'));
    expect(reads).toHaveLength(1);
    expect(reads[0].Resource).toEqual({ Ref: logicalIdOf(deployKey) });
    const sg = resource(t, logicalIdOf(web.connections.securityGroups[0]));
    expect(sg.Properties?.SecurityGroupEgress).toEqual(expect.arrayContaining([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 22, ToPort: 22 }),
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 }),
    ]));
  });

  test('a public HTTPS repository needs no key and opens no SSH', () => {
    const { web, template } = webTier({ repository: 'https://github.com/acme/app.git', deployKey: undefined });
    const t = template();
    const script = userDataOf(t, web);
    expect(script).toContain("'DEPLOY_KEY_ARN='");
    const sg = resource(t, logicalIdOf(web.connections.securityGroups[0]));
    expect(JSON.stringify(sg.Properties?.SecurityGroupEgress)).not.toContain('"FromPort":22');
  });

  test('environment: the secret is written to an env file by ARN, readable only by the app user; DB credentials with a prefix', () => {
    const { stack, web, env, deployKey, template } = webTier({}, { environment: true });
    const db = new secretsmanager.Secret(stack, 'DbCredentials');
    web.addEnvironmentFromSecret(db, { prefix: 'DB_' });
    const t = template();
    const script = userDataOf(t, web);
    const steps = runSteps(script);
    expect(steps).toContainEqual(['app-env', 'fetch-secrets']);
    expect(steps).toContainEqual(['app-env-2', 'fetch-secrets']);
    expect(script).toContain(`'SECRET_ARN=TOKEN_Ref_${logicalIdOf(env!)}'`);
    expect(script).toContain("'ENV_PREFIX=DB_'");
    expect(script).toContain('source "$CWT_BOOT_DIR/app-env.sh"');
    // Written whole with mode 0600, then renamed into place (test/app-env.test.ts checks the mode).
    expect(bootFileText('app-env.sh')).toContain('chmod 0600 "$tmp"');
    expect(bootFileText('app-env.sh')).toContain('mv -f "$tmp" "$ENV_FILE"');
    const reads = statementsOfRole(t, logicalIdOf(web.role)).filter(s => JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue'));
    expect(reads.map(s => s.Resource.Ref).sort()).toEqual([logicalIdOf(db), logicalIdOf(deployKey), logicalIdOf(env!)].sort());
  });

  test('works on a SingletonWorker', () => {
    const stack = newStack();
    const network = new TierNetwork(stack, 'Network');
    const worker = new SingletonWorker(stack, 'Worker', {
      vpc: network.vpc,
      healthCommand: 'systemctl is-active webapp',
      source: AppSource.fromGitRepository({ repository: 'https://github.com/acme/worker.git', startCommand: 'node worker.js' }),
    });
    const names = runSteps(userDataOf(Template.fromStack(stack), worker)).map(([name]) => name);
    expect(names).toEqual(expect.arrayContaining(['git-clone', 'app-service', 'wait-for-health-command']));
  });

  test.each([
    [{ repository: 'ftp://example.com/app.git' }, /source\.repository \("ftp:\/\/example\.com\/app\.git"\)/],
    [{ repository: 'https://user:token@github.com/acme/app.git', deployKey: undefined }, /source\.repository \("https:\/\/\*\*\*@github\.com\/acme\/app\.git"\).*credentials/],
    [{ deployKey: undefined }, /source\.deployKey \(not set\).*SSH URL/],
    [{ repository: 'git@gitlab.example.com:acme/app.git' }, /source\.sshKnownHosts \(not set\).*gitlab\.example\.com/],
    [{ branch: 'bad branch' }, /source\.branch \("bad branch"\)/],
    [{ startCommand: ' ' }, /source\.startCommand \(" "\)/],
    [{ buildCommands: ['npm ci\nnpm test'] }, /source\.buildCommands/],
    [{ packages: ['nodejs; rm -rf /'] }, /source\.packages \("nodejs; rm -rf \/"\)/],
  ])('rejects %j', (source, message) => {
    expect(() => webTier(source as Partial<GitRepositorySourceProps>)).toThrow(message);
  });

  test('a deploy key with an HTTPS URL fails', () => {
    expect(() => webTier({ repository: 'https://github.com/acme/app.git' })).toThrow(/source\.deployKey.*HTTPS URL/);
  });

  test('an environment prefix that is not an identifier fails', () => {
    const { stack, web } = webTier({});
    expect(() => web.addEnvironmentFromSecret(new secretsmanager.Secret(stack, 'X'), { prefix: 'DB-' })).toThrow(/prefix \("DB-"\)/);
  });
});
