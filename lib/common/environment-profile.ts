import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { acknowledgeFindings } from './acknowledge';
import { checkOptions, invalid } from './validation';
import { invalidInput, TierValidationError } from './errors';

/**
 * What an environment profile sets. Every value is a default: a prop given to a construct always wins.
 */
export interface EnvironmentProfileProps {
  /** Name shown in warnings and pipeline stages, for example 'development'. Lower-case letters, digits and dashes. */
  readonly name: string;
  /**
   * Deletion protection of load balancers (and of databases in the examples).
   *
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * One NAT gateway shared by every zone of a `TierNetwork`, instead of one per zone (about
   * $32 a month each): the private subnets of every zone lose outbound access when its zone fails.
   *
   * @default false
   */
  readonly sharedNatGateway?: boolean;
  /**
   * A replica with automatic failover for every `JobLock`.
   *
   * @default true
   */
  readonly lockFailover?: boolean;
  /**
   * AWS Backup of every `SharedUploads` file system.
   *
   * @default true
   */
  readonly uploadBackups?: boolean;
  /**
   * Retention of the tiers' log groups.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Fewest instances of a `StatelessWebTier` that does not set `capacity.min`.
   *
   * @default 2
   */
  readonly webMinCapacity?: number;
  /**
   * Most instances of a `StatelessWebTier` that does not set `capacity.max`. The default leaves
   * room for a 15x spike on the two-instance minimum (`npm run bench:spike`).
   *
   * @default 20
   */
  readonly webMaxCapacity?: number;
  /**
   * Instance type of tiers that do not set `instanceType`.
   *
   * @default t3.small
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * E-mail addresses that receive the alarms of every stack with this profile (its
   * `TierNotifications`), for example the team's on-call list in production and the developers'
   * list in development.
   *
   * @default - none
   */
  readonly alarmEmails?: string[];
  /**
   * Whether a delivery pipeline must ask a person before it deploys a stage with this profile.
   *
   * @default false
   */
  readonly requiresApproval?: boolean;
  /**
   * Whether a delivery pipeline runs the spike load test against a stage with this profile.
   *
   * @default false
   */
  readonly loadTest?: boolean;
  /**
   * Whether a delivery pipeline checks, with the spike simulator, that the web tiers of a stage with
   * this profile absorb the pipeline's spike before deploying it.
   *
   * @default true
   */
  readonly spikeGate?: boolean;
}

/**
 * Development, staging or production defaults for every cdk-web-tiers construct below a `Stage`
 * or `Stack`: sizes, deletion protection, NAT gateways per zone, lock failover, backups, log
 * retention. Attach one with `profile.applyTo(stage)` before creating the constructs (or pass
 * `-c cdk-web-tiers:profile=development` for the whole app); a construct with no profile above it
 * uses production, which are the library's own defaults. Explicit props always win.
 *
 * A risky choice that a profile makes (a development stack shares one NAT gateway) still shows as a
 * warning that names the profile, acknowledged by the profile rather than by hand.
 */
export class EnvironmentProfile {
  /** Small and cheap: one instance (up to 2), one NAT gateway, no failover, no backups, no deletion protection, a month of logs, no spike gate. */
  public static development(): EnvironmentProfile {
    return new EnvironmentProfile({
      name: 'development',
      deletionProtection: false,
      sharedNatGateway: true,
      lockFailover: false,
      uploadBackups: false,
      logRetention: logs.RetentionDays.ONE_MONTH,
      webMinCapacity: 1,
      webMaxCapacity: 2,
      spikeGate: false,
    });
  }

  /**
   * Shaped like production, so that load tests mean something, but disposable: no deletion
   * protection, no backups, three months of logs. The delivery pipeline load-tests it.
   */
  public static staging(): EnvironmentProfile {
    return new EnvironmentProfile({
      name: 'staging',
      deletionProtection: false,
      uploadBackups: false,
      logRetention: logs.RetentionDays.THREE_MONTHS,
      loadTest: true,
    });
  }

