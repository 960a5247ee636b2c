import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Names } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { allowLogGroupsToUseKey } from '../common/encryption';
import { checkOptions } from '../common/validation';

/**
 * Props of the {@link AccessLogDelivery}.
 * @internal
 */
export interface AccessLogDeliveryProps {
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  readonly retention: logs.RetentionDays;
  readonly encryptionKey: kms.IKey;
}

/**
 * Delivers an Application Load Balancer's access logs to an encrypted CloudWatch Logs group in
 * JSON, as CloudWatch Logs vended logs (delivery source `ALB_ACCESS_LOGS`, destination, delivery),
 * so that Logs Insights can query the path, status and latency of every request. The S3 access
 * logs stay: this is a second, shorter-lived copy.
 * @internal
 */
export class AccessLogDelivery extends Construct {
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AccessLogDeliveryProps) {
    super(scope, id);
    checkOptions(this, 'props', props, { loadBalancer: 'object!', retention: 'number!', encryptionKey: 'object!' });
    allowLogGroupsToUseKey(props.encryptionKey);
    // No AWS::Logs::ResourcePolicy of our own: those are account-level, "An account can have up to 10
    // resource policies per AWS Region" (PutResourcePolicy), and one per load balancer made the 11th
    // deploy fail. For vended logs "AWS creates or changes the resource policies associated with the log
    // group receiving the logs, if needed" (CloudWatch Logs User Guide, "Logs sent to CloudWatch Logs",
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-CloudWatchLogs.html);
    // it needs the deploying role to hold logs:PutResourcePolicy, logs:DescribeResourcePolicies and
    // logs:DescribeLogGroups (the CDK bootstrap's execution role does). That one policy lists each log
    // group until it nears its 5,120-character limit, after which CloudWatch Logs enables only groups whose
    // names start with /aws/vendedlogs/: hence the name.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/cdk-web-tiers/${Names.uniqueResourceName(this, { maxLength: 400 })}`,
      retention: props.retention,
      encryptionKey: props.encryptionKey,
    });

    // Delivery source and destination names are unique per account and region, 1-60 characters.
    const name = Names.uniqueResourceName(this, { maxLength: 60 });
    const source = new logs.CfnDeliverySource(this, 'Source', {
      name,
      logType: 'ALB_ACCESS_LOGS',
      resourceArn: props.loadBalancer.loadBalancerArn,
    });
    const destination = new logs.CfnDeliveryDestination(this, 'Destination', {
      name,
      deliveryDestinationType: 'CWL',
      destinationResourceArn: this.logGroup.logGroupArn,
      outputFormat: 'json',
    });
    const delivery = new logs.CfnDelivery(this, 'Delivery', {
      deliverySourceName: name,
      deliveryDestinationArn: destination.attrArn,
    });
    delivery.node.addDependency(source);
  }
}
