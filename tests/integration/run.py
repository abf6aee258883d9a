"""Runs every tests/integration/test_*.py against $PSINET_BIN and ends with
the line "N passed, N failed"."""

import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)

suite = unittest.defaultTestLoader.discover(here, pattern="test_*.py",
                                            top_level_dir=here)

# The modules about HTTP alone (connection limits, slow clients, early
# answers, the lab's files, computations that store nothing) ask nothing
# of the database: the PostgreSQL pass (PSINET_TEST_PG) leaves them to the
# SQLite passes, which run the very same code.
HTTP_ONLY = ("test_limits_net", "test_early_answers", "test_web",
             "test_compute")


def flatten(s):
    for t in s:
        if isinstance(t, unittest.TestSuite):
            yield from flatten(t)
        else:
            yield t


if os.environ.get("PSINET_TEST_PG"):
    suite = unittest.TestSuite(t for t in flatten(suite)
                               if t.id().split(".")[0] not in HTTP_ONLY)
if len(sys.argv) > 1:  # run only tests whose id contains an argument
    def only(s):
        for t in s:
            if isinstance(t, unittest.TestSuite):
                yield from only(t)
            elif any(a in t.id() for a in sys.argv[1:]):
                yield t
    suite = unittest.TestSuite(list(only(suite)))

result = unittest.TextTestRunner(verbosity=1, stream=sys.stdout).run(suite)
failed = len(result.failures) + len(result.errors) + \
    len(result.unexpectedSuccesses)
passed = result.testsRun - failed - len(result.skipped)
print("%d passed, %d failed" % (passed, failed))
sys.exit(0 if failed == 0 and result.testsRun > 0 else 1)
