import * as fs from 'fs';
import * as path from 'path';

let cached: string | undefined;

/**
 * The folder of this package (where `runtime/` lives), whether the code runs from the TypeScript
 * sources (`lib/`) or from the jsii build (`build/lib/`).
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'runtime', 'boot')) || !fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cdk-web-tiers: cannot find the package's runtime/ folder above ${__dirname}`);
    dir = parent;
  }
  cached = dir;
  return dir;
}
