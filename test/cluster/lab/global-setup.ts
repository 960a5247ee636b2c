import { execFileSync } from 'child_process';
import * as path from 'path';

/** Starts the cluster lab's cluster once for every test file (setup.sh has cached the binaries). */
export default function globalSetup(): void {
  const lab = path.join(__dirname);
  execFileSync('bash', [path.join(lab, 'setup.sh')], { stdio: 'inherit' });
  execFileSync('bash', [path.join(lab, 'cluster.sh'), 'start'], { stdio: 'inherit' });
}
