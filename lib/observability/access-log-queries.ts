import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { REQUEST_LINE_PATTERN } from './access-log-fields';
import { checkOptions } from '../common/validation';

/**
 * Props of {@link AccessLogQueries}.
 */
export interface AccessLogQueriesProps {
  /** The log group that receives the load balancer's access logs in JSON (`TierLoadBalancer.accessLogGroup`). */
  readonly logGroup: logs.ILogGroup;
  /** Folder of the saved queries in the Logs Insights console, for example the tier's path. */
  readonly folder: string;
  /**
   * Only the requests the load balancer sent to this target group (a tier on a shared load balancer).
   *
   * @default - every request of the load balancer
   */
  readonly targetGroup?: elbv2.ITargetGroup;
}

/**
 * Saved CloudWatch Logs Insights queries over a load balancer's access logs: the slowest paths
 * (p99, average and maximum time the targets took, by host, method and path) and the top 5xx
 * paths (by status, target status and error reason), for one tier or for the whole load balancer.
 */
export class AccessLogQueries extends Construct {
  /** The log group the queries read. */
  public readonly logGroup: logs.ILogGroup;
  /** The Logs Insights query of the slowest paths, to reuse in a dashboard widget. */
  public readonly slowestPathsQuery: string;
  /** The Logs Insights query of the paths with the most 5xx answers. */
  public readonly top5xxPathsQuery: string;

  constructor(scope: Construct, id: string, props: AccessLogQueriesProps) {
    super(scope, id);
    checkOptions(this, 'props', props, { logGroup: 'object!', folder: 'string!', targetGroup: 'object' });
    this.logGroup = props.logGroup;
    const ofTier = props.targetGroup ? [`target_group_arn = "${props.targetGroup.targetGroupArn}"`] : [];
    const byPath = 'host, method, path';

    // target_processing_time is -1 when the load balancer could not send the request or the
    // target did not answer: those are 5xx, not latency.
    this.slowestPathsQuery = this.save('slowest paths', props, new logs.QueryString({
      filterStatements: ['target_processing_time >= 0', ...ofTier],
      parseStatements: [`request_line ${REQUEST_LINE_PATTERN}`],
      statsStatements: [`count(*) as requests, pct(target_processing_time, 99) as p99_seconds, avg(target_processing_time) as avg_seconds, max(target_processing_time) as max_seconds by ${byPath}`],
      sort: 'p99_seconds desc',
      limit: 25,
    }));
    // target_status_code "-" with an error_reason is a 5xx of the load balancer itself (no
    // healthy target, connection refused, timeout); a number is the app's own answer.
    this.top5xxPathsQuery = this.save('top 5xx paths', props, new logs.QueryString({
      filterStatements: ['elb_status_code >= 500', ...ofTier],
      parseStatements: [`request_line ${REQUEST_LINE_PATTERN}`],
      statsStatements: [`count(*) as errors by elb_status_code, target_status_code, error_reason, ${byPath}`],
      sort: 'errors desc',
      limit: 25,
    }));
  }

  private save(name: string, props: AccessLogQueriesProps, query: logs.QueryString): string {
    new logs.QueryDefinition(this, name.replace(/[^A-Za-z0-9]/g, ''), {
      queryDefinitionName: `${props.folder}/${name}`.slice(0, 255),
      queryString: query,
      logGroups: [props.logGroup],
    });
    return query.toString();
  }
}
