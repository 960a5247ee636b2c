import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeFindings, compliancePacks } from '../common/acknowledge';
import { keyFor } from '../common/encryption';
import { createLogBucket } from '../common/log-bucket';
import { checkCertificateRegion } from '../common/input-checks';
import { checkInteger, checkOptions, invalid, warn } from '../common/validation';
import { EnvironmentProfile } from '../common/environment-profile';
import { AccessLogQueries } from '../observability/access-log-queries';
import { AccessLogDelivery } from './access-log-delivery';
import { WebFirewall } from './web-firewall';

/**
 * Props of a {@link TierLoadBalancer}.
 */
export interface TierLoadBalancerProps {
  /** The VPC to place the load balancer in. */
  readonly vpc: ec2.IVpc;
  /**
   * Answer from the internet (public subnets) or only inside the VPC (private subnets).
   *
   * @default true
   */
  readonly internetFacing?: boolean;
  /**
   * Subnets for the load balancer.
   *
   * @default - public subnets when internet-facing, private subnets otherwise
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Listener protocol. HTTPS (with port 80 redirecting to 443) is the default; plain HTTP only
   * when asked for explicitly, and then with a warning.
   *
   * @default elbv2.ApplicationProtocol.HTTPS
   */
  readonly protocol?: elbv2.ApplicationProtocol;
  /**
   * The ACM certificate of the HTTPS listener. Required with HTTPS.
   *
   * @default - none; an HTTPS load balancer without one fails at synth
   */
  readonly certificate?: acm.ICertificate;
  /**
   * TLS policy of the HTTPS listener.
   *
   * @default elbv2.SslPolicy.RECOMMENDED_TLS (TLS 1.3 and 1.2 only)
   */
  readonly sslPolicy?: elbv2.SslPolicy;
  /**
   * Refuse to delete the load balancer (a stack deletion fails until it is turned off).
   *
   * @default - the environment profile's deletionProtection: true, except in development and staging
   */
  readonly deletionProtection?: boolean;
  /**
   * Where access logs go. The bucket must use SSE-S3 encryption (the only kind load balancer
   * logs support) and allow the load balancer to write.
   *
   * @default - a new bucket: SSE-S3, SSL-only, versioned, public access blocked, logs expire after `accessLogsRetention`
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * How long access logs are kept in the bucket this construct creates.
   *
   * @default Duration.days(365)
   */
  readonly accessLogsRetention?: Duration;
  /**
   * Also deliver the access logs to a CloudWatch Logs group in JSON (CloudWatch Logs vended
   * logs), where the saved Logs Insights queries "slowest paths" and "top 5xx paths" read them,
   * for the whole load balancer and for each tier. A record is about 1.4 KB (34 fields), and
   * CloudWatch Logs ingestion costs $0.50 per GB: about $0.70 per million requests, plus $0.03
   * per GB-month stored.
   *
   * @default true
   */
  readonly accessLogsInCloudWatch?: boolean;
  /**
   * How long the CloudWatch Logs copy of the access logs is kept (the S3 copy keeps `accessLogsRetention`).
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly accessLogsCloudWatchRetention?: logs.RetentionDays;
  /**
   * The KMS key of the load balancer's log groups (WAF logs, access logs in CloudWatch Logs).
   *
   * @default - the stack's default key (`EncryptionKeys.setDefault`), else a new key with yearly rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * An AWS WAF web ACL in front of the load balancer: AWS managed common, known-bad-inputs and
   * IP-reputation rules, a per-IP rate limit, logs to an encrypted log group. About $10 a month
   * plus $0.60 per million requests.
   *
   * @default true
   */
  readonly webApplicationFirewall?: boolean;
  /**
   * Requests one client IP may make in any 5 minutes before the firewall blocks it (100 – 2,000,000,000).
   * Raise it when many users share one address (offices, mobile carriers).
   *
   * @default 2000
   */
  readonly requestsPerIpPer5Minutes?: number;
  /**
   * Seconds an idle connection stays open.
   *
   * @default Duration.seconds(60)
   */
  readonly idleTimeout?: Duration;
}

/**
 * An Application Load Balancer that one or more `StatelessWebTier`s share, through host- or
 * path-based listener rules.
 *
 * HTTPS with a current TLS policy and port 80 redirecting to 443, invalid header fields dropped,
 * access logs to an encrypted SSL-only bucket, deletion protection on. Requests that match no
 * tier get a 404.
 */
