#!/usr/bin/env python3
"""bench/peers/check.py - before make bench times the peers, checks that
each answers make bench's requests as psinet does: the same status, the
same JSON shape (keys, array lengths, kinds of value) and the same numbers
to within a relative 1e-9 (numpy's and V8's tanh and exp may differ from
glibc's in the last bit). Raises on the first difference.

bench/bench.py calls check(); it can also run alone against running
servers:  check.py BODIES_DIR PSINET_PORT PEER_PORT...
"""

import json
import math
import urllib.error
import urllib.request


def call(port, method, path, body):
    req = urllib.request.Request(
        "http://127.0.0.1:%d%s" % (port, path), data=body, method=method,
        headers={"Content-Type": "application/json"} if body else {})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, None


def same(a, b, where):
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str):
        if a != b:
            raise AssertionError("%s: %r != %r" % (where, a, b))
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
            raise AssertionError("%s: %r != %r" % (where, a, b))
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            raise AssertionError("%s: %d entries != %d" % (where, len(a),
                                                           len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, "%s/%d" % (where, i))
    elif isinstance(a, dict) and isinstance(b, dict):
        if sorted(a) != sorted(b):
            raise AssertionError("%s: keys %s != %s" % (where, sorted(a),
                                                        sorted(b)))
        for k in a:
            same(a[k], b[k], "%s/%s" % (where, k))
    else:
        raise AssertionError("%s: %r and %r differ in kind" % (where, a, b))


def check(workloads, bodies, port, peers):
    """workloads: (name, method, path on psinet, path on each peer by
    name, body name or None); peers: {name: port}."""
    for name, method, path, peer_paths, b in workloads:
        body = open(bodies[b], "rb").read() if b else None
        status, want = call(port, method, path, body)
        for peer, pport in peers.items():
            pstatus, got = call(pport, method, peer_paths[peer], body)
            if pstatus != status:
                raise AssertionError("%s on %s: status %d, psinet %d"
                                     % (name, peer, pstatus, status))
            if name == "healthz":  # a liveness answer each its own way
                continue
            same(want, got, "%s on %s: " % (name, peer))
