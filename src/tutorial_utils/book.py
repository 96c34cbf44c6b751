"""Publishing: what a chapter's first cell does (:func:`setup`), numbers and figures glued for other pages of the
book, and small tables that render in Jupyter and in the HTML book.

It sits on top of the package: nothing else imports it, so the layers, measures and training loops never depend
on how the book is styled or published.
"""

from __future__ import annotations

import functools
import numbers
import re

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch

from . import plotting, runtime
from ._checks import as_array, as_bool, as_str, as_text, checked


def setup(seed: int = 0) -> torch.device:
    """Everything a chapter's first cell does: the book's figure style, seeds, the device; prints what runs.

    Returns the device (see :func:`runtime.get_device`). Notebooks call it once, after the Colab install line.
    """
    runtime.seed_everything(seed)
    plotting.use_style()
    print(runtime.describe())
    return runtime.get_device()


def _something(name: str, value):
    """Rule: anything but None (a figure or value to paste)."""
    if value is None:
        raise ValueError(f"{name} must be a figure or value to paste, got None")
    return value


@checked(name=as_text, obj=_something, display=as_bool)
def glue(name: str, obj, display: bool = True) -> None:
    """Store a figure or value under ``name`` so other pages of the book can paste it (the intro's gallery).

    Uses myst-nb's glue when it is installed; elsewhere (Colab) it only displays. A matplotlib figure is shown
    once here and then closed, so the inline backend does not draw it a second time.
    """
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show

            show(obj)
    else:
        myst_glue(name, obj, display=display)
    if isinstance(obj, mpl.figure.Figure):
        plt.close(obj)


def _reals(name: str, values: dict) -> dict:
    """Rule: keyword arguments that are all real numbers (bools refused), as floats."""
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{key} must be a real number, got {type(value).__name__} {value!r}")
    return {key: float(value) for key, value in values.items()}


@checked(values=_reals)
def glue_numbers(**values: float) -> None:
    """Store measured numbers for other pages, without showing them: ``book/conclusion.md`` pastes each one with
    ``{glue:text}`name:.2f``, so its recipe quotes what the chapters measured in the same build."""
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # Colab: nothing else reads them
        return
    for name, value in values.items():
        myst_glue(name, value, display=False)


# A cell that reads as a number: 3, -0.25, 1.2e-05, 1,024, 12%, 208x, 0.42 [0.40–0.45] (see mean_range).
_NUMBER = re.compile(r"^[+\-−]?(\d[\d,]*(\.\d*)?|\.\d+)(e[+\-]?\d+)?\s*(%|x|×)?(\s*\[[^\]]*\])?$", re.IGNORECASE)


_CELL = "padding: 0.25em 0.7em; border-bottom: 1px solid #ddd; vertical-align: top"


def _is_number(value) -> bool:
    """Whether a table cell holds a number (a real, or text that reads as one)."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and bool(_NUMBER.match(value.strip()))


def _html_cells(values, tag: str, numeric: list[bool]) -> str:
    """Escaped, padded table cells, e.g. ``<td style="...">3</td>``; numeric columns right-aligned."""
    from html import escape

    cells = []
    for v, right in zip(values, numeric):
        style = f"{_CELL}; text-align: {'right' if right else 'left'}"
        if right and tag == "td":  # a number stays on one line; a header may wrap
            style += "; font-variant-numeric: tabular-nums; white-space: nowrap"
        cells.append(f'<{tag} style="{style}">{escape(v)}</{tag}>')
    return "".join(cells)


class _Table:
    """A small table that Jupyter and the HTML book render as a real table (HTML, padded, numbers right-aligned,
    an optional caption), and text reprs show as Markdown."""

    def __init__(self, header, rows, caption: str | None = None) -> None:
        self.header = [str(h) for h in header]
        self.rows = [[str(v) for v in row] for row in rows]
        self.caption = caption
        # a column is numeric when every non-empty cell in it is a number (and one cell at least is not empty)
        self.numeric = [
            any(row[c] for row in self.rows) and all(_is_number(row[c]) for row in self.rows if row[c])
            for c in range(len(self.header))
        ]

    def _repr_markdown_(self) -> str:
        rule = "|" + "".join("---:|" if right else "---|" for right in self.numeric)
        lines = ["| " + " | ".join(self.header) + " |", rule]
        table = "\n".join(lines + ["| " + " | ".join(row) + " |" for row in self.rows])
        return f"{self.caption}\n\n{table}" if self.caption else table

    def _repr_html_(self) -> str:
        from html import escape

        body = "".join(f"<tr>{_html_cells(row, 'td', self.numeric)}</tr>" for row in self.rows)
        head = _html_cells(self.header, "th", self.numeric).replace("#ddd", "#888")
        caption = (
            f'<caption style="caption-side: top; text-align: left; padding: 0.3em 0; font-style: italic">'
            f"{escape(self.caption)}</caption>"
            if self.caption
            else ""
        )
        return (
            '<table class="tu-table" style="border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em">'
            f"{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )

    def __repr__(self) -> str:
        return self._repr_markdown_()


def _header(name: str, value) -> list:
    """Rule: a non-empty list (or tuple) of column names."""
    if isinstance(value, str) or not isinstance(value, (tuple, list)) or not value:
        raise TypeError(f"{name} must be a non-empty list of column names, got {type(value).__name__} {value!r}")
    return value


def _as_rows(rows, width: int) -> list:
    """``rows`` as a list of rows, each a sequence of ``width`` values (one per column)."""
    if isinstance(rows, str) or not hasattr(rows, "__iter__"):
        raise TypeError(f"rows must be a sequence of rows (each a sequence of values), got {type(rows).__name__}")
    rows = list(rows)
    for row in rows:
        if isinstance(row, str) or not hasattr(row, "__len__") or len(row) != width:
            raise ValueError(f"rows must each hold {width} values (one per header entry), got {row!r}")
    return rows


@checked(header=_header, caption=functools.partial(as_str, optional=True))
def table(header, rows, caption: str | None = None) -> _Table:
    """Rows of values as a table to display in a notebook (the last expression of a cell): Jupyter and the
    HTML book render it as an HTML table with padded cells, numeric columns right-aligned and an optional
    ``caption`` above it; plain-text reprs show Markdown."""
    rows = _as_rows(rows, len(header))
    return _Table(header, rows, caption)


def _seed_values(name: str, value) -> np.ndarray:
    """Rule: at least one finite number (one per seed), as a flat array."""
    a = as_array(name, value, "a sequence of numbers (one per seed)").ravel()
    if a.size == 0:
        raise ValueError(f"{name} must hold at least one number (one per seed), got none")
    return a


def _number_format(name: str, value) -> str:
    """Rule: a format specification for numbers, such as '.2f' or '.1e'."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a format specification such as '.2f' or '.1e', got {type(value).__name__}")
    try:
        format(0.0, value)
    except ValueError as err:
        raise ValueError(f"{name} must be a format specification for numbers such as '.2f', got {value!r}") from err
    return value


@checked(values=_seed_values, fmt=_number_format)
def mean_range(values, fmt: str = ".2f") -> str:
    """Results over several seeds as one cell of text, "mean [min–max]" (e.g. ``0.42 [0.38–0.47]``), each
    number formatted with ``fmt``; a single value is shown alone."""
    mean = format(float(values.mean()), fmt)
    if values.size == 1:
        return mean
    return f"{mean} [{format(float(values.min()), fmt)}–{format(float(values.max()), fmt)}]"
