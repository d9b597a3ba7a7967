# Write the executed notebook myself: 30,000 cells marked as my own extra code, with big outputs, then kill the
# client so that it never writes the real one. The grader once turned every such cell into a cell of the
# autograded notebook and of the feedback (+245 s, 830 MB, a 14.8 MB feedback page, formgrader frozen).
import json, os, signal
cell = {"cell_type": "code", "execution_count": 1, "metadata": {"autograde": {"role": "extra", "key": ""}},
        "source": "x = 1  # " + "pad " * 10,
        "outputs": [{"output_type": "stream", "name": "stdout", "text": "forged" + " output" * 3}]}  # (split: my own code is shown)
nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell] * 30_000}
out = os.path.join(os.environ["AUTOGRADE_HARNESS"], "out", "executed.ipynb")
with open(out, "w") as fh:
    json.dump(nb, fh)
os.kill(os.getppid(), signal.SIGKILL)  # the client, which would overwrite the file at the end of the run
