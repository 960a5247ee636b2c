import * as iam from 'aws-cdk-lib/aws-iam';
import { bootFile } from '../fleet/boot-script';
import { BootPhase } from '../fleet/boot-step';
import { FLEET_TAG, Fleet } from '../fleet/fleet';
import { ResolvedHealthCheck } from './web-tier-health';

/**
 * Liveness on the instance: the health reporter (also used by SingletonWorker) reports the
 * instance unhealthy to Auto Scaling when the app process stops answering, busy or not.
 */
export function addLivenessReporter(fleet: Fleet, health: ResolvedHealthCheck, appPort: number): void {
  const port = health.port ?? appPort;
  const command = health.livenessPath === undefined
    ? `bash -c '</dev/tcp/127.0.0.1/${port}'`
    : `curl -fsS -o /dev/null --max-time 20 http://127.0.0.1:${port}${health.livenessPath}`;
  fleet.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'ReportOwnLiveness',
    actions: ['autoscaling:SetInstanceHealth'],
    resources: ['*'],
    conditions: { StringEquals: { [`autoscaling:ResourceTag/${FLEET_TAG}`]: fleet.node.addr } },
  }));
  // After wait-for-http (same phase, added later): the reporter starts once the app answered.
  fleet.addBootStep({
    name: 'liveness-reporter',
    phase: BootPhase.SIGNAL,
    script: bootFile('health-reporter.sh'),
    environment: {
      HEALTH_COMMAND: command,
      HEALTH_TIMEOUT_SECONDS: '20',
      HEALTH_INTERVAL_SECONDS: '30',
      HEALTH_FAILURE_THRESHOLD: '3',
      // After a reboot the app gets the same grace as a new instance.
      HEALTH_BOOT_GRACE_SECONDS: String(health.gracePeriod.toSeconds()),
    },
  });
}
