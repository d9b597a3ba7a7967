"""The graded items of every notebook, by name (the contract of DESIGN.md's curriculum table).

Each notebook's module lists its :class:`autograde.spec.Item` objects in ``ITEMS``. Graded names
are unique across the course, so a hidden test cell only says ``check("sigmoid", sigmoid)``.
"""
from __future__ import annotations

from importlib import import_module

from autograde.spec import Item

# notebook id (folder under solutions/) -> module under autograde.items
NOTEBOOK_MODULES = {
    "01_perceptron": "perceptron",
}


def items_of(notebook: str) -> list[Item]:
    """The graded items of one notebook, in the notebook's order."""
    if notebook not in NOTEBOOK_MODULES:
        raise KeyError(f"unknown notebook {notebook!r}; known: {sorted(NOTEBOOK_MODULES)}")
    return list(import_module(f"autograde.items.{NOTEBOOK_MODULES[notebook]}").ITEMS)


def all_items() -> dict[str, Item]:
    """Every graded item of the course, by graded name."""
    out: dict[str, Item] = {}
    for nb in NOTEBOOK_MODULES:
        for item in items_of(nb):
            if item.name in out:
                raise ValueError(f"graded name {item.name!r} is used by {out[item.name].notebook} and {nb}")
            out[item.name] = item
    return out


def get_item(name: str) -> Item:
    items = all_items()
    if name not in items:
        raise KeyError(f"{name!r} is not a graded name; graded names: {sorted(items)}")
    return items[name]
