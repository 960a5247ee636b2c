// The lab's CDK app: the example stacks as bin/app.ts builds them, with the Kwizly repository
// pointed at the lab's git server (and its pinned host key), plus one lab-only job that runs every
// minute so that the lab can watch ticks. Usage: tsx synth.ts OUTDIR KNOWN_HOSTS_LINE
import { App, Duration } from 'aws-cdk-lib';
import { KarmaLabsStack } from '../../../examples/karma-labs';
import { KwizlyStack } from '../../../examples/kwizly';

const [outdir, knownHosts] = process.argv.slice(2);
const app = new App({ outdir });
const env = { region: 'us-east-1' };
new KarmaLabsStack(app, 'KarmaLabs', { env });
const kwizly = new KwizlyStack(app, 'Kwizly', {
  env,
  repository: 'cwtlab-git@git.kwizly.lab:kwizly/kwizly-app.git',
  sshKnownHosts: knownHosts,
});
kwizly.web.addScheduledJob('lab-tick', {
  schedule: '* * * * *',
  command: 'echo "$(hostname) $(date -u +%FT%TZ)" >> /var/app/uploads/lab-ticks.log',
  jobLock: kwizly.lock,
  ttl: Duration.seconds(50),
});
app.synth();
