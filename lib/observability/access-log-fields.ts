/**
 * The fields of an Application Load Balancer access log record that CloudWatch Logs receives in
 * JSON (log type `ALB_ACCESS_LOGS`, every field is mandatory), as AWS's service specification
 * names them (the record fields of `CfnLoadBalancerAlbAccessLogs` in @aws-cdk/mixins-preview).
 */
export const ALB_ACCESS_LOG_FIELDS = [
  'type', 'time', 'elb', 'client_port', 'target_port', 'request_processing_time', 'target_processing_time',
  'response_processing_time', 'elb_status_code', 'target_status_code', 'received_bytes', 'sent_bytes', 'request_line',
  'user_agent', 'ssl_cipher', 'ssl_protocol', 'target_group_arn', 'trace_id', 'domain_name', 'chosen_cert_arn',
  'matched_rule_priority', 'request_creation_time', 'actions_executed', 'redirect_url', 'error_reason', 'target_port_list',
  'target_status_code_list', 'classification', 'classification_reason', 'conn_trace_id', 'transformed_host',
  'transformed_uri', 'request_transform_status', 'ip_address',
] as const;

/**
 * Splits `request_line` ("GET https://shop.example.com:443/cart?id=7 HTTP/2.0") into method, host
 * and path; the port and the query string are left out so that requests group by path.
 */
export const REQUEST_LINE_PATTERN = '/^(?<method>\\S+) [a-z]+:\\/\\/(?<host>[^\\/:? ]+)[^\\/? ]*(?<path>\\/[^? ]*)?/';
