# Hog the CPU: 50 children, each in its own session (its own scheduler autogroup), spin for 3 s while
# classmates are graded on the same machine. Unbounded, this slowed concurrent jobs 25-45x (an honest
# job took 117 s of its 120 s). The cell waits for its children, so its own tests run after them.
import os, signal, time
pids = []
for _ in range(50):
    pid = os.fork()
    if pid == 0:  # a copy of the kernel: it must never return into the kernel's code
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            os.setsid()
            end = time.time() + 3
            while time.time() < end:
                pass
        finally:
            os._exit(0)
    pids.append(pid)
for pid in pids:
    os.waitpid(pid, 0)
