"""Crash consistency: clients write experiments concurrently while the
server is killed with SIGKILL, several times. After each restart the
database passes PRAGMA integrity_check and every experiment whose 201 a
client received is there, intact."""

import os
import shutil
import signal
import sqlite3
import tempfile
import threading
import time
import unittest

from harness import Server

ROUNDS = 3
WRITERS = 4


class Crash(unittest.TestCase):
    def test_acknowledged_writes_survive_sigkill(self):
        d = tempfile.mkdtemp(prefix="psinet-crash-")
        db = os.path.join(d, "crash.db")
        acked = {}              # id -> the body of its 201
        lock = threading.Lock()
        try:
            for round_no in range(ROUNDS):
                s = Server(db=db, workdir=d).start()
                stop = threading.Event()

                def writer(n):
                    i = 0
                    while not stop.is_set():
                        i += 1
                        body = {"name": "r%d-w%d-%d" % (round_no, n, i),
                                "kind": "neuron_activation", "tags": ["crash"],
                                "params": {"amplitudes": [1, i],
                                           "weights": [[1, 0], [0, 1]],
                                           "activation": "tanh"}}
                        try:
                            r = s.post("/v1/experiments", body, timeout=5)
                        except OSError:
                            return      # the server is gone
                        if r.status == 201:
                            with lock:
                                acked[r.json["id"]] = r.json
                threads = [threading.Thread(target=writer, args=(n,))
                           for n in range(WRITERS)]
                for t in threads:
                    t.start()
                time.sleep(0.4)
                s.proc.send_signal(signal.SIGKILL)   # no goodbye
                s.proc.wait()
                stop.set()
                for t in threads:
                    t.join()
                s.proc = None
                s.cleanup()

                con = sqlite3.connect(db)
                self.assertEqual(con.execute("PRAGMA integrity_check")
                                 .fetchone()[0], "ok")
                con.close()
                with Server(db=db, workdir=d) as again:
                    for eid, body in acked.items():
                        r = again.get("/v1/experiments/" + eid)
                        self.assertEqual(r.status, 200, eid)
                        self.assertEqual(r.json, body)
            self.assertGreater(len(acked), ROUNDS * WRITERS)
        finally:
            shutil.rmtree(d, ignore_errors=True)
