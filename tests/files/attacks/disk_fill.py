# Fill the disk: write 10 MB files into every writable place until something refuses (2 GB at most).
import os
written = 0
for folder in ["/job/out", "/tmp"]:
    for i in range(200):
        try:
            with open(f"{folder}/fill{i}.bin", "wb") as fh:
                fh.write(b"\0" * (10 * 2**20))
            written += 10
        except OSError as exc:
            print(folder, "refused after", written, "MB:", exc)
            break
