"""Answers psinet gives before it reads a body, through the real server:
they reach a client that is still writing (lingering close), and a request
that will be refused is never read, buffered or answered 100 Continue.

A client that sends a large body is still writing when psinet answers 413,
401 or 415 from the headers alone. Were the socket closed at once, the
unread bytes would make the kernel reset it: the client's next write fails
("Broken pipe") and it never reads the answer (urllib, requests and curl
alike; nginx in front turns it into a 502). psinet shuts its write side and
reads and drops the rest for a while, so every client here reads its
answer: urllib, curl with and without Expect: 100-continue, http.client
with a chunked body, and a raw chunked upload that grows past the limit.

With an API key, a stranger's body is refused from its headers (no 100
Continue, nothing buffered); bodies held at once have a budget
(--max-body-memory), over which the answer is 503 with Retry-After; and
memory that a burst of large bodies took is given back afterwards."""

import http.client
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

from harness import BIN, Server, assert_problem

KEY = "k3y-for-tests-0123456789abcdef"
JSON = {"Content-Type": "application/json"}
# 1.3 MB of JSON: over the --max-body of 1M these servers run with
BIG = json.dumps({"amplitudes": [1] * 650000}).encode()


def urlopen(port, path, body, headers, method="POST"):
    """(status, headers, parsed body) of a urllib request; raises what
    urllib raises when no answer could be read."""
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path),
                                 data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, e.headers, json.loads(e.read())


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def sanitized():
    """Whether the binary under test is built with AddressSanitizer, whose
    allocator keeps freed memory in quarantine."""
    with open(BIN, "rb") as f:
        return b"__asan_init" in f.read()


