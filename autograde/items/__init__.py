"""The graded items of every notebook, by name (the contract of DESIGN.md's curriculum table).

Found by convention, so a notebook is added in one place: the notebook ``NN_topic`` (its folder
under ``solutions/``) has its items in ``autograde/items/topic.py``, a module that sets
``NOTEBOOK = "NN_topic"`` and lists its :class:`autograde.spec.Item` objects in ``ITEMS`` (and,
for ``make demo``, two classic bugs in ``DEMO_BUGS``: answer cell grade id -> code). Graded
names are unique across the course, so a hidden test cell only says ``check("sigmoid", sigmoid)``.

These modules are trusted-side only: they hold each item's known mistakes, which are close to the
answers. The sandbox never sees them (see :mod:`autograde.sandboxed`).
"""
from __future__ import annotations

import pkgutil
from functools import lru_cache
from importlib import import_module
from types import ModuleType

from autograde.spec import Item


def module_name(notebook: str) -> str:
    """``"01_perceptron"`` -> ``"perceptron"``: the items module of a notebook, by convention."""
    head, _, topic = notebook.partition("_")
    if not (head.isdigit() and topic):
        raise KeyError(f"a notebook id is NN_topic (e.g. 01_perceptron), got {notebook!r}")
    return topic


@lru_cache(maxsize=None)
def modules() -> dict[str, ModuleType]:
    """Every items module of the course, by notebook id."""
    out: dict[str, ModuleType] = {}
    for info in pkgutil.iter_modules(__path__):
        mod = import_module(f"{__name__}.{info.name}")
        notebook = getattr(mod, "NOTEBOOK", None)
        if notebook is None or not hasattr(mod, "ITEMS"):
            continue
        if module_name(notebook) != info.name:
            raise ValueError(f"autograde/items/{info.name}.py says NOTEBOOK = {notebook!r}; by convention it "
                             f"must be autograde/items/{module_name(notebook)}.py")
        out[notebook] = mod
    return dict(sorted(out.items()))


def items_of(notebook: str) -> list[Item]:
    """The graded items of one notebook, in the notebook's order."""
    mods = modules()
    if notebook not in mods:
        raise KeyError(f"unknown notebook {notebook!r}; known: {sorted(mods)} "
                       f"(its items belong in autograde/items/{module_name(notebook)}.py)")
    return list(mods[notebook].ITEMS)


def demo_bugs(notebook: str) -> dict[str, str]:
    """Two classic bugs of a notebook (answer cell grade id -> code), for the demo's buggy submission."""
    return dict(getattr(modules()[notebook], "DEMO_BUGS", {}))


@lru_cache(maxsize=None)
def all_items() -> dict[str, Item]:
    """Every graded item of the course, by graded name."""
    out: dict[str, Item] = {}
    for nb in modules():
        for item in items_of(nb):
            if item.notebook != nb:
                raise ValueError(f"item {item.name!r} in the items of {nb} says notebook {item.notebook!r}")
            if item.name in out:
                raise ValueError(f"graded name {item.name!r} is used by {out[item.name].notebook} and {nb}")
            out[item.name] = item
    return out


def get_item(name: str) -> Item:
    items = all_items()
    if name not in items:
        raise KeyError(f"{name!r} is not a graded name; graded names: {sorted(items)}")
    return items[name]
