/**
 * Checks for classes of input that synthesize fine but that AWS or systemd reject later (at
 * deploy, at boot, or never firing at all). Each throws through `invalid()`, so the message names
 * the construct, the prop, the value and the fix. Values that are still tokens are skipped.
 */
import { Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { invalid } from './validation';

/** An IANA time zone that the tz database knows (what systemd and Auto Scaling accept). */
export function checkTimeZone(scope: IConstruct, prop: string, timeZone: string | undefined): void {
  if (timeZone === undefined || Token.isUnresolved(timeZone)) return;
  let known = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/.test(timeZone);
  if (known) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone });
    } catch {
      known = false;
    }
  }
  if (!known) {
    invalid(scope, 'CWT103', prop, timeZone, "It is not a time zone of the IANA tz database: use a name such as 'UTC', 'Europe/Paris' or 'America/New_York'.");
  }
}

/** A load balancer host header condition: up to 128 characters of A-Z, a-z, 0-9, '-', '.', '*' and '?'. */
export function checkHostHeader(scope: IConstruct, prop: string, host: string): void {
  if (Token.isUnresolved(host)) return;
  if (!/^[A-Za-z0-9*?.-]{1,128}$/.test(host) || host.startsWith('.') || host.includes('..')) {
    invalid(scope, 'CWT104', prop, host, "A host header condition is a host name (up to 128 characters: letters, digits, '-', '.', and the wildcards '*' and '?'), without scheme, port or path: for example 'api.example.com' or '*.example.com'.");
  }
}

/** A load balancer path pattern condition: starts with '/', up to 128 characters the load balancer accepts. */
export function checkPathPattern(scope: IConstruct, prop: string, pattern: string): void {
  if (Token.isUnresolved(pattern)) return;
  if (!/^\/[A-Za-z0-9_\-.$/~"'@:+&*?]{0,127}$/.test(pattern)) {
    invalid(scope, 'CWT105', prop, pattern, "A path pattern starts with '/' and has up to 128 characters among letters, digits, _ - . $ / ~ \" ' @ : + & and the wildcards * and ?, without spaces or a query string: for example '/api/*'.");
  }
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * True when no date matches a day-of-month list within a month list (for example 31 February):
 * such a schedule never fires. `undefined` means every value.
 */
export function neverFires(daysOfMonth: readonly number[] | undefined, months: readonly number[] | undefined): boolean {
  if (daysOfMonth === undefined) return false;
  const smallestDay = Math.min(...daysOfMonth);
  return (months ?? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]).every((m) => smallestDay > DAYS_IN_MONTH[m - 1]);
}

/** A certificate given by a literal ARN must be in the region of the stack that uses it (ACM certificates are regional). */
export function checkCertificateRegion(scope: IConstruct, prop: string, certificate: acm.ICertificate | undefined): void {
  if (!certificate || Token.isUnresolved(certificate.certificateArn)) return;
  const region = Stack.of(scope).region;
  const match = /^arn:[a-z-]+:acm:([a-z0-9-]+):/.exec(certificate.certificateArn);
  if (!match || Token.isUnresolved(region) || match[1] === region) return;
  invalid(scope, 'CWT106', prop, certificate.certificateArn,
    `The certificate is in ${match[1]} but the stack deploys to ${region}; a load balancer can only use an ACM certificate of its own region: request or import it in ${region}.`);
}

/**
 * A feature attached to a tier (a lock, uploads) must be in the tier's VPC: security group rules
 * between two VPCs fail at deploy, and the mount or connection would fail at boot.
 */
export function checkSameVpc(feature: IConstruct & { readonly vpc: ec2.IVpc }, tier: IConstruct & { readonly vpc: ec2.IVpc }, prop: string): void {
  const a = feature.vpc;
  const b = tier.vpc;
  if (!a || !b || a === b) return;
  const idOf = (vpc: ec2.IVpc) => JSON.stringify(Stack.of(vpc).resolve(vpc.vpcId));
  if (idOf(a) === idOf(b)) return;
  invalid(feature, 'CWT107', prop, tier.node.path,
    `${tier.node.path} runs in VPC ${b.node.path} but ${feature.node.path} is in VPC ${a.node.path}: create ${feature.node.id} with the tier's vpc.`);
}
