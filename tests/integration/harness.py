"""Starts the real psinet binary on a loopback port and talks HTTP to it.

Only the Python standard library is used. The binary comes from $PSINET_BIN
(build/psinet by default). Every server runs on its own temporary database
and on a free port it picks itself (--port 0); the port is read from the
server's "listening" log line.

On stop the server gets SIGTERM and must exit 0 within a few seconds with no
sanitizer report in its log; otherwise the stop raises, and the test fails.
"""

import http.client
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

BIN = os.environ.get("PSINET_BIN", "build/psinet")
# When set, every exchange made through Server.request or Server.raw is
# appended to this JSON Lines file, for tests/contract/validate.mjs to check
# against openapi.yaml.
CONTRACT_LOG = os.environ.get("PSINET_CONTRACT_LOG")
_contract_lock = threading.Lock()

# When set (a libpq conninfo without a dbname, e.g. "host=/tmp/pg
# user=postgres"), every server without a db of its own runs on a new
# PostgreSQL database on that server instead of a SQLite file: the same
# tests, on the other backend (`make test` runs the suite both ways).
PG = os.environ.get("PSINET_TEST_PG") or None
_pg_count = [0]
_pg_lock = threading.Lock()

# Tests about SQLite's file itself (its bytes, its directory, its locks):
# @sqlite_only skips them in the PostgreSQL pass.
sqlite_only = unittest.skipIf(PG is not None, "about the SQLite file")


def pg_admin(sql, dbname="postgres"):
    """Runs sql with psql on the test server's database dbname."""
    subprocess.run(["psql", "-qAtX", "-v", "ON_ERROR_STOP=1",
                    "%s dbname=%s" % (PG, dbname), "-c", sql],
                   check=True, stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE)


def _create_pg_database():
    with _pg_lock:
        _pg_count[0] += 1
        name = "it%d_%d" % (os.getpid(), _pg_count[0])
    pg_admin("CREATE DATABASE %s" % name)
    return "%s dbname=%s" % (PG, name)


# Databases are made a couple ahead, in a thread, while tests run: making
# one (a copy of PostgreSQL's template) costs a fifth of a second.
_pg_ready = []
_pg_cond = threading.Condition()
_PG_AHEAD = 2


def _pg_maker():
    while True:
        with _pg_cond:
            while len(_pg_ready) >= _PG_AHEAD:
                _pg_cond.wait()
        try:
            db = _create_pg_database()
        except subprocess.CalledProcessError:
            return  # new_pg_database makes its own
        with _pg_cond:
            _pg_ready.append(db)
            _pg_cond.notify_all()


_pg_thread = [None]


def new_pg_database():
    """A new empty database on the test server; its conninfo."""
    with _pg_cond:
        if _pg_thread[0] is None:
            _pg_thread[0] = threading.Thread(target=_pg_maker, daemon=True)
            _pg_thread[0].start()
        if _pg_thread[0].is_alive():
            while not _pg_ready:
                _pg_cond.wait(0.1)
                if not _pg_thread[0].is_alive():
                    break
        if _pg_ready:
            db = _pg_ready.pop(0)
            _pg_cond.notify_all()
            return db
    return _create_pg_database()


def _json_or_text(data, content_type):
    if data is None or data == b"":
        return None
    if content_type and "ndjson" in content_type:  # lines: kept as text
        return data.decode("utf-8", "replace")
    if content_type and "json" in content_type:
        try:
            return json.loads(data)
        except (ValueError, RecursionError):  # deliberately bad bodies
            pass
    return data.decode("utf-8", "replace")


