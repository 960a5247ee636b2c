/**
 * The layers of lib/ are enforced by `npm run lint` (dependency-cruiser with .dependency-cruiser.cjs).
 * These run the same command on the repository and on small planted trees, so a rule that stopped
 * catching a back-edge or a cycle would fail here.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const repo = path.join(__dirname, '..', '..');
const depcruise = path.join(repo, 'node_modules', '.bin', 'depcruise');

function cruise(cwd: string): { status: number | null; output: string } {
  const run = spawnSync(depcruise, ['lib', '--config', path.join(repo, '.dependency-cruiser.cjs')], { cwd, encoding: 'utf-8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** A throwaway tree with a tsconfig and the given lib/ files. */
function plant(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-web-tiers-layers-'));
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs', strict: true } }));
  for (const [file, code] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), code);
  }
  return dir;
}

test('lib/ as it stands has no back-edge, sideways import or cycle', () => {
  const run = cruise(repo);
  expect(run.output).toMatch(/no dependency violations found/);
  expect(run.status).toBe(0);
});

test('back-edges, sideways imports, cycles and folders without a layer each fail', () => {
  const dir = plant({
    // The folder cycle fleet <-> lock of before: the core imported the lock feature.
    'lib/fleet/tier-base.ts': "import { JobLock } from '../lock/job-lock';\nexport const uses = JobLock;\n",
    'lib/lock/job-lock.ts': "import { BootStep } from '../fleet/boot-step';\nexport class JobLock {}\nexport type S = BootStep;\n",
    'lib/fleet/boot-step.ts': 'export interface BootStep { readonly name: string }\n',
    // Sideways between two features.
    'lib/web-tier/tier.ts': "import { cron } from '../lock/cron';\nexport const c = cron;\n",
    'lib/lock/cron.ts': 'export const cron = 1;\n',
    // A file-level cycle inside one folder (app-source <-> git-repository-source of before).
    'lib/fleet/app-source.ts': "import { git } from './git-source';\nexport const app = () => git;\n",
    'lib/fleet/git-source.ts': "import { app } from './app-source';\nexport const git = () => app;\n",
    // A folder nobody placed in a layer.
    'lib/app/app.ts': 'export const a = 1;\n',
    'lib/common/x.ts': "import { a } from '../app/app';\nexport const b = a;\n",
  });
  const run = cruise(dir);
  expect(run.status).not.toBe(0);
  expect(run.output).toMatch(/layer-fleet: lib\/fleet\/tier-base\.ts → lib\/lock\/job-lock\.ts/);
  expect(run.output).toMatch(/layer-web-tier: lib\/web-tier\/tier\.ts → lib\/lock\/cron\.ts/);
  expect(run.output).toMatch(/no-cycle: lib\/fleet\/app-source\.ts → /);
  expect(run.output).toMatch(/lib-folder-unknown: lib\/common\/x\.ts → lib\/app\/app\.ts/);
});
