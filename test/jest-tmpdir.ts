/**
 * Jest global setup and teardown: every test run writes its temporary files (CDK's cdk.out
 * folders, scripts' scratch folders) under one folder of its own, removed when the run ends.
 * Without it each `npm test` left several GB of cdk.out folders in /tmp.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const KEY = 'CDK_WEB_TIERS_TEST_TMPDIR';

export async function setup(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-web-tiers-jest-'));
  process.env[KEY] = dir;
  // Workers are started after the global setup and inherit it; os.tmpdir() reads TMPDIR.
  process.env.TMPDIR = dir;
}

export async function teardown(): Promise<void> {
  const dir = process.env[KEY];
  if (dir && path.basename(dir).startsWith('cdk-web-tiers-jest-')) fs.rmSync(dir, { recursive: true, force: true });
}
