/**
 * The deploy-rules pack on what we ship and on a planted app (issue 17, done-when): the examples
 * and the delivery pipeline's stages are clean; a plain aws-cdk-lib app with one of each blocker
 * gets every blocker named, with the construct path of the resource.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildExamplesApp } from '../../bin/app';
import { synthesizeStacks, templateAcks } from '../../scripts/validate/assembly';
import { loadCloudAssembly } from '../../scripts/validate/cloud-assembly';
import { DEPLOY_RULES, runDeployRules } from '../../scripts/validate/deploy-rules';
import { IamDbAuthWithoutGrant } from '../../scripts/validate/deploy-rules/rules/iam-db-auth-without-grant';
import { StackInfo } from '../../scripts/validate/model';
import { PLANTED, buildPlantedApp } from './fixtures/planted-app';

describe('the examples and the pipeline\'s stages', () => {
  const stacks: StackInfo[] = synthesizeStacks(buildExamplesApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'examples-pack-')) }));
  const result = runDeployRules(stacks, templateAcks(stacks));
  const found = (f: { stack: string; constructPath: string; rule: string }) => `${f.stack} ${f.constructPath} ${f.rule}`;

  test('every stack, stages included, is checked', () => {
    expect(stacks.map((s) => s.name).sort()).toEqual([
      'Buycycle', 'BuycycleHybrid', 'Development/Kwizly', 'KarmaLabs', 'Kwizly', 'KwizlyDelivery', 'Production/Kwizly', 'RunTheWorld', 'Staging/Kwizly',
    ]);
  });

  test('no finding and no acknowledgement problem on any example, Buycycle\'s warm pool included (it sits on an On-Demand group with an explicit size)', () => {
    expect(result.findings.map(found)).toEqual([]);
    expect(result.problems).toEqual([]);
  });

  test('Run The World: IAM database authentication with an rds-db:connect grant (it had none)', () => {
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrdsiamauthentication.html: connect
    // "Allows IAM role or user to connect to RDS database"; IAM authentication with no such grant is used by nobody.
    const rtw = stacks.filter((s) => s.name === 'RunTheWorld');
    const db = Object.values(rtw[0].template.Resources ?? {}).filter((r) => r.Type === 'AWS::RDS::DBCluster');
    expect(db.map((r) => r.Properties?.EnableIAMDatabaseAuthentication)).toEqual([true]);
    expect(runDeployRules(rtw, [], { rules: [IamDbAuthWithoutGrant] }).findings).toEqual([]);
  });

  test('Kwizly and its three stages do not follow the latest Amazon Linux at every deploy: the image id is a parameter the operators set', () => {
    for (const s of stacks.filter((x) => /(^|\/)Kwizly$/.test(x.name))) {
      const defaults = Object.values(s.template.Parameters ?? {}).map((p) => String(p.Default));
      expect([s.name, defaults.filter((d) => d.startsWith('/aws/service/ami-amazon-linux-latest/'))]).toEqual([s.name, []]);
      expect(defaults).toContain(s.name === 'Kwizly' ? '/kwizly/base-ami' : `/kwizly/${s.name.split('/')[0].toLowerCase()}/base-ami`);
    }
  });

  test('no stack has a CloudWatch Logs resource policy of its own any more (they were one per load balancer)', () => {
    // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html: "An account can have
    // up to 10 resource policies per AWS Region."
    const policies = stacks.flatMap((s) => Object.values(s.template.Resources ?? {}).filter((r) => r.Type === 'AWS::Logs::ResourcePolicy').map(() => s.name));
    expect(policies).toEqual([]);
  });
});

describe('a plain aws-cdk-lib app with planted blockers (test/validate/fixtures/planted-app.ts)', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'planted-'));
  buildPlantedApp({ outdir }).synth();
  // Read back as `cdk-web-tiers validate cdk.out` does: from the cloud assembly, stages included.
  const loaded = loadCloudAssembly(outdir, fs.mkdtempSync(path.join(os.tmpdir(), 'planted-scratch-')));
  const result = runDeployRules(loaded.stacks, templateAcks(loaded.stacks), { now: new Date('2026-12-06T00:00:00Z') });

  test('the pack has a planted blocker for each of its rules', () => {
    expect(Object.keys(PLANTED).sort()).toEqual(DEPLOY_RULES.map((r) => r.id).sort());
  });

  test.each(Object.entries(PLANTED))('%s is named on %s, with its AWS document', (rule, constructPath) => {
    const hits = result.findings.filter((f) => f.rule === rule);
    expect(hits.map((f) => f.constructPath)).toContain(constructPath);
    const doc = DEPLOY_RULES.find((r) => r.id === rule)!.document;
    for (const f of hits) expect(f.message).toContain(doc);
  });

  test('the Logs policies are counted across the two stages: 12 findings, 6 per stage stack', () => {
    const hits = result.findings.filter((f) => f.rule === 'DeployRules-LogsResourcePolicyLimit');
    expect(hits.map((f) => f.stack).sort()).toEqual([...Array(6).fill('Stage1/Logs'), ...Array(6).fill('Stage2/Logs')]);
  });

  test('nothing else is reported', () => {
    const expected = new Set(Object.keys(PLANTED));
    expect(result.findings.filter((f) => !expected.has(f.rule))).toEqual([]);
  });
});
