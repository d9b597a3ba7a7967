# Fork until no process can be started any more; each child lingers under a marked command line.
import os, sys
children = 0
try:
    for _ in range(5000):
        pid = os.fork()
        if pid == 0:
            try:
                os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(30)", "nncourse-attack-bomb"])
            finally:
                os._exit(0)
        children += 1
except OSError as exc:
    print("stopped after", children, exc)
