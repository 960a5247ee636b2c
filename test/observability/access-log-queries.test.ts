/**
 * The load balancer's access logs in CloudWatch Logs (vended logs, JSON) and the saved Logs
 * Insights queries over them: the slowest paths and the top 5xx paths, for the whole load
 * balancer and for each tier.
 */
import * as logs from 'aws-cdk-lib/aws-logs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { StatelessWebTier, TierLoadBalancer } from '../../lib';
import { ALB_ACCESS_LOG_FIELDS, REQUEST_LINE_PATTERN } from '../../lib/observability/access-log-fields';
import { logicalIdOf, newStack, renderIntrinsic, resource, resourcesOfType, testCertificate, testSource, testVpc } from '../helpers';

/** Two tiers on one shared load balancer, the Karma Labs way. */
function sharedLoadBalancer(lbProps: Partial<ConstructorParameters<typeof TierLoadBalancer>[2]> = {}) {
  const stack = newStack();
  const vpc = testVpc(stack);
  const lb = new TierLoadBalancer(stack, 'Lb', { vpc, certificate: testCertificate(stack), ...lbProps });
  const web = new StatelessWebTier(stack, 'Web', { vpc, source: testSource(), loadBalancer: lb });
  const api = new StatelessWebTier(stack, 'Api', { vpc, source: testSource(), loadBalancer: lb, routing: { hostHeaders: ['api.example.com'], priority: 10 } });
  return { stack, lb, web, api, t: Template.fromStack(stack) };
}

function queriesNamed(t: Template): Map<string, string> {
  const byName = new Map<string, string>();
  for (const [, r] of resourcesOfType(t, 'AWS::Logs::QueryDefinition')) {
    byName.set(r.Properties!.Name, renderIntrinsic(r.Properties!.QueryString));
  }
  return byName;
}

describe('access logs in CloudWatch Logs', () => {
  const { lb, t } = sharedLoadBalancer();
  const groupId = logicalIdOf(lb.accessLogGroup!.node.defaultChild as logs.CfnLogGroup);

  test('a vended log delivery: source ALB_ACCESS_LOGS of the load balancer, JSON into the log group', () => {
    const [[sourceId, source]] = resourcesOfType(t, 'AWS::Logs::DeliverySource');
    expect(source.Properties).toEqual({
      LogType: 'ALB_ACCESS_LOGS',
      Name: expect.stringMatching(/^[A-Za-z0-9_-]{1,60}$/),
      ResourceArn: { Ref: logicalIdOf(lb.loadBalancer.node.defaultChild as any) },
    });
    const [[destinationId, destination]] = resourcesOfType(t, 'AWS::Logs::DeliveryDestination');
    expect(destination.Properties).toEqual({
      Name: expect.stringMatching(/^[A-Za-z0-9_-]{1,60}$/),
      DeliveryDestinationType: 'CWL',
      DestinationResourceArn: { 'Fn::GetAtt': [groupId, 'Arn'] },
      OutputFormat: 'json',
    });
    const [[, delivery]] = resourcesOfType(t, 'AWS::Logs::Delivery');
    expect(delivery.Properties).toEqual({
      DeliverySourceName: source.Properties!.Name,
      DeliveryDestinationArn: { 'Fn::GetAtt': [destinationId, 'Arn'] },
    });
    // The delivery names its source by name, so it must wait for it explicitly.
    expect(delivery.DependsOn).toContain(sourceId);
  });

  test('no account-level resource policy of its own: vended log delivery creates what it needs, into a /aws/vendedlogs/ group', () => {
    // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html: "An account can have up
    // to 10 resource policies per AWS Region." One per load balancer made the 11th deploy in an account and region fail.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-CWL.html: "AWS creates or changes the
    // resource policies associated with the log group receiving the logs, if needed." When that policy nears its size limit,
    // CloudWatch Logs enables log groups whose names start with /aws/vendedlogs/ (Step Functions guide, bp-cwl.html).
    expect(resourcesOfType(t, 'AWS::Logs::ResourcePolicy')).toHaveLength(0);
    expect(resource(t, groupId).Properties!.LogGroupName).toMatch(/^\/aws\/vendedlogs\/cdk-web-tiers\/[A-Za-z0-9]+$/);
  });

  test('the log group: 30 days by default (the S3 copy is the long-term record), encrypted with the key of the WAF logs', () => {
    const group = resource(t, groupId);
    expect(group.Properties!.RetentionInDays).toBe(30);
    const waf = resource(t, logicalIdOf(lb.node.findChild('Firewall').node.findChild('Logs').node.defaultChild as logs.CfnLogGroup));
    expect(group.Properties!.KmsKeyId).toEqual(waf.Properties!.KmsKeyId);
    expect(resourcesOfType(t, 'AWS::KMS::Key').filter(([id]) => id.startsWith('Lb'))).toHaveLength(1);
    expect(group.Metadata!['cdk-web-tiers:acknowledgements']['cfn-guard']['CT.CLOUDWATCH.PR.2']).toMatch(/access log bucket \(365 days\)/);
  });

  test('without the firewall, the load balancer makes a key for the access logs alone', () => {
    const { lb: lb2, t: t2 } = sharedLoadBalancer({ webApplicationFirewall: false });
    const keys = resourcesOfType(t2, 'AWS::KMS::Key').filter(([id]) => id.startsWith('Lb'));
    expect(keys.map(([id]) => id)).toEqual([expect.stringMatching(/^LbLogKey/)]);
    const group = resource(t2, logicalIdOf(lb2.accessLogGroup!.node.defaultChild as logs.CfnLogGroup));
    expect(group.Properties!.KmsKeyId).toEqual({ 'Fn::GetAtt': [keys[0][0], 'Arn'] });
  });

  test('accessLogsCloudWatchRetention sets it; a year or more needs no acknowledgement', () => {
    const { lb: lb2, t: t2 } = sharedLoadBalancer({ accessLogsCloudWatchRetention: logs.RetentionDays.ONE_YEAR });
    const group = resource(t2, logicalIdOf(lb2.accessLogGroup!.node.defaultChild as logs.CfnLogGroup));
    expect(group.Properties!.RetentionInDays).toBe(365);
    expect(group.Metadata?.['cdk-web-tiers:acknowledgements']).toBeUndefined();
  });
});

