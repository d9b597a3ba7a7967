# Print 50 MB to the notebook.
import sys
for _ in range(50):
    sys.stdout.write("x" * (1024 * 1024))
