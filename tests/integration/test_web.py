"""The lab through the real binary: the page at / and its files under /ui/
are the repository's web/ files byte for byte, with their media types,
ETags that If-None-Match turns into 304s, a no-cache policy and a
Content-Security-Policy; they need no API key; and every module the page
imports is one psinet serves. (tests/browser drives the page itself.)"""

import glob
import os
import re
import unittest

from harness import Server, assert_problem

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
WEB = os.path.join(ROOT, "web")
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; "
       "img-src 'self'; connect-src 'self'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
TYPES = {".html": "text/html; charset=utf-8",
         ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8",
         ".svg": "image/svg+xml"}
server = None


def setUpModule():
    global server
    server = Server().start()


def tearDownModule():
    try:
        server.stop()
    finally:
        server.cleanup()


def served_files():
    """The files the Makefile embeds: web/*.{html,js,css,svg} and
    web/vendor/*.js, by name."""
    files = {}
    for pattern in ("*.html", "*.js", "*.css", "*.svg", "vendor/*.js"):
        for path in glob.glob(os.path.join(WEB, pattern)):
            files[os.path.basename(path)] = path
    return files


def read(path):
    with open(path, "rb") as f:
        return f.read()


class Lab(unittest.TestCase):
    def assert_lab_headers(self, r):
        self.assertEqual(r.header("cache-control"), "no-cache")
        self.assertEqual(r.header("content-security-policy"), CSP)
        self.assertEqual(r.header("referrer-policy"), "no-referrer")
        self.assertEqual(r.header("x-content-type-options"), "nosniff")
        self.assertRegex(r.header("etag"), r'^"[0-9a-f]{16}"$')

    def test_the_page_is_at_the_root(self):
        r = server.get("/")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, read(os.path.join(WEB, "index.html")))
        self.assertEqual(r.header("content-type"), TYPES[".html"])
        self.assert_lab_headers(r)

    def test_every_file_is_served_under_ui_byte_for_byte(self):
        files = served_files()
        self.assertIn("chart.umd.min.js", files)
        self.assertIn("psinet.js", files)
        etags = set()
        for name, path in sorted(files.items()):
            if name == "index.html":
                continue
            with self.subTest(name=name):
                r = server.get("/ui/" + name)
                self.assertEqual(r.status, 200)
                self.assertEqual(r.body, read(path))
                self.assertEqual(r.header("content-type"),
                                 TYPES[os.path.splitext(name)[1]])
                self.assert_lab_headers(r)
                etags.add(r.header("etag"))
        self.assertEqual(len(etags), len(files) - 1)  # one each

    def test_if_none_match_with_the_etag_is_304_without_a_body(self):
        for path in ("/", "/ui/app.js", "/ui/chart.umd.min.js"):
            with self.subTest(path=path):
                etag = server.get(path).header("etag")
                for method in ("GET", "HEAD"):
                    for given in (etag, "W/" + etag, '"0", ' + etag, "*"):
                        r = server.request(method, path,
                                           headers={"If-None-Match": given})
                        self.assertEqual(r.status, 304, given)
                        self.assertEqual(r.body, b"")
                        self.assertEqual(r.header("etag"), etag)
                        self.assert_lab_headers(r)
                r = server.get(path, headers={
                    "If-None-Match": '"0000000000000000"'})
                self.assertEqual(r.status, 200)
                self.assertTrue(r.body)

    def test_head_answers_like_get_without_a_body(self):
        for path in ("/", "/ui/style.css"):
            get, head = server.get(path), server.request("HEAD", path)
            self.assertEqual(head.status, 200)
            self.assertEqual(head.body, b"")
            for name in ("content-type", "etag", "cache-control",
                         "content-security-policy"):
                self.assertEqual(head.header(name), get.header(name))

    def test_unknown_files_are_404(self):
        for path in ("/ui/nothing.js", "/ui/index.html", "/ui/",
                     "/ui/vendor/chart.umd.min.js", "/ui/..%2fapi%2fweb.c",
                     "/index.html", "/ui/LICENSE.md"):
            with self.subTest(path=path):
                r = server.get(path)
                assert_problem(self, r, 404)
                self.assertIsNone(r.header("etag"))
        r = server.request("HEAD", "/ui/nothing.js")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.body, b"")

    def test_other_methods_are_405(self):
        for path in ("/", "/ui/app.js"):
            r = server.request("DELETE", path)
            assert_problem(self, r, 405)
            self.assertEqual(r.header("allow"), "GET, HEAD, OPTIONS")

    def test_the_page_needs_no_key_when_reads_do(self):
        env = {"PSINET_API_KEY": "k3y-for-the-lab-0123456789"}
        with Server("--auth-reads", env=env) as s:
            self.assertEqual(s.get("/").status, 200)
            self.assertEqual(s.get("/ui/psinet.js").status, 200)
            assert_problem(self, s.get("/version"), 401)

    def test_every_module_the_page_loads_is_served(self):
        """The page's <script>s, stylesheet and icon, and each module's
        imports: a file left out of the embedding would break the page."""
        page = read(os.path.join(WEB, "index.html")).decode()
        wanted = set(re.findall(r'(?:src|href)="ui/([^"]+)"', page))
        for name in served_files():
            if name.endswith(".js") and not name.endswith(".min.js"):
                text = read(served_files()[name]).decode()
                wanted |= set(re.findall(r"from '\./([^']+)'", text))
        self.assertTrue({"app.js", "style.css", "chart.umd.min.js",
                         "psinet.js", "ui.js"} <= wanted, wanted)
        for name in sorted(wanted):
            with self.subTest(name=name):
                self.assertEqual(server.get("/ui/" + name).status, 200)
