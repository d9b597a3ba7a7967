# Replace the results folder itself by a symlink to a host folder (O_NOFOLLOW guards only a path's last
# component): here the attacker's own submission folder, where it handed in forged result files beside
# its notebook. The grader must not read there at all.
import os, shutil
import autograde.sandboxed.harness as h
h.run_check = lambda *a, **k: None
shutil.rmtree("/job/out/results", ignore_errors=True)
os.symlink("@MYFOLDER@", "/job/out/results")
