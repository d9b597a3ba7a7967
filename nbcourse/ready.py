"""Demo cells that wait for the student's answers: ``with needs("layer_forward"): ...``.

A plot or widget cell of a released notebook calls functions the student has not written yet; their
stubs raise ``NotImplementedError``. Wrapped in :func:`needs`, such a cell prints one line
("implement layer_forward first, then run this cell again") instead of a traceback, and closes the
half-drawn figures it opened. Any other error still shows in full: it is a real bug to look at.
"""
from __future__ import annotations

__all__ = ["needs"]


class needs:  # noqa: N801 - used like a function: `with needs("softmax"):`
    """Context manager: swallow ``NotImplementedError`` raised inside, and say which answers are missing.

    Parameters
    ----------
    *names : str — the answers the cell uses, named in the message.
    """

    def __init__(self, *names: str):
        if not names or not all(isinstance(n, str) and n for n in names):
            raise TypeError("needs() takes the names of the functions the cell uses, e.g. needs('softmax')")
        self.names = names
        self.missing = False

    def __enter__(self):
        import matplotlib.pyplot as plt

        self._figures = set(plt.get_fignums())
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            return False
        # a stub raising NotImplementedError, or a value answer (AND_WEIGHTS = ...) whose cell raised, so that its
        # name was never defined: both mean "not written yet"; any other error is a real bug and shows in full
        unwritten = issubclass(exc_type, NotImplementedError) or (
            issubclass(exc_type, NameError) and getattr(exc, "name", None) in self.names)
        if not unwritten:
            return False
        import matplotlib.pyplot as plt

        for num in set(plt.get_fignums()) - self._figures:  # no empty or half-drawn picture left behind
            plt.close(num)
        self.missing = True
        quoted = [f"`{n}`" for n in self.names]
        listed = ", ".join(quoted[:-1]) + " and " + quoted[-1] if len(quoted) > 1 else quoted[0]
        print(f"implement {listed} first (the exercises above), then run this cell again.")
        return True