describe('saved queries: slowest paths and top 5xx paths', () => {
  const { web, api, t } = sharedLoadBalancer();
  const queries = queriesNamed(t);
  const tgRef = (tier: StatelessWebTier) => `TOKEN_Ref_${logicalIdOf(tier.targetGroup.node.defaultChild as any)}`;

  test('for the whole load balancer and for each tier, in the tier\'s folder', () => {
    expect([...queries.keys()].filter(n => /slowest|5xx/.test(n)).sort()).toEqual([
      'Test/Api/slowest paths', 'Test/Api/top 5xx paths',
      'Test/Lb (all tiers)/slowest paths', 'Test/Lb (all tiers)/top 5xx paths',
      'Test/Web/slowest paths', 'Test/Web/top 5xx paths',
    ]);
  });

  test('a tier\'s queries keep only the requests of its target group; the load balancer\'s keep all', () => {
    expect(queries.get('Test/Web/slowest paths')).toContain(`| filter target_group_arn = "${tgRef(web)}"\n`);
    expect(queries.get('Test/Web/top 5xx paths')).toContain(`| filter target_group_arn = "${tgRef(web)}"\n`);
    expect(queries.get('Test/Api/top 5xx paths')).toContain(`| filter target_group_arn = "${tgRef(api)}"\n`);
    expect(queries.get('Test/Api/top 5xx paths')).not.toContain(tgRef(web));
    expect(queries.get('Test/Lb (all tiers)/slowest paths')).not.toContain('target_group_arn');
  });

  test('slowest paths: p99 of the time the targets took, requests the targets answered, by host, method and path', () => {
    const q = web.accessLogQueries!.slowestPathsQuery;
    expect(q).toContain('| filter target_processing_time >= 0');
    expect(q).toContain('| stats count(*) as requests, pct(target_processing_time, 99) as p99_seconds, avg(target_processing_time) as avg_seconds, ' +
      'max(target_processing_time) as max_seconds by host, method, path');
    expect(q).toMatch(/\| sort p99_seconds desc\n\| limit 25$/);
  });

  test('top 5xx paths: answers >= 500, by status, the target\'s status and the load balancer\'s error reason', () => {
    const q = web.accessLogQueries!.top5xxPathsQuery;
    expect(q).toContain('| filter elb_status_code >= 500');
    expect(q).toContain('| stats count(*) as errors by elb_status_code, target_status_code, error_reason, host, method, path');
    expect(q).toMatch(/\| sort errors desc\n\| limit 25$/);
  });

  test('every field a query reads is a field of the ALB_ACCESS_LOGS record, or one the query defines', () => {
    const keywords = new Set(['parse', 'filter', 'stats', 'sort', 'limit', 'by', 'as', 'desc', 'count', 'pct', 'avg', 'max', 'and']);
    for (const q of [web.accessLogQueries!.slowestPathsQuery, web.accessLogQueries!.top5xxPathsQuery]) {
      const withoutPattern = q.replace(REQUEST_LINE_PATTERN, '').replace(/"[^"]*"/g, '');
      const defined = new Set([...q.matchAll(/\?<(\w+)>/g), ...q.matchAll(/ as (\w+)/g)].map(m => m[1]));
      const used = new Set(withoutPattern.match(/[a-z_][a-z0-9_]*/g));
      const unknown = [...used].filter(f => !keywords.has(f) && !defined.has(f) && !(ALB_ACCESS_LOG_FIELDS as readonly string[]).includes(f));
      expect(unknown).toEqual([]);
    }
  });

  test('the request_line pattern gives method, host and path without port or query string', () => {
    // Logs Insights named groups are the same (?<name>...) syntax as JavaScript's.
    const body = REQUEST_LINE_PATTERN.slice(1, -1).replace(/\\\//g, '/');
    const re = new RegExp(body);
    const parse = (line: string) => { const g = re.exec(line)?.groups; return g && [g.method, g.host, g.path]; };
    expect(parse('GET https://shop.example.com:443/cart/items?id=7&x=1 HTTP/2.0')).toEqual(['GET', 'shop.example.com', '/cart/items']);
    expect(parse('POST http://10.0.1.25:80/api/v1/score HTTP/1.1')).toEqual(['POST', '10.0.1.25', '/api/v1/score']);
    expect(parse('GET https://api.example.com:443/ HTTP/1.1')).toEqual(['GET', 'api.example.com', '/']);
    expect(parse('GET wss://live.example.com:443/socket?token=a HTTP/1.1')).toEqual(['GET', 'live.example.com', '/socket']);
    // A malformed request (the load balancer logs "- - - ") gives no fields rather than wrong ones.
    expect(parse('- http://app-1234.eu-west-1.elb.amazonaws.com:80- -')).toEqual(['-', 'app-1234.eu-west-1.elb.amazonaws.com', undefined]);
  });

  test('the dashboard shows both queries as tables in the tier\'s section', () => {
    const [[, dashboard]] = resourcesOfType(t, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties!.DashboardBody);
    expect(body.match(/Slowest paths \(access logs\)/g)).toHaveLength(2);
    expect(body.match(/Top 5xx paths \(access logs\)/g)).toHaveLength(2);
  });

  test('about 1.4 KB per request in JSON (the cost the TierLoadBalancer documentation gives)', () => {
    // A representative record: every field of ALB_ACCESS_LOGS with a typical value.
    const values: Record<string, string> = {
      type: 'h2', time: '2026-12-01T15:36:40.123456Z', elb: 'app/Karma-LbLoadB-1A2B3C4D5E6F/0123456789abcdef',
      client_port: '203.0.113.54:52344', target_port: '10.0.1.25:8080', request_processing_time: '0.000',
      target_processing_time: '0.042', response_processing_time: '0.000', elb_status_code: '200', target_status_code: '200',
      received_bytes: '412', sent_bytes: '5230', request_line: 'GET https://app.karmalabs.example:443/reviews/8812?page=2 HTTP/2.0',
      user_agent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
      ssl_cipher: 'TLS_AES_128_GCM_SHA256', ssl_protocol: 'TLSv1.3',
      target_group_arn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/Karma-WebTarge-1A2B3C4D5E6F/0123456789abcdef',
      trace_id: 'Root=1-674c8f58-0123456789abcdef01234567', domain_name: 'app.karmalabs.example',
      chosen_cert_arn: 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
      matched_rule_priority: '10', request_creation_time: '2026-12-01T15:36:40.081000Z', actions_executed: 'waf,forward',
      redirect_url: '-', error_reason: '-', target_port_list: '10.0.1.25:8080', target_status_code_list: '200',
      classification: '-', classification_reason: '-', conn_trace_id: 'TID_0123456789abcdef0123456789abcdef',
      transformed_host: '-', transformed_uri: '-', request_transform_status: '-', ip_address: '203.0.113.54',
    };
    expect(Object.keys(values).sort()).toEqual([...ALB_ACCESS_LOG_FIELDS].sort());
    const bytes = Buffer.byteLength(JSON.stringify(values));
    expect(bytes).toBeGreaterThan(1200);
    expect(bytes).toBeLessThan(1600);
  });
});

describe('accessLogsInCloudWatch: false', () => {
  test('no delivery, no log group, no access log queries; the S3 access logs stay', () => {
    const { web, t } = sharedLoadBalancer({ accessLogsInCloudWatch: false });
    expect(resourcesOfType(t, 'AWS::Logs::DeliverySource')).toHaveLength(0);
    expect(resourcesOfType(t, 'AWS::Logs::ResourcePolicy')).toHaveLength(0);
    expect(web.accessLogQueries).toBeUndefined();
    expect([...queriesNamed(t).keys()].filter(n => /slowest|5xx/.test(n))).toEqual([]);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.enabled', Value: 'true' }]),
    });
  });

  test('with a CloudWatch retention as well fails at synth, naming both props', () => {
    expect(() => sharedLoadBalancer({ accessLogsInCloudWatch: false, accessLogsCloudWatchRetention: logs.RetentionDays.ONE_WEEK }))
      .toThrow(/accessLogsCloudWatchRetention.*7.*accessLogsInCloudWatch is false: remove one of them/s);
  });

  test('without the firewall either, the load balancer creates no key', () => {
    const { t } = sharedLoadBalancer({ accessLogsInCloudWatch: false, webApplicationFirewall: false });
    expect(resourcesOfType(t, 'AWS::KMS::Key').filter(([id]) => id.startsWith('Lb'))).toHaveLength(0);
  });
});
