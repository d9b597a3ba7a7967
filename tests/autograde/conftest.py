"""The grader's tests: their folder is importable (tests/ is no package under --import-mode=importlib), for the
helpers in formgrader_api.py (a real Jupyter server with nbgrader's formgrader, and its REST API)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