def _record(method, path, headers, body, response):
    if not CONTRACT_LOG:
        return
    path, _, query = path.partition("?")
    req_ct = {k.lower(): v for k, v in headers.items()}.get("content-type")
    resp_ct = response.header("content-type")
    rec = {
        "method": method, "path": path, "query": query,
        "request_content_type": req_ct,
        "request_body": _json_or_text(body, req_ct),
        "status": response.status,
        "response_headers": response.headers,
        "response_content_type": resp_ct,
        "response_body": _json_or_text(response.body, resp_ct),
    }
    try:
        line = json.dumps(rec, allow_nan=False)
    except ValueError:  # e.g. 1e999 in a deliberately bad request
        rec["request_body"] = body.decode("utf-8", "replace")
        line = json.dumps(rec, allow_nan=False)
    with _contract_lock, open(CONTRACT_LOG, "a") as f:
        f.write(line + "\n")


# Statuses that libmicrohttpd answers by itself, before psinet sees the
# request: 400 for HTTP it cannot parse, 414, 431 and 505. Those answers are
# text/html without psinet's headers (openapi.yaml's info.description says
# so); they are not psinet's to keep the contract with.
LIBMICROHTTPD_OWN = (400, 414, 431, 505)


class _Recorded:
    """Bytes read from a socket, for http.client to parse as a response."""

    def __init__(self, data):
        self._data = data

    def makefile(self, mode, *args, **kwargs):
        return io.BytesIO(self._data)


def _dechunk(body):
    """The payload of a chunked body (as far as it is complete)."""
    out = b""
    while True:
        size_line, sep, rest = body.partition(b"\r\n")
        try:
            size = int(size_line.split(b";")[0], 16)
        except ValueError:
            return out
        if not sep or size == 0 or len(rest) < size:
            return out
        out += rest[:size]
        body = rest[size + 2:]


