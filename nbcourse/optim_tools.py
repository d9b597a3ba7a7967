"""Helpers for the notebooks on optimizers (06) and generalization (07): a guard for demo cells whose
exercise is not written yet, and a slider widget that redraws any picture.

Nothing here is an exercise answer: every function that steps, trains or regularizes is passed in by
the notebook (the student's own function), and this module only calls it and draws. The drawing
function a widget redraws follows :mod:`nbcourse.plot`: it takes an ``Axes``, draws on it (title and
labelled axes included) and returns it. matplotlib and ipywidgets are imported lazily.
"""
from __future__ import annotations

import base64
import io
import numbers

__all__ = ["needs", "slider_widget"]


from nbcourse.ready import needs  # noqa: E402  the one 'implement X first' guard of the course


def _png_output(fig) -> dict:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    text = fig.axes[0].get_title() if fig.axes else "figure"
    return {
        "output_type": "display_data",
        "data": {"image/png": base64.b64encode(buffer.getvalue()).decode("ascii"), "text/plain": text},
        "metadata": {},
    }


def _real(spec: dict, key: str, name: str) -> float:
    value = spec.get(key)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"sliders[{name!r}][{key!r}] must be a real number, got {type(value).__name__}")
    return float(value)


def _slider(name: str, spec: dict):
    import ipywidgets as widgets

    if not isinstance(spec, dict):
        raise TypeError(f"sliders[{name!r}] must be a dict with min, max, value (and step or log), got {type(spec).__name__}")
    lo, hi, value = _real(spec, "min", name), _real(spec, "max", name), _real(spec, "value", name)
    if not lo < hi:
        raise ValueError(f"sliders[{name!r}]: min must be below max, got {lo} and {hi}")
    if not lo <= value <= hi:
        raise ValueError(f"sliders[{name!r}]: value {value} is outside [{lo}, {hi}]")
    label = spec.get("description", name)
    if spec.get("log"):
        if lo <= 0:
            raise ValueError(f"sliders[{name!r}]: a log slider needs min > 0, got {lo}")
        import math

        return widgets.FloatLogSlider(value=value, base=10, min=math.log10(lo), max=math.log10(hi),
                                      step=float(spec.get("step", 0.05)), description=label,
                                      readout_format=spec.get("format", ".3g"), continuous_update=False)
    if spec.get("integer"):
        return widgets.IntSlider(value=int(value), min=int(lo), max=int(hi), step=int(spec.get("step", 1)),
                                 description=label, continuous_update=False)
    return widgets.FloatSlider(value=value, min=lo, max=hi, step=float(spec.get("step", (hi - lo) / 100)),
                               description=label, readout_format=spec.get("format", ".2f"), continuous_update=False)


def slider_widget(draw, sliders: dict, *, figsize=(6.5, 4.5), ncols: int = 1):
    """Sliders that redraw a picture: ``draw(axes, **values)`` is called on every move.

    Parameters
    ----------
    draw : callable ``draw(ax, **values)`` (or ``draw(axes, **values)`` with ``ncols > 1``, ``axes`` a
        list of Axes) — draws with the slider values by name; it should set titles and axis labels.
        If it raises ``NotImplementedError`` (an exercise is still a stub), the widget shows that
        message instead of a picture.
    sliders : dict name -> spec, where spec is a dict with ``min``, ``max``, ``value`` and optionally
        ``step``, ``log`` (a logarithmic slider, base 10), ``integer``, ``description``, ``format``.
    figsize : (width, height) in inches.
    ncols : number of side-by-side panels handed to ``draw``.

    Returns
    -------
    ipywidgets.VBox — children: the sliders in the given order, then an Output holding the picture.
    The box also carries ``.sliders`` (dict name -> slider), ``.output``, ``.figure``, ``.axes`` (the
    Axes last drawn on; a list when ``ncols > 1``) and ``.redraw()``.
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    if not callable(draw):
        raise TypeError(f"draw must be callable, got {type(draw).__name__}")
    if not isinstance(sliders, dict) or not sliders:
        raise TypeError("sliders must be a non-empty dict name -> spec")
    controls = {name: _slider(name, spec) for name, spec in sliders.items()}
    output = widgets.Output()
    fig = Figure(figsize=figsize, layout="constrained")  # not pyplot: no global figure to leak or auto-show
    box = widgets.VBox([*controls.values(), output])
    box.sliders, box.output, box.figure, box.axes = controls, output, fig, None

    def redraw(_change=None):
        fig.clear()
        axes = [fig.add_subplot(1, ncols, k + 1) for k in range(ncols)]
        values = {name: s.value for name, s in controls.items()}
        try:
            drawn = draw(axes[0] if ncols == 1 else axes, **values)
        except NotImplementedError as exc:
            box.axes = None
            output.outputs = ({"output_type": "stream", "name": "stdout",
                               "text": f"implement the exercises this widget uses first ({exc or 'a stub raised NotImplementedError'})\n"},)
            return
        box.axes = drawn if drawn is not None else (axes[0] if ncols == 1 else axes)
        output.outputs = (_png_output(fig),)

    box.redraw = redraw
    for s in controls.values():
        s.observe(redraw, names="value")
    redraw()
    return box
