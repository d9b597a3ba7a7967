"""The course's ipywidgets, for the real-browser test that moves their sliders in JupyterLab.

Add one line per widget when a notebook gets one::

    Widget("02_mlp", "mlp.ipynb", "nc.widgets.hidden_units_widget(", sliders=2),

- the assignment folder and notebook file name, as in ``notebooks/``;
- a piece of text from the SOURCE of the code cell that shows the widget (the first code cell of the
  solved notebook containing it is used; make it unique, e.g. the call itself);
- how many sliders (``ipywidgets`` ``IntSlider``/``FloatSlider``, rendered as ``.widget-slider``) it shows.

``test_widget_sliders_redraw_the_picture`` then opens the SOLVED notebook (the release with every
answer filled in from ``solutions/``) in JupyterLab, runs all cells, and for each slider in turn
presses ArrowRight three times on its handle (ArrowLeft if it sat at its maximum) and asserts that
the readout changed and that the picture in the widget's Output (``.widget-output img``) was redrawn:
a new ``src`` that stays the same for a second. So the widget must draw its picture into an
``ipywidgets.Output`` as an image (``IPython.display`` of a PNG, or a matplotlib figure shown in
the Output), as ``nc.widgets.neuron_widget`` does. A screenshot of the widget after each move goes
to the browser tests' artefacts folder.

Run only these tests with::

    .venv/bin/python -m pytest tests/browser -m browser -q -p no:randomly -k widget
"""
from __future__ import annotations

from typing import NamedTuple


class Widget(NamedTuple):
    assignment: str   # folder under notebooks/, e.g. "01_perceptron"
    notebook: str     # file name, e.g. "perceptron.ipynb"
    marker: str       # text that identifies the widget's code cell
    sliders: int      # number of sliders the widget shows

    @property
    def id(self) -> str:
        return f"{self.assignment}:{self.marker.strip().rstrip('(')}"


WIDGETS: list[Widget] = [
    Widget("01_perceptron", "perceptron.ipynb", "nc.widgets.neuron_widget(", sliders=3),
    Widget("04_gradient_descent", "gradient_descent.ipynb", "gt.lr_widget(", sliders=1),
    Widget("05_backprop", "backprop.ipynb", "gt.gradient_depth_widget(", sliders=1),
    Widget("02_mlp", "mlp.ipynb", "mlp_widgets.approximation_widget(", sliders=1),
    Widget("03_losses", "losses.ipynb", "losses_widgets.softmax_widget(", sliders=3),
    Widget("06_optimizers", "optimizers.ipynb", "race = slider_widget(", sliders=2),
    Widget("07_generalization", "generalization.ipynb", "decay = slider_widget(", sliders=1),
    Widget("07_generalization", "generalization.ipynb", "scale = slider_widget(", sliders=1),
]
