import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The k6 binary: on PATH, or in GOPATH/bin where `scripts/ensure-test-tools.sh` installs it
 * (`go install go.k6.io/k6@v1.8.1`).
 */
export function k6Binary(): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, 'k6'))) return path.join(dir, 'k6');
  }
  const gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf-8' }).trim();
  const bin = path.join(gopath, 'bin', 'k6');
  if (!fs.existsSync(bin)) throw new Error(`k6 is not installed: run bash scripts/ensure-test-tools.sh (go install go.k6.io/k6@v1.8.1)`);
  return bin;
}
