// Ties a synthesized example stack to a lab: synthesizes the lab app, uploads the stack's assets
// as cdk-assets would, creates the secrets it reads, and renders each tier's user data.
import * as fs from 'fs';
import * as path from 'path';
import { ACCOUNT, GIT_HOST, Lab, LOCK_HOST, REGION, sh } from './lab';
import { launchTemplates, RenderContext, renderUserData } from './render-user-data';

export interface Tier {
  /** Logical id of the launch template. */
  readonly launchTemplateId: string;
  /** Logical id of the Auto Scaling group (the resource the boot signals). */
  readonly groupId: string;
  /** The tier's user data, rendered from the template. */
  readonly userData: string;
  /** Whether the group launches through a MixedInstancesPolicy (Spot above a baseline). */
  readonly mixedInstances: boolean;
  /** The target group's health check, when the tier has one. */
  readonly targetGroup?: { id: string; arn: string; path: string; port: number; healthyThreshold: number };
}

export interface LabStack {
  readonly template: any;
  readonly tiers: Record<string, Tier>;
  readonly context: RenderContext;
}

/**
 * The Kwizly app's env secret: dotenv text with what real .env files hold. `expected` is what a
 * dotenv parser reads from it, so what the app must get byte for byte.
 */
export const KWIZLY_ENV_SECRET = [
  '# Kwizly production environment (lab copy)',
  'APP_NAME=Kwizly',
  'PLAIN=hello world',
  'export EXPORTED=yes',
  "DOLLARS='pa$$word $HOME ${NOT_EXPANDED}'",
  'BACKQUOTES=run `id` now',
  `QUOTES='say "hi" now'`,
  'COMMENTED="a" # a note after a quoted value',
  'UNQUOTED_COMMENT=value # a note',
  'HASH_IN_QUOTES="a#b # not a comment"',
  'SPACES="  padded  "',
  "BACKSLASH='C:\\path\\to'",
  'UNICODE=héllo ✓',
  'EMPTY=',
  'TLS_KEY="-----BEGIN PRIVATE KEY-----',
  'MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAq7BFUpkGp3+LQmlQ',
  'Yx2eqd3O8dnLsN5GgvfBtdDpCuzhjW4gGz7B7WAbXE0X3hyG==',
  '-----END PRIVATE KEY-----"',
  'PORT=3000',
  '2FA_SECRET=totp-seed',
  'UID=1234',
  '',
].join('\n');

export const KWIZLY_ENV_EXPECTED: Record<string, string> = {
  APP_NAME: 'Kwizly',
  PLAIN: 'hello world',
  EXPORTED: 'yes',
  DOLLARS: 'pa$$word $HOME ${NOT_EXPANDED}',
  BACKQUOTES: 'run `id` now',
  QUOTES: 'say "hi" now',
  COMMENTED: 'a',
  UNQUOTED_COMMENT: 'value',
  HASH_IN_QUOTES: 'a#b # not a comment',
  SPACES: '  padded  ',
  BACKSLASH: 'C:\\path\\to',
  UNICODE: 'héllo ✓',
  EMPTY: '',
  TLS_KEY: [
    '-----BEGIN PRIVATE KEY-----',
    'MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAq7BFUpkGp3+LQmlQ',
    'Yx2eqd3O8dnLsN5GgvfBtdDpCuzhjW4gGz7B7WAbXE0X3hyG==',
    '-----END PRIVATE KEY-----',
  ].join('\n'),
};

/** The database secret (JSON, read with the DB_ prefix), with characters that need escaping. */
export const DATABASE_SECRET = {
  username: 'kwizly', password: 'p@ss"w$rd`x\\y', host: 'db.kwizly.lab', port: 5433, dbname: 'kwizly', engine: 'postgres',
};
export const DATABASE_EXPECTED: Record<string, string> = {
  DB_username: 'kwizly', DB_password: 'p@ss"w$rd`x\\y', DB_host: 'db.kwizly.lab', DB_port: '5433', DB_dbname: 'kwizly', DB_engine: 'postgres',
};

/** Synthesizes one stack of the lab app into the lab's folder (once per lab) and returns the cloud assembly path. */
export function synthesize(lab: Lab, stackName: string): string {
  const out = path.join(lab.runDir, `cdk.out-${stackName}`);
  if (!fs.existsSync(path.join(out, 'manifest.json'))) {
    const root = path.resolve(__dirname, '../../..');
    sh(`cd ${root} && npx tsx test/instance/lab/synth.ts ${out} ${JSON.stringify(lab.services.knownHosts)} ${stackName}`);
  }
  return out;
}

/**
 * Prepares one stack of the lab app in the lab: uploads its assets, creates its secrets, and
 * renders every tier's user data with the values the lab gives its resources.
 */
