// Before the lab's tests: remove what a killed earlier run left behind, install the host tools
// and moto, and build the root file system once (under a lock) so that test files share it.
import { spawnSync } from 'child_process';
import * as path from 'path';

export default function globalSetup(): void {
  for (const script of ['cleanup.sh', 'setup.sh', 'rootfs.sh']) {
    const r = spawnSync('bash', [path.join(__dirname, script)], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`instance lab: ${script} failed (exit ${r.status})`);
  }
}
