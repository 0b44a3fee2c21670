#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A stand-in for a Kubernetes API server's discovery, on loopback only.

kubectl's client-side dry run (apply --dry-run=client) still asks a server
which API groups and kinds exist, and whether the objects exist already.
This answers exactly that for the kinds procexe ships (v1 Namespace,
apps/v1 DaemonSet) and "not found" for every object, so that kubectl can
parse and map the manifest without any cluster.  It prints its port on
stdout, then serves until killed.
"""
import http.server
import json
import sys

DISCOVERY = {
    "/api": {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []},
    "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": [{
        "name": "apps",
        "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
        "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"}}]},
    "/api/v1": {"kind": "APIResourceList", "groupVersion": "v1", "resources": [{
        "name": "namespaces", "singularName": "namespace", "namespaced": False,
        "kind": "Namespace", "verbs": ["create", "get", "list"]}]},
    "/apis/apps/v1": {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "apps/v1",
                      "resources": [{
                          "name": "daemonsets", "singularName": "daemonset", "namespaced": True,
                          "kind": "DaemonSet", "verbs": ["create", "get", "list", "patch"]}]},
}
NOT_FOUND = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound",
             "code": 404, "message": "not found"}


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        body = DISCOVERY.get(self.path.split("?")[0])
        data = json.dumps(body or NOT_FOUND).encode()
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
sys.stdout.close()
server.serve_forever()