export function prepareStack(lab: Lab, stackName: string, options: { envSecret?: string } = {}): LabStack {
  const out = synthesize(lab, stackName);
  const template = JSON.parse(fs.readFileSync(path.join(out, `${stackName}.template.json`), 'utf-8'));
  const manifest = JSON.parse(fs.readFileSync(path.join(out, `${stackName}.assets.json`), 'utf-8'));
  const resources: Record<string, any> = template.Resources;
  const sub = (s: string) => s.replace('${AWS::AccountId}', ACCOUNT).replace('${AWS::Region}', REGION).replace('${AWS::Partition}', 'aws');

  const assets = Object.values<any>(manifest.files).map(file => {
    const destination: any = Object.values(file.destinations)[0];
    return { key: destination.objectKey, path: path.join(out, file.source.path), packaging: file.source.packaging ?? 'file', bucket: sub(destination.bucketName) };
  });
  const secrets: Array<{ name: string; value: string }> = [];
  const secretIds = Object.keys(resources).filter(id => resources[id].Type === 'AWS::SecretsManager::Secret');
  for (const id of secretIds) {
    const value = id.startsWith('LockAuthToken') ? lab.services.redisToken
      : id.includes('DatabaseSecret') ? JSON.stringify(DATABASE_SECRET)
        : `lab value of ${id}`;
    secrets.push({ name: `${stackName}/${id}`, value });
  }
  // Secrets the examples import by name (created by hand once, as their README says).
  if (stackName === 'Kwizly') {
    secrets.push({ name: 'kwizly/env', value: options.envSecret ?? KWIZLY_ENV_SECRET });
    secrets.push({ name: 'kwizly/deploy-key', value: lab.services.deployKey });
  }
  if (stackName === 'Buycycle') secrets.push({ name: 'buycycle/deploy-key', value: lab.services.deployKey });
  const arns = lab.seed({ region: REGION, bucket: assets[0]?.bucket, assets, secrets });

  const refs: Record<string, string> = {};
  const attributes: Record<string, string> = {};
  for (const [id, resource] of Object.entries(resources)) {
    switch (resource.Type) {
      case 'AWS::SecretsManager::Secret': refs[id] = arns[`${stackName}/${id}`]; break;
      case 'AWS::EFS::FileSystem': refs[id] = `fs-0${id.toLowerCase().replace(/[^a-f0-9]/g, '').slice(0, 16).padEnd(16, '0')}`; break;
      case 'AWS::EFS::AccessPoint': refs[id] = `fsap-0${id.toLowerCase().replace(/[^a-f0-9]/g, '').slice(0, 16).padEnd(16, '0')}`; break;
      case 'AWS::ElastiCache::ReplicationGroup':
        attributes[`${id}.PrimaryEndPoint.Address`] = LOCK_HOST;
        attributes[`${id}.PrimaryEndPoint.Port`] = '6379';
        break;
      case 'AWS::ElasticLoadBalancingV2::TargetGroup':
        refs[id] = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${id.slice(0, 20)}/0123456789abcdef`;
        break;
      case 'AWS::AutoScaling::AutoScalingGroup': refs[id] = `${stackName}-${id}`; break;
      default: break;
    }
  }
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type === 'AWS::SecretsManager::SecretTargetAttachment') refs[id] = refs[resource.Properties.SecretId.Ref];
  }
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type === 'AWS::EFS::FileSystem') lab.fileSystem(refs[id]);
  }
  const context: RenderContext = { stackName, region: REGION, account: ACCOUNT, refs, attributes };

  const tiers: Record<string, Tier> = {};
  for (const lt of launchTemplates(template)) {
    // The tier's own group: a Spot burst group (spotBurst) launches from the same template.
    const groupId = Object.keys(resources).find(id => resources[id].Type === 'AWS::AutoScaling::AutoScalingGroup' &&
      JSON.stringify(resources[id].Properties).includes(`"${lt}"`) && !resources[id].Metadata?.['cdk-web-tiers:spotBurstOf']);
    if (!groupId) throw new Error(`lab: no Auto Scaling group uses ${lt}`);
    const group = resources[groupId].Properties;
    const tgArn = group.TargetGroupARNs?.[0]?.Ref;
    const tg = tgArn ? resources[tgArn].Properties : undefined;
    const name = lt.replace(/FleetLaunchTemplate.*/, '');
    tiers[name] = {
      launchTemplateId: lt,
      groupId,
      userData: renderUserData(template, lt, context),
      mixedInstances: group.MixedInstancesPolicy !== undefined,
      targetGroup: tg ? { id: tgArn, arn: refs[tgArn], path: tg.HealthCheckPath, port: tg.Port, healthyThreshold: tg.HealthyThresholdCount } : undefined,
    };
  }
  return { template, tiers, context };
}

/** The value of `Name=value` in a systemd `show` output. */
export function showValue(output: string, name: string): string {
  const line = output.split('\n').find(l => l.startsWith(`${name}=`));
  return line ? line.slice(name.length + 1) : '';
}

export { GIT_HOST };
