import * as fs from 'fs';
import * as path from 'path';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { packageRoot } from '../common/package-root';

/**
 * The joblock CLI as a CDK asset: one JavaScript file that instances run with Node.js.
 *
 * From a source checkout it is bundled at synth time by esbuild (no Docker); a published package
 * ships the bundle prebuilt in `runtime/dist/joblock.js`.
 */
export function joblockCliAsset(scope: Construct, id: string): s3assets.Asset {
  const root = packageRoot();
  const source = path.join(root, 'runtime', 'joblock', 'src', 'cli.ts');
  if (!fs.existsSync(source)) {
    return new s3assets.Asset(scope, id, { path: path.join(root, 'runtime', 'dist', 'joblock.js') });
  }
  return new s3assets.Asset(scope, id, {
    path: path.join(root, 'runtime', 'joblock'),
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never used: local bundling below always succeeds or throws.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:20'),
      local: {
        tryBundle(outputDir: string): boolean {
          bundleJoblockCli(source, path.join(outputDir, 'joblock.js'));
          return true;
        },
      },
    },
  });
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
