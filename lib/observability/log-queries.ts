import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { checkOptions } from '../common/validation';

/**
 * Props of {@link TierLogQueries}.
 */
export interface TierLogQueriesProps {
  /** The tier's log group (streams `<instance>/boot`, `/app`, `/jobs`, `/health`, `/job-metrics`, `/journal`). */
  readonly logGroup: logs.ILogGroup;
  /** Folder of the saved queries in the Logs Insights console, for example the tier's path. */
  readonly folder: string;
}

/**
 * Saved CloudWatch Logs Insights queries over a tier's log group: boot failures with their
 * reason, the last lines of a failed boot, job tick outcomes, and errors in the app log and journal.
 * The slowest paths and top 5xx paths come from the load balancer's access logs: {@link AccessLogQueries}.
 */
export class TierLogQueries extends Construct {
  constructor(scope: Construct, id: string, props: TierLogQueriesProps) {
    super(scope, id);
    checkOptions(this, 'props', props, { logGroup: 'object!', folder: 'string!' });
    const query = (name: string, queryString: logs.QueryString) => new logs.QueryDefinition(this, name.replace(/[^A-Za-z0-9]/g, ''), {
      queryDefinitionName: `${props.folder}/${name}`.slice(0, 255),
      queryString,
      logGroups: [props.logGroup],
    });
    query('boot failures', new logs.QueryString({
      fields: ['@timestamp', '@logStream', '@message'],
      filterStatements: ['@message like /BOOT FAILED/'],
      sort: '@timestamp desc',
      limit: 100,
    }));
    query('boot log of failed steps', new logs.QueryString({
      fields: ['@timestamp', '@logStream', '@message'],
      filterStatements: ['@logStream like /\\/boot$/', '@message like /FAILED|failed|error|Error/'],
      sort: '@timestamp desc',
      limit: 200,
    }));
    query('job tick outcomes', new logs.QueryString({
      filterStatements: ['@logStream like /\\/job-metrics$/'],
      statsStatements: ['sum(Invocations) as hosts, sum(Ran) as ran, sum(Skipped) as skipped, sum(StoreUnreachable) as unreachable, sum(Failed) as failed, sum(LockLost) as lost by Job, Tick'],
      sort: 'Tick desc',
      limit: 200,
    }));
    query('app and journal errors', new logs.QueryString({
      fields: ['@timestamp', '@logStream', '@message'],
      filterStatements: ['@logStream like /\\/(app|journal)$/', '@message like /(?i)(error|exception|fatal|panic|traceback)/'],
      sort: '@timestamp desc',
      limit: 200,
    }));
  }
}
