/**
 * The library as users get it from npm: compiled JavaScript under build/lib, the boot step files
 * and the prebuilt joblock bundle under runtime/, and no TypeScript sources. It must find its
 * runtime files from there and ship the prebuilt bundle (users need no esbuild).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundleJoblockCli } from '../lib/lock/joblock-cli-asset';

const repo = path.join(__dirname, '..');

function publishedLayout(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-web-tiers-pkg-'));
  fs.copyFileSync(path.join(repo, 'package.json'), path.join(dir, 'package.json'));
  // Compile lib/ the way jsii does (CommonJS, ES2022) into build/lib.
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '--outDir', path.join(dir, 'build'), '--rootDir', repo,
    '--target', 'ES2022', '--module', 'commonjs', '--moduleResolution', 'node', '--esModuleInterop', '--skipLibCheck',
    '--experimentalDecorators', '--types', 'node', path.join(repo, 'lib', 'index.ts')]);
  fs.cpSync(path.join(repo, 'runtime', 'boot'), path.join(dir, 'runtime', 'boot'), { recursive: true });
  bundleJoblockCli(path.join(repo, 'runtime', 'joblock', 'src', 'cli.ts'), path.join(dir, 'runtime', 'dist', 'joblock.js'));
  fs.mkdirSync(path.join(dir, 'runtime', 'joblock', 'bin'), { recursive: true });
  fs.copyFileSync(path.join(repo, 'runtime', 'joblock', 'bin', 'joblock.js'), path.join(dir, 'runtime', 'joblock', 'bin', 'joblock.js'));
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

describe('the published package layout', () => {
  const dir = publishedLayout();

  test('has no TypeScript sources of the runtime', () => {
    expect(fs.existsSync(path.join(dir, 'runtime', 'joblock', 'src'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'build', 'lib', 'index.js'))).toBe(true);
  });

  test('synthesizes a stack that uses the boot files and the prebuilt joblock bundle', () => {
    const script = `
      const cdk = require('aws-cdk-lib');
      const elbv2 = require('aws-cdk-lib/aws-elasticloadbalancingv2');
      const lib = require(${JSON.stringify(path.join(dir, 'build', 'lib', 'index.js'))});
      const app = new cdk.App({ outdir: ${JSON.stringify(path.join(dir, 'cdk.out'))} });
      const stack = new cdk.Stack(app, 'Consumer', { env: { region: 'eu-west-1' } });
      const network = new lib.TierNetwork(stack, 'Net');
      const web = new lib.StatelessWebTier(stack, 'Web', { vpc: network.vpc, protocol: elbv2.ApplicationProtocol.HTTP,
        source: lib.AppSource.fromGitRepository({ repository: 'https://github.com/acme/app.git', startCommand: 'npm start' }) });
      web.addScheduledJob('cleanup', { schedule: '0 3 * * *', command: 'true', jobLock: new lib.JobLock(stack, 'Lock', { vpc: network.vpc }) });
      const assembly = app.synth();
      console.log(JSON.stringify(Object.values(JSON.parse(require('fs').readFileSync(assembly.directory + '/Consumer.assets.json', 'utf-8')).files).map(f => f.source)));
    `;
    const sources: Array<{ path: string; packaging: string }> = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf-8' }).trim().split('\n').pop()!);
    const cdkOut = path.join(dir, 'cdk.out');
    const joblock = sources.find(s => s.packaging === 'file' && s.path.endsWith('.js'));
    expect(joblock).toBeDefined();
    expect(fs.readFileSync(path.join(cdkOut, joblock!.path), 'utf-8')).toBe(fs.readFileSync(path.join(dir, 'runtime', 'dist', 'joblock.js'), 'utf-8'));
    const bootFiles = sources.find(s => s.packaging === 'zip' && fs.existsSync(path.join(cdkOut, s.path, 'prelude.sh')));
    expect(bootFiles).toBeDefined();
  });

  test('the joblock bin runs the prebuilt bundle', () => {
    const help = execFileSync(process.execPath, [path.join(dir, 'runtime', 'joblock', 'bin', 'joblock.js'), '--help'], { encoding: 'utf-8' });
    expect(help).toMatch(/^Usage: joblock run --name NAME/);
  });
});
