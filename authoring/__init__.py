"""Authoring tools: the Python sources of the nbgrader source notebooks in solutions/."""
