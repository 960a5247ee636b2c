import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { packageRoot } from '../common/package-root';

/**
 * The joblock CLI as a CDK asset: one JavaScript file that instances run with Node.js.
 *
 * It must be a single-file asset: a directory asset is uploaded as a zip, which `node` cannot run.
 * A published package ships the bundle prebuilt in `runtime/dist/joblock.js`; from a source
 * checkout it is bundled at synth time by esbuild (no Docker) into a cache folder named after the
 * sources' hash, so the same sources always give the same file and the same asset hash.
 */
export function joblockCliAsset(scope: Construct, id: string): s3assets.Asset {
  return new s3assets.Asset(scope, id, { path: joblockBundlePath() });
}

let bundled: string | undefined;

/** The path of the one-file joblock bundle, building it from the sources when there are any. @internal */
export function joblockBundlePath(): string {
  if (bundled) return bundled;
  const root = packageRoot();
  const sourceDir = path.join(root, 'runtime', 'joblock', 'src');
  if (!fs.existsSync(sourceDir)) {
    bundled = path.join(root, 'runtime', 'dist', 'joblock.js');
    return bundled;
  }
  const hash = crypto.createHash('sha256');
  for (const file of fs.readdirSync(sourceDir).sort()) {
    hash.update(file).update(fs.readFileSync(path.join(sourceDir, file)));
  }
  const outfile = path.join(os.tmpdir(), 'cdk-web-tiers-joblock', hash.digest('hex').slice(0, 16), 'joblock.js');
  if (!fs.existsSync(outfile)) {
    // Written under a temporary name first: parallel synths never see a half-written bundle.
    const partial = `${outfile}.${process.pid}.tmp`;
    bundleJoblockCli(path.join(sourceDir, 'cli.ts'), partial);
    fs.renameSync(partial, outfile);
  }
  bundled = outfile;
  return bundled;
}

/** Bundles the CLI into one file with esbuild (also run by `npm pack`, see scripts/bundle-joblock.ts). */
export function bundleJoblockCli(entry: string, outfile: string): void {
  let esbuild: { buildSync(options: Record<string, unknown>): unknown };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    esbuild = require('esbuild');
  } catch {
    throw new Error('cdk-web-tiers: bundling the joblock CLI needs esbuild (npm install --save-dev esbuild).');
  }
  fs.mkdirSync(path.dirname(outfile), { recursive: true });
  esbuild.buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    logLevel: 'error',
  });
}