  /** The library's defaults: deletion protection, a NAT gateway per zone, failover, backups, a year of logs; deployed after an approval. */
  public static production(): EnvironmentProfile {
    return new EnvironmentProfile({ name: 'production', requiresApproval: true });
  }

  /** A profile of your own; unset values are production's. */
  public static custom(props: EnvironmentProfileProps): EnvironmentProfile {
    checkOptions(undefined, 'EnvironmentProfile.custom(props)', props, { name: 'string!', deletionProtection: 'boolean', sharedNatGateway: 'boolean', lockFailover: 'boolean', uploadBackups: 'boolean', logRetention: 'number', webMinCapacity: 'number', webMaxCapacity: 'number', instanceType: 'object', alarmEmails: 'array', requiresApproval: 'boolean', loadTest: 'boolean', spikeGate: 'boolean' });
    return new EnvironmentProfile(props);
  }

  /** The profile by its name: 'development', 'staging' or 'production'. */
  public static named(name: string): EnvironmentProfile {
    checkOptions(undefined, 'EnvironmentProfile.named', { name }, { name: 'string!' });
    switch (name) {
      case 'development': return EnvironmentProfile.development();
      case 'staging': return EnvironmentProfile.staging();
      case 'production': return EnvironmentProfile.production();
      default:
        return invalidInput('CWT144', 'profile name', name, "Use 'development', 'staging' or 'production', or EnvironmentProfile.custom({...}).");
    }
  }

  /**
   * The profile that applies to a construct: the nearest one attached to it or a scope above it,
   * else the `cdk-web-tiers:profile` context value, else production.
   */
  public static of(scope: IConstruct): EnvironmentProfile {
    // The nearest scope's context wins: a profile applied to a Stage, else the app's -c value.
    const named = scope.node.tryGetContext(PROFILE_CONTEXT_KEY);
    if (named instanceof EnvironmentProfile) return named;
    if (named !== undefined) {
      try {
        return EnvironmentProfile.named(String(named));
      } catch {
        return invalid(scope, 'CWT110', `context ${PROFILE_CONTEXT_KEY}`, named, "Use 'development', 'staging' or 'production'.");
      }
    }
    return PRODUCTION;
  }

  /** Name shown in warnings and pipeline stages. */
  public readonly name: string;
  /** Deletion protection of load balancers and databases. */
  public readonly deletionProtection: boolean;
  /** One NAT gateway for every zone. */
  public readonly sharedNatGateway: boolean;
  /** Failover replica for job locks. */
  public readonly lockFailover: boolean;
  /** AWS Backup of shared uploads. */
  public readonly uploadBackups: boolean;
  /** Retention of the tiers' log groups. */
  public readonly logRetention: logs.RetentionDays;
  /** Default fewest instances of a web tier. */
  public readonly webMinCapacity: number;
  /** Default most instances of a web tier. */
  public readonly webMaxCapacity: number;
  /** Default instance type. */
  public readonly instanceType: ec2.InstanceType;
  /** Addresses that receive the alarms of the stacks with this profile. */
  public readonly alarmEmails: string[];
  /** A pipeline asks a person before deploying this stage. */
  public readonly requiresApproval: boolean;
  /** A pipeline load-tests this stage. */
  public readonly loadTest: boolean;
  /** A pipeline checks this stage's web tiers against its spike. */
  public readonly spikeGate: boolean;

  private readonly props: EnvironmentProfileProps;

