import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { ArnFormat, Names, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { allowLogGroupsToUseKey, keyFor } from '../common/encryption';
import { checkOptions } from '../common/validation';

/**
 * Props of the {@link WebFirewall}.
 * @internal
 */
export interface WebFirewallProps {
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  readonly requestsPerIpPer5Minutes: number;
  readonly logRetention: logs.RetentionDays;
  readonly encryptionKey?: kms.IKey;
}

/**
 * An AWS WAF web ACL in front of a load balancer: the AWS managed common, known-bad-inputs and
 * IP-reputation rule groups, a per-IP rate limit, and logs to an encrypted log group.
 * @internal
 */
export class WebFirewall extends Construct {
  public readonly webAcl: wafv2.CfnWebACL;
  public readonly logGroup: logs.LogGroup;
  /** The key of the WAF logs, which the load balancer's access log group shares. */
  public readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: WebFirewallProps) {
    super(scope, id);
    checkOptions(this, 'props', props, { loadBalancer: 'object!', requestsPerIpPer5Minutes: 'number!', logRetention: 'number!', encryptionKey: 'object' });
    const metricPrefix = Names.uniqueResourceName(this, { maxLength: 100 });
    const visibility = (name: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${metricPrefix}-${name}`,
    });
    const managed = (priority: number, name: string, excludedToCount: string[] = []): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ruleActionOverrides: excludedToCount.length ? excludedToCount.map(rule => ({ name: rule, actionToUse: { count: {} } })) : undefined,
        },
      },
      visibilityConfig: visibility(name),
    });

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('all'),
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: props.requestsPerIpPer5Minutes, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('rate'),
        },
        managed(1, 'AWSManagedRulesAmazonIpReputationList'),
        // Uploads are larger than the common rule set's 8 KB body limit: count those, don't block them.
        managed(2, 'AWSManagedRulesCommonRuleSet', ['SizeRestrictions_BODY']),
        managed(3, 'AWSManagedRulesKnownBadInputsRuleSet'),
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.loadBalancer.loadBalancerArn,
      webAclArn: this.webAcl.attrArn,
    });

    const key = keyFor(this, props.encryptionKey, 'LogKey', `Encrypts the WAF and access logs of ${scope.node.path}`);
    this.encryptionKey = key;
    allowLogGroupsToUseKey(key);
    // WAF only logs to groups whose name starts with aws-waf-logs-, given by an ARN without ':*'.
    const logGroupName = `aws-waf-logs-${Names.uniqueResourceName(this, { maxLength: 400 })}`;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      retention: props.logRetention,
      encryptionKey: key,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'cookie' } }],
    });
    logging.node.addDependency(this.logGroup);
  }
}
