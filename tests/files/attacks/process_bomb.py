# Fork until the machine cannot start another process.
import os, time
children = 0
try:
    for _ in range(5000):
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
        children += 1
except OSError as exc:
    print("stopped after", children, exc)