def _record_raw(data, raw):
    """Records the first request in data and the answer to it in raw (the
    bytes sent and read by Server.raw). Nothing is recorded when the request
    cannot be parsed, when the server closed the connection without an answer
    (a body cut off at a limit or a deadline), or when the answer is
    libmicrohttpd's own."""
    if not CONTRACT_LOG or not raw:
        return
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3:
        return
    method, target = parts[0], parts[1]
    headers = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon:
            return
        headers[name.strip()] = value.strip()
    lower = {k.lower(): v for k, v in headers.items()}
    if "chunked" in lower.get("transfer-encoding", "").lower():
        body = _dechunk(rest)
    elif lower.get("content-length", "").isdigit():
        body = rest[:int(lower["content-length"])]
    else:
        body = rest
    r = http.client.HTTPResponse(_Recorded(raw), method=method)
    try:
        r.begin()  # skips any 100 Continue
        payload = r.read()
    except (http.client.HTTPException, OSError):
        return  # cut off in the middle of the answer
    resp = Response(r.status, {k.lower(): v for k, v in r.getheaders()},
                    payload)
    if r.status in LIBMICROHTTPD_OWN and resp.header("x-request-id") is None:
        return
    _record(method, target, headers, body or None, resp)
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                   "runtime error:", "SUMMARY: UndefinedBehaviorSanitizer")


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers          # lower-cased names
        self.body = body                # bytes
        self._json = None

    @property
    def json(self):
        if self._json is None:
            self._json = json.loads(self.body)
        return self._json

    def header(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        return "<%d %s>" % (self.status, self.body[:300])


class Server:
    """One psinet process. Use as a context manager or call start/stop."""

    def __init__(self, *args, env=None, db=None, workdir=None, prefix=None):
        self.own_dir = workdir is None
        self.dir = workdir or tempfile.mkdtemp(prefix="psinet-it-")
        self.own_pg = db is None and PG is not None
        if self.own_pg:
            db = new_pg_database()
        self.db = db or os.path.join(self.dir, "psinet.db")
        self.args = list(args)
        self.prefix = list(prefix or [])  # e.g. setpriv, to run unprivileged
        self.env = dict(os.environ)
        for k in [k for k in self.env if k.startswith("PSINET_")
                  and k != "PSINET_BIN"]:
            del self.env[k]
        self.env.update(env or {})
        self.proc = None
        self.port = None
        self.log_lines = []
        self._reader = None
        self._listening = threading.Event()

    # -- process ---------------------------------------------------------
    def start(self, timeout=20):
        status = self.start_or_exit(timeout)
        if status is not None:
            raise RuntimeError("psinet exited with status %d before it "
                               "listened:\n%s" % (status, self.log()))
        return self

    def start_or_exit(self, timeout=30):
        """Starts psinet; returns None once it listens, or its exit status
        when it exits first (a server that refuses to start), without
        waiting out the timeout. Raises when it does neither in time."""
        cmd = self.prefix + [BIN, "--bind", "127.0.0.1", "--port", "0",
                             "--db", self.db, "--threads", "2"] + self.args
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=self.env)
        self._reader = threading.Thread(target=self._read_log, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout
        while not self._listening.wait(0.05):
            if self.proc.poll() is not None:
                self._reader.join(5)
                status = self.proc.returncode
                self.proc = None
                return status
            if time.monotonic() > deadline:
                self.proc.kill()
                self.proc.wait()
                self.proc = None
                raise RuntimeError("psinet neither started nor exited: %s"
                                   % self.log())
        return None

    def _read_log(self):
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.log_lines.append(line)
            if '"event":"listening"' in line and self.port is None:
                self.port = json.loads(line)["port"]
                self._listening.set()

    def log(self):
        return "\n".join(self.log_lines[-40:])

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Stops the server; returns its exit status. Raises on a
        sanitizer report or an unclean exit after SIGTERM."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("psinet did not stop within %ss" % timeout)
        self._reader.join(5)
        self.proc = None
        text = "\n".join(self.log_lines)
        for mark in SANITIZER_MARKS:
            if mark in text:
                raise RuntimeError("sanitizer report:\n" + self.log())
        if sig == signal.SIGTERM and status != 0:
            raise RuntimeError("exit status %s after SIGTERM:\n%s"
                               % (status, self.log()))
        return status

    def cleanup(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
        if self.own_pg:  # a database of its own: gone with it
            self.own_pg = False
            name = self.db.rsplit("dbname=", 1)[1]
            pg_admin("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
        if self.own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        try:
            if exc[0] is None:
                self.stop()
        finally:
            self.cleanup()

    # -- HTTP ------------------------------------------------------------
    def request(self, method, path, body=None, headers=None, timeout=30,
                record=True):
        """Sends one request. body: a dict/list (sent as JSON), bytes or
        str (sent as is). Returns a Response. record=False keeps it out of
        the contract log (for bodies of megabytes, which would only make
        the log large)."""
        hdrs = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
        conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                          timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=hdrs)
            r = conn.getresponse()
            data = r.read()
            resp = Response(r.status,
                            {k.lower(): v for k, v in r.getheaders()}, data)
            if record:
                _record(method, path, hdrs, body, resp)
            return resp
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def raw(self, data, timeout=10, record=True):
        """Sends raw bytes on a fresh connection; returns all bytes read
        until the server closes it or the timeout passes. With a contract
        log, the first request and its answer are recorded (see
        _record_raw), unless record is False (a request line no operation
        could have)."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout)
        try:
            s.sendall(data)
            chunks = []
            while True:
                try:
                    c = s.recv(65536)
                except socket.timeout:
                    break
                if not c:
                    break
                chunks.append(c)
            answer = b"".join(chunks)
            if record:
                _record_raw(data, answer)
            return answer
        finally:
            s.close()


def assert_problem(test, r, status, pointer=None):
    """Checks r is an RFC 9457 problem with the given status (and, when
    pointer is given, an error item at that JSON Pointer). Returns the body."""
    test.assertEqual(r.status, status, r)
    test.assertEqual(r.header("content-type"), "application/problem+json", r)
    p = r.json
    for key in ("type", "title", "status", "detail"):
        test.assertIn(key, p)
    test.assertEqual(p["status"], status)
    test.assertTrue(p["detail"])
    if pointer is not None:
        pointers = [e["pointer"] for e in p.get("errors", [])]
        test.assertIn(pointer, pointers, p)
    return p


def close_rel(a, b, tol):
    return abs(a - b) <= tol * max(1.0, abs(b))
