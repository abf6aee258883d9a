"""The README's examples, run: every curl call of README.md, top to bottom,
against a fresh server on a fresh database, each answer compared with the
one the README shows.

An example is a line of an indented block that begins with `curl`, with
its continuation lines (a trailing backslash, or a quote still open), and
the lines after it up to the next call or the end of the block are the
answer it shows. `localhost:8080` is the test server's address. A call
whose last word is `...` is a sketch, not a call, and is not run.

The comparison masks what differs from run to run: ids (sup_, net_ and
exp_ and 20 characters), times (RFC 3339 with milliseconds) and list
cursors. It still holds the README to itself: an id or a time the README
shows twice must be the same id or time of the run both times, and two
different ids of the README must be two different ids of the run (one
experiment is not shown under two ids). A README id written in a later
call is replaced by the run's; $SUP, $NET and $EXP are the ids of the last
superposition, network and experiment an answer named first. "..." in an
answer elides any text. Lines of an answer are one line wrapped: they are
joined, white space at the joins ignored. An answer shown with its status
line (curl -i) is compared header by header: each header the README shows
must be there, in any order, with its value."""

import os
import re
import shlex
import shutil
import subprocess
import unittest

from harness import Server

README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                      "README.md")

ID = r"(?:sup|net|exp)_[a-z2-7]{20}"
TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
CURSOR = r"c2\.[0-9a-f]{16}\.[0-9a-f]{16}"
MASKS = re.compile(r"(%s)|(%s)|(%s)|( *\.\.\. *)" % (ID, TIME, CURSOR))


def examples(text):
    """(line number, command, expected answer lines) of every curl call in
    README text, in order."""
    lines = text.split("\n")
    out = []
    i = 0
    in_block = False
    while i < len(lines):
        line = lines[i]
        indented = line.startswith("    ")
        if not line.strip():
            in_block = in_block and True
            i += 1
            continue
        if not indented:
            in_block = False
            i += 1
            continue
        if not in_block and i > 0 and lines[i - 1].strip():
            i += 1          # a list item's continuation, not a block
            continue
        in_block = True
        if not line.strip().startswith("curl "):
            i += 1
            continue
        start = i
        command = line.strip()
        while not complete(command):
            i += 1
            command += "\n" + lines[i].strip()
        i += 1
        answer = []
        while (i < len(lines) and lines[i].startswith("    ") and
               not lines[i].strip().startswith("curl ")):
            answer.append(lines[i].strip())
            i += 1
        out.append((start + 1, command, answer))
    return out


def complete(command):
    """Whether command needs no further line: no trailing backslash, no
    quote left open."""
    if command.endswith("\\"):
        return False
    try:
        shlex.split(command, comments=True)
        return True
    except ValueError:
        return False


def pattern(expected):
    """A regex for an answer as the README shows it; its groups are the
    masked ids, times and cursors, in order (None for "...")."""
    parts = []
    kinds = []
    pos = 0
    for m in MASKS.finditer(expected):
        parts.append(re.escape(expected[pos:m.start()]))
        if m.group(1):
            parts.append("(%s)" % ID)
            kinds.append(("id", m.group(1)))
        elif m.group(2):
            parts.append("(%s)" % TIME)
            kinds.append(("time", m.group(2)))
        elif m.group(3):
            parts.append("(%s)" % CURSOR)
            kinds.append(("cursor", m.group(3)))
        else:
            parts.append(".*?")
        pos = m.end()
    parts.append(re.escape(expected[pos:]))
    return "".join(parts), kinds


def joined(lines):
    """An answer's lines as the one line they wrap, white space at the joins
    allowed but not required."""
    return "\x00".join(line.strip() for line in lines if line.strip())


@unittest.skipUnless(shutil.which("curl"), "curl is not installed")
class Readme(unittest.TestCase):
    def test_every_curl_example_answers_as_the_readme_shows(self):
        with open(README) as f:
            calls = examples(f.read())
        self.assertGreater(len(calls), 20)
        with Server() as s:
            state = {"ids": {}, "times": {}, "env": {}}
            ran = 0
            for line, command, answer in calls:
                if command.rstrip().endswith("..."):
                    continue
                with self.subTest(line=line, command=command[:70]):
                    self.run_example(s, state, line, command, answer)
                ran += 1
            self.assertGreater(ran, 20)

    def run_example(self, s, state, line, command, answer):
        cmd = command.replace("localhost:8080", "127.0.0.1:%d" % s.port)
        for readme_id, run_id in state["ids"].items():
            cmd = cmd.replace(readme_id, run_id)
        env = dict(os.environ, **state["env"])
        r = subprocess.run(["sh", "-c", cmd], capture_output=True,
                           env=env, timeout=60)
        self.assertEqual(r.returncode, 0, (line, r.stderr))
        got = r.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
        first = re.search(r'"id":"(%s)"' % ID, got)
        if first:
            state["env"][{"sup": "SUP", "net": "NET",
                          "exp": "EXP"}[first.group(1)[:3]]] = first.group(1)
        if not answer:
            return
        if answer[0].startswith("HTTP/"):
            self.compare_with_headers(state, line, answer, got)
        else:
            self.compare(state, line, answer, got.strip())

    def compare(self, state, line, answer, got):
        regex, kinds = pattern(joined(answer))
        regex = regex.replace("\x00", r"\s*")
        m = re.fullmatch(regex, got, re.S)
        self.assertIsNotNone(m, "README line %d shows\n%s\nbut the server "
                             "answered\n%s" % (line, "\n".join(answer), got))
        self.same_values(state, line, kinds, m.groups())

    def compare_with_headers(self, state, line, answer, got):
        head, _, body = got.partition("\n\n")
        head_lines = head.split("\n")
        shown = answer[:answer.index("...")] if "..." in answer else answer
        body_shown = answer[len(shown) + 1:] if "..." in answer else []
        self.assertEqual(head_lines[0].strip(), shown[0], line)
        for h in shown[1:]:
            name, _, value = h.partition(": ")
            regex, kinds = pattern(value)
            found = [re.fullmatch(regex, v.partition(": ")[2].strip())
                     for v in head_lines[1:]
                     if v.lower().startswith(name.lower() + ":")]
            found = [f for f in found if f]
            self.assertTrue(found, "README line %d shows the header %r; the "
                            "answer's were\n%s" % (line, h, head))
            self.same_values(state, line, kinds, found[0].groups())
        if body_shown:
            self.compare(state, line, body_shown, body.strip())

    def same_values(self, state, line, kinds, values):
        """Each id or time the README shows maps to one of the run, and two
        ids of the README to two of the run."""
        for (kind, shown), got in zip(kinds, [v for v in values]):
            if kind == "cursor":
                continue
            seen = state["ids" if kind == "id" else "times"]
            if shown in seen:
                self.assertEqual(seen[shown], got,
                                 "README line %d shows %s, which an earlier "
                                 "answer showed for %s: the run gives %s"
                                 % (line, shown, seen[shown], got))
            else:
                other = [k for k, v in seen.items() if v == got]
                self.assertFalse(other, "README line %d shows %s for what "
                                 "it showed earlier as %s (%s in this run)"
                                 % (line, shown, other, got))
                seen[shown] = got


if __name__ == "__main__":
    unittest.main()
