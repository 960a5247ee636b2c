"""A fake IMDSv2 for one lab instance: a token first (PUT), then metadata with that token.

  imds.py CONFIG_JSON    {"listen": "169.254.169.254", "instanceId": ..., "region": ..., "az": ...,
                          "tags": {"aws:autoscaling:groupName": ...}, "role": ..., "log": path,
                          "dynamic": path}

The "dynamic" file (read on every request, written by the tests) holds metadata the lab changes
while the instance runs: {"autoscaling/target-lifecycle-state": "Warmed:Stopped",
"spot/instance-action": "{...}"} is served at /latest/meta-data/<key>; a key not there is a 404.
"""
import http.server
import json
import secrets
import socketserver
import sys
import time

CONFIG = json.load(open(sys.argv[1]))
TOKENS = set()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, fmt, *args):
        with open(CONFIG['log'], 'a') as f:
            f.write('%s %s\n' % (time.strftime('%H:%M:%S'), fmt % args))

    def answer(self, status, text, content_type='text/plain'):
        data = text.encode()
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        if self.path != '/latest/api/token' or not self.headers.get('X-aws-ec2-metadata-token-ttl-seconds'):
            return self.answer(400, 'Bad Request')
        token = secrets.token_urlsafe(32)
        TOKENS.add(token)
        self.answer(200, token)

    def do_GET(self):
        if self.headers.get('X-aws-ec2-metadata-token') not in TOKENS:
            return self.answer(401, 'Unauthorized')  # IMDSv2 only, as the launch template requires
        path = self.path.split('?')[0]
        c = CONFIG
        now = time.time()
        creds = {
            'Code': 'Success', 'Type': 'AWS-HMAC', 'AccessKeyId': 'ASIALABLABLABLABLAB0',
            'SecretAccessKey': 'lab-secret-key', 'Token': 'lab-session-token',
            'LastUpdated': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(now)),
            'Expiration': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(now + 6 * 3600)),
        }
        doc = {'instanceId': c['instanceId'], 'region': c['region'], 'availabilityZone': c['az'],
               'accountId': c['account'], 'architecture': 'x86_64', 'imageId': 'ami-0lab'}
        routes = {
            '/latest/meta-data/instance-id': c['instanceId'],
            '/latest/meta-data/placement/region': c['region'],
            '/latest/meta-data/placement/availability-zone': c['az'],
            '/latest/meta-data/local-ipv4': c['ip'],
            '/latest/meta-data/tags/instance': '\n'.join(c['tags']),
            '/latest/meta-data/iam/security-credentials/': c['role'],
            '/latest/meta-data/iam/security-credentials': c['role'],
            f"/latest/meta-data/iam/security-credentials/{c['role']}": json.dumps(creds),
            '/latest/dynamic/instance-identity/document': json.dumps(doc),
            '/latest/api/token': None,
        }
        for key, value in c['tags'].items():
            routes[f'/latest/meta-data/tags/instance/{key}'] = value
        try:
            with open(c.get('dynamic') or '/nonexistent') as f:
                dynamic = json.load(f)
        except (OSError, ValueError):
            dynamic = {}
        for key, value in dynamic.items():
            routes[f'/latest/meta-data/{key}'] = value
        value = routes.get(path)
        if value is None:
            return self.answer(404, 'Not Found')
        self.answer(200, value)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


Server((CONFIG['listen'], 80), Handler).serve_forever()
