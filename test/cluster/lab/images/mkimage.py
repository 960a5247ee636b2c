#!/usr/bin/env python3
"""Writes a docker-archive image (what `ctr images import` reads) from a root file system folder.

mkimage.py ROOTFS OUT.tar NAME:TAG[,NAME:TAG...] [--user U] [--entrypoint JSON] [--cmd JSON] [--env K=V ...]
One layer, the folder as it is (owners and modes kept); no registry, no Docker.
"""
import argparse, hashlib, io, json, os, tarfile, time

p = argparse.ArgumentParser()
p.add_argument('rootfs'); p.add_argument('out'); p.add_argument('ref')
p.add_argument('--user', default='')
p.add_argument('--entrypoint', default='null')
p.add_argument('--cmd', default='null')
p.add_argument('--env', action='append', default=[])
a = p.parse_args()

layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode='w', format=tarfile.PAX_FORMAT) as t:
    for root, dirs, files in os.walk(a.rootfs):
        dirs.sort(); files.sort()
        for name in dirs + files:
            full = os.path.join(root, name)
            info = t.gettarinfo(full, arcname=os.path.relpath(full, a.rootfs))
            info.mtime = 0
            if info.isfile():
                with open(full, 'rb') as f:
                    t.addfile(info, f)
            else:
                t.addfile(info)
layer_bytes = layer.getvalue()
diff_id = 'sha256:' + hashlib.sha256(layer_bytes).hexdigest()
config = {
    'architecture': 'amd64', 'os': 'linux', 'created': '1970-01-01T00:00:00Z',
    'config': {'User': a.user, 'Env': ['PATH=/bin'] + a.env,
               'Entrypoint': json.loads(a.entrypoint), 'Cmd': json.loads(a.cmd)},
    'rootfs': {'type': 'layers', 'diff_ids': [diff_id]},
    'history': [{'created': '1970-01-01T00:00:00Z', 'created_by': 'cdk-web-tiers cluster lab'}],
}
config_bytes = json.dumps(config, sort_keys=True).encode()
config_name = hashlib.sha256(config_bytes).hexdigest() + '.json'
manifest = [{'Config': config_name, 'RepoTags': a.ref.split(','), 'Layers': ['layer.tar']}]
with tarfile.open(a.out, 'w') as out:
    for name, data in [('layer.tar', layer_bytes), (config_name, config_bytes), ('manifest.json', json.dumps(manifest).encode())]:
        info = tarfile.TarInfo(name); info.size = len(data); info.mtime = int(time.time())
        out.addfile(info, io.BytesIO(data))
