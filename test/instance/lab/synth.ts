// The lab's CDK app: one example stack as bin/app.ts builds it, with the Kwizly and Buycycle
// repositories pointed at the lab's git server (and its pinned host key), plus, for Kwizly, one
// lab-only job that runs every minute so that the lab can watch ticks. Buycycle builds from git in
// the lab (its pre-baked image does not exist here) so that leaving the warm pool has code to pull.
// Usage: tsx synth.ts OUTDIR KNOWN_HOSTS_LINE STACK
import { App, Duration } from 'aws-cdk-lib';
import { BuycycleStack } from '../../../examples/buycycle';
import { KarmaLabsStack } from '../../../examples/karma-labs';
import { KwizlyStack } from '../../../examples/kwizly';
import { APP_REPOSITORIES, repositoryUrl } from './lab';

function main(): void {
  const [outdir, knownHosts, stack] = process.argv.slice(2);
  const app = new App({ outdir });
  const env = { region: 'us-east-1' };
  switch (stack) {
    case 'KarmaLabs':
      new KarmaLabsStack(app, 'KarmaLabs', { env });
      break;
    case 'Kwizly': {
      const kwizly = new KwizlyStack(app, 'Kwizly', { env, repository: repositoryUrl(APP_REPOSITORIES.Kwizly), sshKnownHosts: knownHosts });
      kwizly.web.addScheduledJob('lab-tick', {
        schedule: '* * * * *',
        command: 'echo "$(hostname) $(date -u +%FT%TZ)" >> /var/app/uploads/lab-ticks.log',
        jobLock: kwizly.lock,
        ttl: Duration.seconds(50),
      });
      break;
    }
    case 'Buycycle':
      new BuycycleStack(app, 'Buycycle', { env, deletionProtection: false, repository: repositoryUrl(APP_REPOSITORIES.Buycycle), sshKnownHosts: knownHosts });
      break;
    default:
      throw new Error(`synth.ts: the lab has no stack ${stack}`);
  }
  app.synth();
}

if (require.main === module) main();