  private constructor(props: EnvironmentProfileProps) {
    this.props = props;
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(props.name)) {
      invalidInput('CWT145', 'EnvironmentProfile name', props.name, "Use lower-case letters, digits and dashes, for example 'qa'.");
    }
    this.name = props.name;
    this.deletionProtection = props.deletionProtection ?? true;
    this.sharedNatGateway = props.sharedNatGateway ?? false;
    this.lockFailover = props.lockFailover ?? true;
    this.uploadBackups = props.uploadBackups ?? true;
    this.logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    this.webMinCapacity = props.webMinCapacity ?? 2;
    this.webMaxCapacity = props.webMaxCapacity ?? 20;
    this.instanceType = props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.SMALL);
    this.alarmEmails = props.alarmEmails ?? [];
    this.requiresApproval = props.requiresApproval ?? false;
    this.loadTest = props.loadTest ?? false;
    this.spikeGate = props.spikeGate ?? true;
    if (!Number.isInteger(this.webMinCapacity) || this.webMinCapacity < 1 || !Number.isInteger(this.webMaxCapacity) || this.webMaxCapacity < this.webMinCapacity) {
      throw new TierValidationError('CWT146', '', `EnvironmentProfile ${this.name} capacity`, `min ${this.webMinCapacity}, max ${this.webMaxCapacity}`, 'Use whole numbers with 1 ≤ webMinCapacity ≤ webMaxCapacity.');
    }
  }

  /**
   * The same profile, with the addresses that receive the alarms of its stacks:
   * `EnvironmentProfile.production().withAlarmEmails(['oncall@example.com'])`.
   */
  public withAlarmEmails(emails: string[]): EnvironmentProfile {
    checkOptions(undefined, 'EnvironmentProfile.withAlarmEmails', { emails }, { emails: 'array!' });
    return new EnvironmentProfile({ ...this.props, alarmEmails: emails });
  }

  /**
   * Makes this the profile of every cdk-web-tiers construct below `scope` (a Stage or a Stack):
   * it is kept in the scope's context (`cdk-web-tiers:profile`), which a construct can only be given
   * before it has children. Call it first thing in the Stage's (or Stack's) constructor.
   */
  public applyTo(scope: IConstruct): void {
    checkOptions(undefined, 'EnvironmentProfile.applyTo', { scope }, { scope: 'object!' });
    const own = scope.node.tryGetContext(PROFILE_CONTEXT_KEY);
    const inherited = scope.node.scope?.node.tryGetContext(PROFILE_CONTEXT_KEY);
    if (own instanceof EnvironmentProfile && own !== inherited && own !== this) {
      invalid(scope, 'CWT111', 'EnvironmentProfile.applyTo(scope)', this.name, `It already has the ${own.name} profile: give each Stage or Stack one profile.`);
    }
    if (scope.node.children.length > 0) {
      invalid(scope, 'CWT112', 'EnvironmentProfile.applyTo(scope)', this.name,
        `Constructs already exist below it and took their defaults (${scope.node.children.map(c => c.node.id).join(', ')}): apply the profile right after creating the Stage or Stack (first thing in its constructor).`);
    }
    scope.node.setContext(PROFILE_CONTEXT_KEY, this);
  }

  /**
   * Reports a risky choice that this profile made: the warning is acknowledged by the profile
   * (chosen on purpose, so `cdk synth --strict` passes), and an info message that names the
   * profile keeps it visible.
   * @internal
   */
  public _warnChosen(scope: IConstruct, id: string, message: string): void {
    const fullId = `cdk-web-tiers:${id}`;
    Annotations.of(scope).addWarningV2(fullId, message);
    Annotations.of(scope).acknowledgeWarning(fullId, `chosen by the ${this.name} environment profile`);
    Annotations.of(scope).addInfo(`${fullId}: ${message} (set by the ${this.name} profile, which acknowledges it)`);
  }

  /**
   * Acknowledges the validator findings that a choice of this profile causes on a resource, with
   * the profile named in the reason.
   * @internal
   */
  public _acknowledgeChosen(resource: IConstruct, choice: string, ...ids: string[]): void {
    acknowledgeFindings(resource, `The ${this.name} environment profile ${choice}; the production profile does not.`, ...ids);
  }
}

/** Context key that names the profile of the whole app: `cdk synth -c cdk-web-tiers:profile=development`. */
export const PROFILE_CONTEXT_KEY = 'cdk-web-tiers:profile';

const PRODUCTION = EnvironmentProfile.production();
