"""Seeds the lab's moto server: the asset bucket with the assets as cdk-assets uploads them
(`zip` directories zipped, `file` assets as they are) and the secrets. Prints {secret name: ARN}.

  seed.py MOTO_URL SEED_JSON   {"region": ..., "bucket": ..., "assets": [{"key", "path", "packaging"}],
                                "secrets": [{"name", "value"} or {"name", "binary": base64}]}
"""
import base64
import json
import os
import sys
import zipfile

import boto3

url, seed = sys.argv[1], json.load(open(sys.argv[2]))
kw = dict(endpoint_url=url, region_name=seed['region'], aws_access_key_id='lab', aws_secret_access_key='lab')
s3 = boto3.client('s3', **kw)
sm = boto3.client('secretsmanager', **kw)
if seed.get('bucket'):
    try:
        s3.create_bucket(Bucket=seed['bucket'])
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
for asset in seed.get('assets', []):
    path = asset['path']
    if asset['packaging'] == 'zip' and os.path.isdir(path):
        archive = path.rstrip('/') + '.lab.zip'
        with zipfile.ZipFile(archive, 'w', zipfile.ZIP_DEFLATED) as z:
            for root, _, files in os.walk(path):
                for name in sorted(files):
                    full = os.path.join(root, name)
                    z.write(full, os.path.relpath(full, path))
        path = archive
    s3.upload_file(path, seed['bucket'], asset['key'])
arns = {}
for secret in seed.get('secrets', []):
    # A binary secret (SecretBinary), as `aws secretsmanager create-secret --secret-binary` stores it.
    value = {'SecretBinary': base64.b64decode(secret['binary'])} if 'binary' in secret else {'SecretString': secret['value']}
    try:
        arns[secret['name']] = sm.create_secret(Name=secret['name'], **value)['ARN']
    except sm.exceptions.ResourceExistsException:
        arns[secret['name']] = sm.put_secret_value(SecretId=secret['name'], **value)['ARN']
print(json.dumps(arns))
