# Fork a daemon that acts after the notebook ended: it rewrites grades a few seconds later, then lingers.
# (It runs under a marked command line, so the test can look for it among the host's processes.)
import os, sys
DAEMON = """
import time
time.sleep(4)
for path in ["@COURSE@/grades.csv", "@GRADEBOOK@"]:
    try:
        open(path, "w").write("hacked by a daemon")
    except Exception:
        pass
time.sleep(60)
"""
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", DAEMON, "nncourse-attack-daemon"])
    os._exit(0)