export class TierLoadBalancer extends Construct {
  /** The load balancer. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener that tiers add their rules to (HTTPS, or HTTP when asked for). */
  public readonly listener: elbv2.ApplicationListener;
  /** The access logs bucket, when this construct created it. */
  public readonly accessLogsBucket?: s3.Bucket;
  /** The log group that receives the access logs in JSON, unless accessLogsInCloudWatch is false. */
  public readonly accessLogGroup?: logs.ILogGroup;
  /** The AWS WAF web ACL, unless webApplicationFirewall is false. */
  public readonly webAcl?: wafv2.CfnWebACL;
  /** The listener protocol. */
  public readonly protocol: elbv2.ApplicationProtocol;
  private defaultTier?: string;
  private readonly priorities = new Map<number, string>();
  private defaultTargetGroup?: elbv2.IApplicationTargetGroup;

  constructor(scope: Construct, id: string, props: TierLoadBalancerProps) {
    super(scope, id);
    checkOptions(this, 'props', props, { vpc: 'object!', internetFacing: 'boolean', vpcSubnets: 'object', protocol: 'string', certificate: 'object', sslPolicy: 'string', deletionProtection: 'boolean', accessLogsBucket: 'object', accessLogsRetention: 'object', accessLogsInCloudWatch: 'boolean', accessLogsCloudWatchRetention: 'number', encryptionKey: 'object', webApplicationFirewall: 'boolean', requestsPerIpPer5Minutes: 'number', idleTimeout: 'object' });
    this.protocol = props.protocol ?? elbv2.ApplicationProtocol.HTTPS;
    const internetFacing = props.internetFacing ?? true;
    if (this.protocol === elbv2.ApplicationProtocol.HTTPS && !props.certificate) {
      invalid(this, 'CWT205', 'certificate', undefined,
        'An HTTPS load balancer needs an ACM certificate: pass certificate (for example acm.Certificate.fromCertificateArn(...)), ' +
        'or set protocol: elbv2.ApplicationProtocol.HTTP explicitly for plain HTTP.');
    }
    checkCertificateRegion(this, 'certificate', props.certificate);
    if (this.protocol === elbv2.ApplicationProtocol.HTTP && props.certificate) {
      invalid(this, 'CWT206', 'protocol', 'HTTP', 'A certificate was given but the protocol is HTTP: remove protocol (HTTPS is the default) or the certificate.');
    }
    if (props.idleTimeout && !props.idleTimeout.isUnresolved()) {
      checkInteger(this, 'CWT207', 'idleTimeout (seconds)', props.idleTimeout.toSeconds(), 1, 4000);
    }
    const retentionDays = (props.accessLogsRetention ?? Duration.days(365)).toDays();
    if (props.accessLogsBucket && props.accessLogsRetention) {
      invalid(this, 'CWT208', 'accessLogsRetention', props.accessLogsRetention.toHumanString(), 'It applies only to the bucket this construct creates: set the lifecycle on your own accessLogsBucket instead.');
    }
    checkInteger(this, 'CWT209', 'accessLogsRetention (days)', retentionDays, 1, 3650);
    if (Token.isUnresolved(Stack.of(this).region)) {
      invalid(this, 'CWT210', 'env.region of the stack', 'unresolved (environment-agnostic stack)',
        "Load balancer access logs are written by the region's Elastic Load Balancing account, so the stack needs a region: " +
        "give the stack env: { region: 'eu-west-1' } (the account may stay unset).");
    }

    const webApplicationFirewall = props.webApplicationFirewall ?? true;
    const requestsPerIpPer5Minutes = props.requestsPerIpPer5Minutes ?? 2000;
    checkInteger(this, 'CWT211', 'requestsPerIpPer5Minutes', requestsPerIpPer5Minutes, 100, 2_000_000_000);
    if (!webApplicationFirewall && props.requestsPerIpPer5Minutes !== undefined) {
      invalid(this, 'CWT212', 'requestsPerIpPer5Minutes', requestsPerIpPer5Minutes, 'The rate limit is a firewall rule but webApplicationFirewall is false: remove one of them.');
    }
    const accessLogsInCloudWatch = props.accessLogsInCloudWatch ?? true;
    if (!accessLogsInCloudWatch && props.accessLogsCloudWatchRetention !== undefined) {
      invalid(this, 'CWT213', 'accessLogsCloudWatchRetention', props.accessLogsCloudWatchRetention,
        'It applies to the CloudWatch Logs copy of the access logs but accessLogsInCloudWatch is false: remove one of them.');
    }
    const profile = EnvironmentProfile.of(this);
    const deletionProtection = props.deletionProtection ?? profile.deletionProtection;
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing,
      vpcSubnets: props.vpcSubnets ?? { subnetType: internetFacing ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS },
      dropInvalidHeaderFields: true,
      deletionProtection,
      idleTimeout: props.idleTimeout,
    });
    // One key for the load balancer's log groups: the firewall's (where it always was), else its own.
    let logKey: kms.IKey | undefined;
    if (webApplicationFirewall) {
      const firewall = new WebFirewall(this, 'Firewall', {
        loadBalancer: this.loadBalancer,
        requestsPerIpPer5Minutes,
        logRetention: logs.RetentionDays.ONE_YEAR,
        encryptionKey: props.encryptionKey,
      });
      this.webAcl = firewall.webAcl;
      logKey = firewall.encryptionKey;
    } else {
      warn(this, 'noWebApplicationFirewall', 'webApplicationFirewall is false: no managed rules or rate limit filter requests before they reach the instances.');
    }
    if (!deletionProtection) {
      const message = 'deletionProtection is false: a stack update or deletion can remove the load balancer and its DNS name.';
      if (props.deletionProtection === undefined) {
        profile._warnChosen(this, 'noDeletionProtection', message);
        profile._acknowledgeChosen(this.loadBalancer, 'turns deletion protection off so that the environment is deleted with its stack',
          'NIST.800.53.R5-ELBDeletionProtectionEnabled', 'HIPAA.Security-ELBDeletionProtectionEnabled', 'CT.ELASTICLOADBALANCING.PR.5');
      } else {
        warn(this, 'noDeletionProtection', message);
      }
    }

    if (props.accessLogsBucket) {
      this.loadBalancer.logAccessLogs(props.accessLogsBucket);
    } else {
      this.accessLogsBucket = createLogBucket(this, 'AccessLogs', {
        contents: 'load balancer access logs',
        sseS3Reason: 'Load balancer access logs can only be written with SSE-S3 (Elastic Load Balancing does not support SSE-KMS for log delivery).',
        retentionDays,
      });
      this.loadBalancer.logAccessLogs(this.accessLogsBucket);
    }
    if (accessLogsInCloudWatch) {
      const retention = props.accessLogsCloudWatchRetention ?? logs.RetentionDays.ONE_MONTH;
      const encryptionKey = logKey ?? keyFor(this, props.encryptionKey, 'LogKey', `Encrypts the access logs of ${this.node.path}`);
      const delivery = new AccessLogDelivery(this, 'AccessLogDelivery', { loadBalancer: this.loadBalancer, retention, encryptionKey });
      this.accessLogGroup = delivery.logGroup;
      if (retention < logs.RetentionDays.ONE_YEAR) {
        acknowledgeFindings(delivery.logGroup,
          `Keeps ${retention} days of access logs for Logs Insights queries; the same records stay in the access log bucket ` +
          `(${props.accessLogsBucket ? 'accessLogsBucket' : `${retentionDays} days`}), which is the long-term record.`,
          'CT.CLOUDWATCH.PR.2');
      }
      new AccessLogQueries(this, 'AccessLogQueries', { logGroup: delivery.logGroup, folder: `${this.node.path} (all tiers)` });
    }

    const open = internetFacing;
    if (this.protocol === elbv2.ApplicationProtocol.HTTPS) {
      this.listener = this.loadBalancer.addListener('Https', {
        protocol: elbv2.ApplicationProtocol.HTTPS,
        port: 443,
        certificates: [props.certificate!],
        sslPolicy: props.sslPolicy ?? elbv2.SslPolicy.RECOMMENDED_TLS,
        open,
        defaultAction: elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not found' }),
      });
      const redirect = this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443, open });
      acknowledgeFindings(redirect,
        'Port 80 only answers with a permanent redirect to HTTPS on 443; it serves no content, so it has no certificate.',
        ...compliancePacks('ELBv2ACMCertificateRequired'));
    } else {
      warn(this, 'plainHttp', 'protocol is HTTP: traffic between clients and the load balancer is not encrypted. Use HTTPS with an ACM certificate in production.');
      this.listener = this.loadBalancer.addListener('Http', {
        protocol: elbv2.ApplicationProtocol.HTTP,
        port: 80,
        open,
        defaultAction: elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not found' }),
      });
    }
    if (!open) {
      // An internal load balancer answers the VPC only.
      for (const port of this.protocol === elbv2.ApplicationProtocol.HTTPS ? [443, 80] : [80]) {
        this.loadBalancer.connections.allowFrom(ec2.Peer.ipv4(props.vpc.vpcCidrBlock), ec2.Port.tcp(port), 'Clients inside the VPC');
      }
    } else {
      acknowledgeFindings(this.loadBalancer,
        'An internet-facing load balancer must accept any client address on 443, and on 80, which only redirects to 443.',
        'AwsSolutions-EC23');
      if (this.protocol === elbv2.ApplicationProtocol.HTTPS) {
        acknowledgeFindings(this.loadBalancer.connections.securityGroups[0],
          'Port 80 is open to everyone only to answer with a permanent redirect to HTTPS on 443.', 'CKV_AWS_260');
      }
    }
  }

  /**
   * Saves the access log queries of one tier (its target group's requests) in the tier's folder,
   * when the access logs go to CloudWatch Logs.
   * @internal
   */
  public _addTierAccessLogQueries(tier: Construct, targetGroup: elbv2.ITargetGroup): AccessLogQueries | undefined {
    if (!this.accessLogGroup) return undefined;
    return new AccessLogQueries(tier, 'AccessLogQueries', { logGroup: this.accessLogGroup, folder: tier.node.path, targetGroup });
  }

  /**
   * Records the listener rule priority of a tier; two rules of one listener cannot share one.
   * @internal
   */
  public _registerPriority(tier: Construct, priority: number): void {
    const other = this.priorities.get(priority);
    if (other !== undefined) {
      invalid(tier, 'CWT214', 'routing.priority', priority, `${other} already uses priority ${priority} on ${this.node.path}: give each tier's rule its own priority (lower wins).`);
    }
    this.priorities.set(priority, tier.node.path);
  }

  /**
   * Makes a tier's target group the listener's default action (requests no rule matches);
   * a second default tier is an error.
   * @internal
   */
  public _setDefaultTier(tier: Construct, targetGroup: elbv2.IApplicationTargetGroup): void {
    if (this.defaultTier !== undefined) {
      invalid(tier, 'CWT215', 'routing', undefined, `${this.defaultTier} already receives the requests that match no rule of ${this.node.path}: ` +
        'give this tier routing (hostHeaders or pathPatterns, and a priority).');
    }
    this.defaultTier = tier.node.path;
    this.defaultTargetGroup = targetGroup;
    this.listener.addTargetGroups('Default', { targetGroups: [targetGroup] });
    // The 404 set at construction is a placeholder that the default tier replaces on purpose.
    Annotations.of(this.listener).acknowledgeWarning('@aws-cdk/aws-elbv2:listenerExistingDefaultActionReplaced',
      'The default tier replaces the 404 placeholder action');
  }

  /**
   * Joins a tier that brings its own target group (a KubernetesWebTier's IP target group): by a
   * host/path rule, as the default tier, or sharing the default action with the default tier by
   * weight.
   * @internal
   */
  public _addTier(tier: Construct, targetGroup: elbv2.IApplicationTargetGroup,
    routing?: { readonly hostHeaders?: string[]; readonly pathPatterns?: string[]; readonly priority: number },
    weight?: { readonly thisTier: number; readonly defaultTier: number }): AccessLogQueries | undefined {
    const queries = this._addTierAccessLogQueries(tier, targetGroup);
    if (routing) {
      const conditions: elbv2.ListenerCondition[] = [];
      if (routing.hostHeaders?.length) conditions.push(elbv2.ListenerCondition.hostHeaders(routing.hostHeaders));
      if (routing.pathPatterns?.length) conditions.push(elbv2.ListenerCondition.pathPatterns(routing.pathPatterns));
      if (conditions.length === 0) {
        invalid(tier, 'CWT216', 'routing', 'no hostHeaders and no pathPatterns', 'Give at least one host header or path pattern, or remove routing to receive every unmatched request.');
      }
      checkInteger(tier, 'CWT217', 'routing.priority', routing.priority, 1, 50000);
      this._registerPriority(tier, routing.priority);
      new elbv2.ApplicationListenerRule(tier, 'ListenerRule', { listener: this.listener, priority: routing.priority, conditions, targetGroups: [targetGroup] });
      return queries;
    }
    if (!weight) {
      this._setDefaultTier(tier, targetGroup);
      return queries;
    }
    if (!this.defaultTargetGroup) {
      invalid(tier, 'CWT218', 'weight', weight, `${this.node.path} has no default tier to share with yet: create the default tier (the one without routing) first.`);
    }
    this.listener.addAction('Default', {
      action: elbv2.ListenerAction.weightedForward([
        { targetGroup: this.defaultTargetGroup, weight: weight.defaultTier },
        { targetGroup, weight: weight.thisTier },
      ]),
    });
    this.defaultTier = `${this.defaultTier} and ${tier.node.path}`;
    return queries;
  }
}
