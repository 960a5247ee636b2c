"""The lab's AWS endpoint: records every call, answers the calls moto lacks or the lab controls, and
forwards the rest to a moto server.

  aws_proxy.py LISTEN_HOST LISTEN_PORT MOTO_URL STATE_DIR

STATE_DIR/calls.jsonl   one JSON line per call: time, service, action, params (the tests read it)
STATE_DIR/faults.json   {"Action": [{"status": 400, "code": "Throttling", "client": "10.77.0.12"}, ...]}:
                        the first entry (for that client, if it names one) answers the next call of
                        that action instead of the normal answer, then is removed
STATE_DIR/targets.json  {"instances": {"i-...": "10.77.0.11"}, "groups": {"i-...": "group name"},
                        "targetGroups": {"arn": {"path": "/healthz", "port": 8080, "healthyThreshold": 2}},
                        "launchTemplateVersions": {"i-...": "1"},
                        "groupLaunchTemplates": {"group name": {"version": "1", "mixed": true}}}:
                        the Auto Scaling group of each instance and the launch template version it
                        was launched from (DescribeAutoScalingInstances), each group's launch template
                        version, in a MixedInstancesPolicy or not (DescribeAutoScalingGroups), and
                        the target groups DescribeTargetHealth answers for, probing like an ALB (an
                        instance not InService is not registered: "unused")
STATE_DIR/lifecycle.json {"i-...": "Pending:Wait"}: each instance's lifecycle state (default
                        Pending:Wait), written by this proxy and by the tests (under the flock of
                        lifecycle.json.lock). CompleteLifecycleAction is valid in Pending:Wait (CONTINUE:
                        InService) and Warmed:Pending:Wait (launched into a warm pool; CONTINUE:
                        Warmed:Stopped); ABANDON: Terminating. The recorded call carries the state it
                        completed ("state"). DeregisterTargets is recorded and answered.
STATE_DIR/warmpool.json {"group name": ["i-...", ...]}: the instances in each group's warm pool
                        (DescribeWarmPool answers them with their lifecycle state and launch template
                        version), written by the lab's Auto Scaling (rolling-update.ts)
STATE_DIR/stack.json    {"signalable": false}: CloudFormation is neither creating nor updating the
                        stack, so SignalResource answers that the resource "cannot be signaled", as
                        CloudFormation does (default: signalable)
TerminateInstances (EC2) is recorded and answered; the lab's Auto Scaling acts on it.
"""
import http.client
import http.server
import json
import os
import re
import socketserver
import sys
import fcntl
import threading
import time
import urllib.parse
import urllib.request
import uuid

HOST, PORT, MOTO, STATE = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
LOCK = threading.Lock()
HEALTH = {}  # (target group, instance) -> consecutive successful probes
NS = {
    'cloudformation': 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
    'autoscaling': 'http://autoscaling.amazonaws.com/doc/2011-01-01/',
    'elasticloadbalancing': 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
    'ec2': 'http://ec2.amazonaws.com/doc/2016-11-15/',
}
# Actions this proxy answers itself (moto has no SignalResource; the others must be observable).
OWN = {'SignalResource', 'CompleteLifecycleAction', 'RecordLifecycleActionHeartbeat', 'SetInstanceHealth',
       'DescribeTargetHealth', 'DescribeAutoScalingInstances', 'DescribeAutoScalingGroups', 'DeregisterTargets',
       'DescribeWarmPool', 'TerminateInstances'}


