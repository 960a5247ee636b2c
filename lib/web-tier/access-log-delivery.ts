import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Names, Stack } from 'aws-cdk-lib';
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
    const stack = Stack.of(this);
    allowLogGroupsToUseKey(props.encryptionKey);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.retention,
      encryptionKey: props.encryptionKey,
    });
    // The log delivery service writes on behalf of this account's delivery sources only.
    const grant = this.logGroup.grantWrite(new iam.PrincipalWithConditions(new iam.ServicePrincipal('delivery.logs.amazonaws.com'), {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'logs', resource: '*' }) },
    }));

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
    grant.applyBefore(destination);
    const delivery = new logs.CfnDelivery(this, 'Delivery', {
      deliverySourceName: name,
      deliveryDestinationArn: destination.attrArn,
    });
    delivery.node.addDependency(source);
  }
}