class LingeringClose(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server("--max-body", "1M",
                       env={"PSINET_API_KEY": KEY}).start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.s.stop()
        finally:
            cls.s.cleanup()

    def test_urllib_reads_the_413_of_a_body_it_is_still_sending(self):
        for _ in range(5):
            status, headers, body = urlopen(
                self.s.port, "/v1/superpositions/normalize", BIG,
                {"Content-Type": "application/json"})
            self.assertEqual(status, 413)
            self.assertEqual(body["type"], "urn:psinet:problem:too-large")
            self.assertEqual(headers["Connection"], "close")

    def test_urllib_reads_the_401_and_415_of_bodies_it_is_still_sending(self):
        status, headers, body = urlopen(
            self.s.port, "/v1/experiments", BIG[:900000],
            {"Content-Type": "application/json"})
        self.assertEqual(status, 401)
        self.assertEqual(headers["WWW-Authenticate"], 'Bearer realm="psinet"')
        status, _, body = urlopen(
            self.s.port, "/v1/superpositions/normalize", BIG[:900000],
            {"Content-Type": "text/plain"})
        self.assertEqual(status, 415)
        self.assertEqual(body["type"],
                         "urn:psinet:problem:unsupported-media-type")

    @unittest.skipUnless(shutil.which("curl"), "curl is not installed")
    def test_curl_reads_the_413_with_and_without_expect(self):
        with tempfile.NamedTemporaryFile(suffix=".json") as f:
            f.write(BIG)
            f.flush()
            for expect in ("Expect:", "Expect: 100-continue"):
                out = subprocess.run(
                    ["curl", "-sS", "-o", "-", "-w", "\n%{http_code}",
                     "-H", "Content-Type: application/json", "-H", expect,
                     "--data-binary", "@" + f.name,
                     "http://127.0.0.1:%d/v1/superpositions/normalize"
                     % self.s.port],
                    capture_output=True, text=True, timeout=60)
                self.assertEqual(out.returncode, 0, (expect, out.stderr))
                body, _, code = out.stdout.rpartition("\n")
                self.assertEqual(code, "413", (expect, out.stdout[:200]))
                self.assertEqual(json.loads(body)["status"], 413)

    def test_a_chunked_body_past_the_limit_is_answered_413(self):
        # No Content-Length to refuse it by: psinet answers as soon as it
        # passes the limit, and the client still sending reads the answer.
        conn = http.client.HTTPConnection("127.0.0.1", self.s.port,
                                          timeout=30)
        try:
            chunks = (BIG[i:i + 65536] for i in range(0, len(BIG), 65536))
            conn.request("POST", "/v1/superpositions/normalize", body=chunks,
                         headers={"Content-Type": "application/json"},
                         encode_chunked=True)
            r = conn.getresponse()
            body = json.loads(r.read())
        finally:
            conn.close()
        self.assertEqual(r.status, 413)
        self.assertEqual(body["type"], "urn:psinet:problem:too-large")
        self.assertIn("max_body", body["detail"])
        self.assertEqual(r.getheader("Connection"), "close")
        self.assertTrue(r.getheader("X-Request-Id"))

    def test_a_raw_chunked_upload_that_keeps_sending_reads_its_413(self):
        s = socket.create_connection(("127.0.0.1", self.s.port), 30)
        try:
            s.sendall(b"POST /v1/layers/forward HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Type: application/json\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\n")
            chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
            for _ in range(40):          # 2.6 MB, past the 1M limit
                s.sendall(chunk)
            s.sendall(b"0\r\n\r\n")
            s.shutdown(socket.SHUT_WR)
            data = b""
            while True:
                c = s.recv(65536)
                if not c:
                    break
                data += c
        finally:
            s.close()
        self.assertTrue(data.startswith(b"HTTP/1.1 413 "), data[:200])
        head, _, body = data.partition(b"\r\n\r\n")
        self.assertIn(b"\r\nconnection: close", head.lower())
        self.assertEqual(json.loads(body)["status"], 413)
        self.assertEqual(self.s.get("/healthz").status, 200)


class NoWorkForStrangers(unittest.TestCase):
    def test_a_stranger_gets_401_without_100_continue(self):
        with Server(env={"PSINET_API_KEY": KEY}) as s:
            sock = socket.create_connection(("127.0.0.1", s.port), 10)
            try:
                sock.sendall(b"POST /v1/experiments HTTP/1.1\r\nHost: x\r\n"
                             b"Content-Type: application/json\r\n"
                             b"Expect: 100-continue\r\n"
                             b"Content-Length: 16000000\r\n\r\n")
                data = b""
                while b"\r\n\r\n" not in data:
                    c = sock.recv(4096)
                    if not c:
                        break
                    data += c
            finally:
                sock.close()
            self.assertTrue(data.startswith(b"HTTP/1.1 401 "), data[:100])
            self.assertNotIn(b"100 Continue", data)
            # with the key, the same head is told to go on
            sock = socket.create_connection(("127.0.0.1", s.port), 10)
            try:
                sock.sendall(b"POST /v1/experiments HTTP/1.1\r\nHost: x\r\n"
                             b"Content-Type: application/json\r\n"
                             b"Authorization: Bearer " + KEY.encode() +
                             b"\r\nExpect: 100-continue\r\n"
                             b"Content-Length: 2\r\n\r\n")
                self.assertTrue(sock.recv(4096).startswith(
                    b"HTTP/1.1 100 Continue"))
            finally:
                sock.close()

    def test_strangers_sending_large_bodies_cost_no_memory(self):
        # Twenty connections without the key, each sending 4 MB: refused
        # from their headers, nothing of their bodies held.
        with Server(env={"PSINET_API_KEY": KEY}) as s:
            before = rss_kib(s.proc.pid)
            body = b" " * (4 << 20)

            def stranger():
                try:
                    urlopen(s.port, "/v1/experiments", body,
                            {"Content-Type": "application/json"})
                except (OSError, ValueError):
                    pass
            threads = [threading.Thread(target=stranger) for _ in range(20)]
            for t in threads:
                t.start()
            peak = before
            while any(t.is_alive() for t in threads):
                peak = max(peak, rss_kib(s.proc.pid))
                time.sleep(0.01)
            for t in threads:
                t.join()
            # 80 MB were sent; not even one body's worth was kept
            self.assertLess(peak - before, 4 << 10, (before, peak))
            self.assertEqual(s.get("/healthz").status, 200)

    def test_bodies_over_the_memory_budget_get_503_with_retry_after(self):
        # --max-body-memory 3M: two 1.3 MB bodies fit at once, a third
        # (announced while two are held) does not.
        with Server("--max-body", "2M", "--max-body-memory", "3M") as s:
            socks = []
            try:
                for _ in range(2):
                    c = socket.create_connection(("127.0.0.1", s.port), 10)
                    socks.append(c)
                    c.sendall(b"POST /v1/superpositions HTTP/1.1\r\n"
                              b"Host: x\r\nContent-Type: application/json\r\n"
                              b"Content-Length: %d\r\n\r\n" % len(BIG) +
                              BIG[:1000])
                time.sleep(0.3)   # their headers are in
                r = s.post("/v1/superpositions", BIG, headers=JSON, record=False)
                p = assert_problem(self, r, 503)
                self.assertEqual(r.header("retry-after"), "1")
                self.assertIn("max_body_memory", p["detail"])
                # a small body is still served
                self.assertEqual(s.post("/v1/superpositions",
                                        {"amplitudes": [1]}).status, 201)
            finally:
                for c in socks:
                    c.close()
            # once they are gone, a large body fits again
            deadline = time.monotonic() + 10
            while True:
                r = s.post("/v1/superpositions", BIG, headers=JSON, record=False)
                if r.status != 503 or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            self.assertEqual(r.status, 201, r)

    def test_a_chunked_body_over_the_memory_budget_gets_503(self):
        with Server("--max-body", "2M", "--max-body-memory", "2M") as s:
            held = socket.create_connection(("127.0.0.1", s.port), 10)
            try:
                held.sendall(b"POST /v1/superpositions HTTP/1.1\r\nHost: x\r\n"
                             b"Content-Type: application/json\r\n"
                             b"Content-Length: 1500000\r\n\r\n{")
                time.sleep(0.3)
                conn = http.client.HTTPConnection("127.0.0.1", s.port,
                                                  timeout=30)
                chunks = (BIG[i:i + 65536] for i in range(0, len(BIG), 65536))
                conn.request("POST", "/v1/superpositions", body=chunks,
                             headers={"Content-Type": "application/json"},
                             encode_chunked=True)
                r = conn.getresponse()
                body = json.loads(r.read())
                conn.close()
            finally:
                held.close()
            self.assertEqual(r.status, 503)
            self.assertEqual(r.getheader("Retry-After"), "1")
            self.assertIn("max_body_memory", body["detail"])

    def test_memory_a_burst_took_is_given_back(self):
        if sanitized():
            self.skipTest("AddressSanitizer keeps freed memory in "
                          "quarantine")
        with Server("--max-body", "16M") as s:
            s.post("/v1/superpositions/normalize", {"amplitudes": [1]})
            before = rss_kib(s.proc.pid)
            body = json.dumps({"amplitudes": [0.5] * 700000}).encode()

            def post():
                r = s.post("/v1/superpositions/normalize", body,
                           headers={"Content-Type": "application/json"},
                           timeout=120, record=False)
                assert r.status in (200, 503), r
            for _ in range(3):
                threads = [threading.Thread(target=post) for _ in range(8)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
            # given back within a few seconds of the burst's end
            self.wait_given_back(s, before, 48 << 10, "burst")

    def test_memory_a_large_state_took_is_given_back(self):
        """A 36-byte body can make a 2^20-amplitude state: the memory its
        request took is given back too, though no large body was freed."""
        if sanitized():
            self.skipTest("AddressSanitizer keeps freed memory in "
                          "quarantine")
        with Server("--threads", "1") as s:
            s.post("/v1/superpositions/normalize", {"amplitudes": [1]})
            before = rss_kib(s.proc.pid)
            for _ in range(2):
                r = s.post("/v1/superpositions/apply", {
                    "state": {"basis": "0" * 20}, "store": False,
                    "summary": True,
                    "operations": [{"gate": "h", "qubits": [q]}
                                   for q in range(20)]}, timeout=120,
                    record=False)
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json["dimension"], 1 << 20)
            self.wait_given_back(s, before, 16 << 10, "request")

    def wait_given_back(self, server, before, slack_kib, what):
        """Waits up to 10 s for server's resident memory to come back to
        within slack_kib of before (KiB); fails naming what took it."""
        deadline = time.monotonic() + 10
        while rss_kib(server.proc.pid) - before > slack_kib:
            if time.monotonic() > deadline:
                self.fail("resident memory stayed at %d KiB after the %s "
                          "(%d KiB before)"
                          % (rss_kib(server.proc.pid), what, before))
            time.sleep(0.2)


if __name__ == "__main__":
    unittest.main()
