"""Toggle labels that say what a collapsed cell holds (a Sphinx extension of the book, see _config.yml).

myst-nb collapses a code cell tagged ``hide-input`` behind one label for every cell ("Show code cell source").
A cell that only checks is tagged ``checks`` as well, and its toggle reads "Show the checks"; the setup cell,
tagged ``setup``, reads "Show the setup". Every other collapsed cell keeps the book's default label
(``nb_code_prompt_show`` in _config.yml). The labels are set on the doctree just before myst-nb's own
post-transform (HideInputCells, priority 199) turns them into the page's ``<details>`` summaries.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

LABELS = {
    "checks": ("Show the checks", "Hide the checks"),
    "setup": ("Show the setup", "Hide the setup"),
}


class LabelToggles(SphinxPostTransform):
    """Give collapsed cells tagged with a key of LABELS that key's show/hide labels."""

    default_priority = 198  # before myst_nb.sphinx_.HideInputCells (199), which reads the labels
    formats = ("html",)

    def run(self, **kwargs) -> None:
        for node in self.document.findall(nodes.container):
            if node.get("nb_element") != "cell_code" or not node.get("hide_mode"):
                continue
            tags = (node.get("cell_metadata") or {}).get("tags", [])
            for tag, (show, hide) in LABELS.items():
                if tag in tags:
                    node["prompt_show"], node["prompt_hide"] = show, hide


def setup(app):
    app.add_post_transform(LabelToggles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
