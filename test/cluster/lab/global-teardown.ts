import { execFileSync } from 'child_process';
import * as path from 'path';

/** Stops the cluster lab's cluster (KEEP_CLUSTER_LAB=1 keeps it for a look after a failure). */
export default function globalTeardown(): void {
  if (process.env.KEEP_CLUSTER_LAB === '1') return;
  execFileSync('bash', [path.join(__dirname, 'cluster.sh'), 'stop'], { stdio: 'inherit' });
}