def read_json(name, default):
    try:
        with open(os.path.join(STATE, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def lifecycle(instance, change=None):
    """The instance's lifecycle state; `change(state)` returns the new state (or None: unchanged)."""
    path = os.path.join(STATE, 'lifecycle.json')
    with open(path + '.lock', 'a') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        states = read_json('lifecycle.json', {})
        state = states.get(instance, 'Pending:Wait')
        new = change(state) if change else None
        if new:
            states[instance] = new
            with open(path + '.new', 'w') as f:
                json.dump(states, f)
            os.rename(path + '.new', path)
        return state


def take_fault(action, client):
    with LOCK:
        faults = read_json('faults.json', {})
        queue = faults.get(action) or []
        match = [i for i, f in enumerate(queue) if f.get('client') in (None, client)]
        if not match:
            return None
        fault = queue.pop(match[0])
        faults[action] = queue
        with open(os.path.join(STATE, 'faults.json'), 'w') as f:
            json.dump(faults, f)
        return fault


def record(entry):
    with LOCK:
        with open(os.path.join(STATE, 'calls.jsonl'), 'a') as f:
            f.write(json.dumps(entry) + '\n')


def probe(instance_ip, group):
    url = f"http://{instance_ip}:{group.get('port', 8080)}{group.get('path', '/')}"
    try:
        with urllib.request.urlopen(url, timeout=3) as res:
            return 200 <= res.status < 400
    except Exception:  # noqa: BLE001 - any failure is an unhealthy probe, as for an ALB
        return False


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.handle_any()

    def do_PUT(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def do_HEAD(self):
        self.handle_any()

    def do_DELETE(self):
        self.handle_any()

    def handle_any(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        auth = self.headers.get('Authorization', '')
        scope = re.search(r'Credential=[^/]+/[^/]+/([^/]+)/([^/]+)/', auth)
        service = scope.group(2) if scope else 'unknown'
        target = self.headers.get('X-Amz-Target')
        params = {}
        if target:
            action = target.split('.')[-1]
            try:
                params = json.loads(body or b'{}')
            except ValueError:
                params = {}
        elif service in NS or (body and b'Action=' in body):
            params = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}
            action = params.pop('Action', 'unknown')
            params.pop('Version', None)
        else:
            action = f'{self.command} {urllib.parse.urlsplit(self.path).path}'
        entry = {'time': time.time(), 'service': service, 'action': action, 'params': params,
                 'client': self.client_address[0]}
        fault = take_fault(action, self.client_address[0])
        if fault:
            entry['fault'] = fault
            record(entry)
            return self.error(service, fault)
        if action in OWN:
            return self.own(service, action, params, entry)
        record(entry)
        return self.forward(body)

    def error(self, service, fault):
        ns = NS.get(service, '')
        payload = (f'<ErrorResponse xmlns="{ns}"><Error><Type>Sender</Type><Code>{fault["code"]}</Code>'
                   f'<Message>{fault.get("message", fault["code"])}</Message></Error>'
                   f'<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>').encode()
        self.reply(fault.get('status', 400), payload, 'text/xml')

    def own(self, service, action, params, entry):
        ns = NS[service]
        result = ''
        if action == 'DescribeTargetHealth':
            targets = read_json('targets.json', {})
            group = targets.get('targetGroups', {}).get(params.get('TargetGroupArn'), {})
            members = []
            ids = [v for k, v in sorted(params.items()) if re.match(r'Targets\.member\.\d+\.Id$', k)]
            for instance in ids:
                ip = targets.get('instances', {}).get(instance)
                key = (params.get('TargetGroupArn'), instance)
                in_service = lifecycle(instance) == 'InService'
                ok = bool(ip) and in_service and probe(ip, group)
                with LOCK:
                    HEALTH[key] = HEALTH.get(key, 0) + 1 if ok else 0
                    count = HEALTH[key]
                if not ip or not in_service:
                    state = 'unused'
                elif count >= group.get('healthyThreshold', 2):
                    state = 'healthy'
                else:
                    state = 'initial' if ok else 'unhealthy'
                entry.setdefault('answers', {})[instance] = state
                members.append(f'<member><Target><Id>{instance}</Id><Port>{group.get("port", 8080)}</Port></Target>'
                               f'<HealthCheckPort>{group.get("port", 8080)}</HealthCheckPort>'
                               f'<TargetHealth><State>{state}</State></TargetHealth></member>')
            result = f'<DescribeTargetHealthResult><TargetHealthDescriptions>{"".join(members)}</TargetHealthDescriptions></DescribeTargetHealthResult>'
        elif action == 'DescribeAutoScalingInstances':
            targets = read_json('targets.json', {})
            groups = targets.get('groups', {})
            versions = targets.get('launchTemplateVersions', {})
            ids = [v for k, v in sorted(params.items()) if re.match(r'InstanceIds\.member\.\d+$', k)]
            members = ''.join(
                f'<member><InstanceId>{i}</InstanceId><AutoScalingGroupName>{groups[i]}</AutoScalingGroupName>'
                f'<AvailabilityZone>us-east-1a</AvailabilityZone><LifecycleState>{lifecycle(i)}</LifecycleState>'
                f'<HealthStatus>HEALTHY</HealthStatus><LaunchTemplate><LaunchTemplateId>lt-0123456789abcdef0</LaunchTemplateId>'
                f'<LaunchTemplateName>lab</LaunchTemplateName><Version>{versions.get(i, "1")}</Version></LaunchTemplate>'
                f'<ProtectedFromScaleIn>false</ProtectedFromScaleIn></member>'
                for i in ids if i in groups)
            result = f'<DescribeAutoScalingInstancesResult><AutoScalingInstances>{members}</AutoScalingInstances></DescribeAutoScalingInstancesResult>'
        elif action == 'DescribeAutoScalingGroups':
            templates = read_json('targets.json', {}).get('groupLaunchTemplates', {})
            names = [v for k, v in sorted(params.items()) if re.match(r'AutoScalingGroupNames\.member\.\d+$', k)]
            members = ''
            for name in names:
                if name not in templates:
                    continue
                spec = (f'<LaunchTemplateId>lt-0123456789abcdef0</LaunchTemplateId><LaunchTemplateName>lab</LaunchTemplateName>'
                        f'<Version>{templates[name]["version"]}</Version>')
                launch = (f'<MixedInstancesPolicy><LaunchTemplate><LaunchTemplateSpecification>{spec}</LaunchTemplateSpecification>'
                          f'</LaunchTemplate></MixedInstancesPolicy>' if templates[name].get('mixed') else f'<LaunchTemplate>{spec}</LaunchTemplate>')
                members += (f'<member><AutoScalingGroupName>{name}</AutoScalingGroupName>{launch}<MinSize>2</MinSize><MaxSize>40</MaxSize>'
                            f'<DesiredCapacity>2</DesiredCapacity><DefaultCooldown>300</DefaultCooldown>'
                            f'<AvailabilityZones><member>us-east-1a</member></AvailabilityZones><HealthCheckType>ELB</HealthCheckType>'
                            f'<CreatedTime>2026-01-01T00:00:00Z</CreatedTime></member>')
            result = f'<DescribeAutoScalingGroupsResult><AutoScalingGroups>{members}</AutoScalingGroups></DescribeAutoScalingGroupsResult>'
        elif action == 'CompleteLifecycleAction':
            instance = params.get('InstanceId')
            outcome = params.get('LifecycleActionResult')

            def complete(state):
                if state == 'Pending:Wait':
                    return 'InService' if outcome == 'CONTINUE' else 'Terminating'
                if state == 'Warmed:Pending:Wait':
                    return 'Warmed:Stopped' if outcome == 'CONTINUE' else 'Terminating'
                return None
            state = lifecycle(instance, complete)
            entry['state'] = state
            if state not in ('Pending:Wait', 'Warmed:Pending:Wait'):
                record(entry)
                return self.error(service, {'code': 'ValidationError', 'message': f'No active Lifecycle Action found with instance ID {instance}'})
            result = '<CompleteLifecycleActionResult/>'
        elif action == 'SignalResource':
            if not read_json('stack.json', {}).get('signalable', True):
                fault = {'code': 'ValidationError', 'message': f"Stack {params.get('StackName')} is in UPDATE_COMPLETE state and cannot be signaled"}
                entry['fault'] = fault
                record(entry)
                return self.error(service, fault)
        elif action == 'DescribeWarmPool':
            name = params.get('AutoScalingGroupName')
            versions = read_json('targets.json', {}).get('launchTemplateVersions', {})
            members = ''.join(
                f'<member><InstanceId>{i}</InstanceId><AvailabilityZone>us-east-1a</AvailabilityZone><LifecycleState>{lifecycle(i)}</LifecycleState>'
                f'<HealthStatus>Healthy</HealthStatus><LaunchTemplate><LaunchTemplateId>lt-0123456789abcdef0</LaunchTemplateId>'
                f'<LaunchTemplateName>lab</LaunchTemplateName><Version>{versions.get(i, "1")}</Version></LaunchTemplate><InstanceType>m7i.large</InstanceType></member>'
                for i in read_json('warmpool.json', {}).get(name, []))
            result = (f'<DescribeWarmPoolResult><WarmPoolConfiguration><PoolState>Stopped</PoolState><Status>Active</Status></WarmPoolConfiguration>'
                      f'<Instances>{members}</Instances></DescribeWarmPoolResult>')
        elif action == 'TerminateInstances':
            ids = [v for k, v in sorted(params.items()) if re.match(r'InstanceId\.\d+$', k)]
            items = ''.join(f'<item><instanceId>{i}</instanceId><currentState><code>32</code><name>shutting-down</name></currentState>'
                            f'<previousState><code>80</code><name>stopped</name></previousState></item>' for i in ids)
            record(entry)
            payload = (f'<TerminateInstancesResponse xmlns="{ns}"><requestId>{uuid.uuid4()}</requestId>'
                       f'<instancesSet>{items}</instancesSet></TerminateInstancesResponse>').encode()
            return self.reply(200, payload, 'text/xml')
        elif action == 'DeregisterTargets':
            result = '<DeregisterTargetsResult/>'
        elif action == 'RecordLifecycleActionHeartbeat':
            result = '<RecordLifecycleActionHeartbeatResult/>'
        elif action == 'SetInstanceHealth':
            result = ''
        record(entry)
        payload = (f'<{action}Response xmlns="{ns}">{result}<ResponseMetadata><RequestId>{uuid.uuid4()}'
                   f'</RequestId></ResponseMetadata></{action}Response>').encode()
        self.reply(200, payload, 'text/xml')

    def forward(self, body):
        url = urllib.parse.urlsplit(MOTO)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ('connection', 'host')}
        headers['Host'] = f'{url.hostname}:{url.port}'
        conn.request(self.command, self.path, body=body or None, headers=headers)
        res = conn.getresponse()
        data = res.read()
        self.send_response(res.status)
        for k, v in res.getheaders():
            if k.lower() not in ('transfer-encoding', 'connection', 'content-length', 'server', 'date'):
                self.send_header(k, v)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)

    def reply(self, status, payload, content_type):
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


Server((HOST, PORT), Handler).serve_forever()
