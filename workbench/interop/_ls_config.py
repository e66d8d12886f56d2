"""Label Studio labeling configs: written from a taxonomy, and read to learn each control's tag.

:func:`label_studio_config` writes the ``<View>`` XML a Label Studio project needs to label a
round of the taxonomy: ``<Choices>`` for a flat taxonomy, ``<Taxonomy>`` for a hierarchy,
``choice="multiple"`` for multi-label, plus the controls the workbench keeps per judgement:
a ``note`` text area and an ``unsure`` check box. :func:`config_controls` reads a config
back into ``{control name: tag}`` so an import knows what each result is.

Examples
--------
>>> from workbench.taxonomy import Taxonomy
>>> tax = Taxonomy.from_yaml('''
... name: intents
... version: 1
... categories:
...   - {id: refund, name: Refund request, definition: Money back.}
...   - {id: bug, definition: Something broke.}
... ''')
>>> print(label_studio_config(tax))
<View>
  <Text name="text" value="$text" />
  <Choices name="label" toName="text" choice="single" showInline="false" required="false">
    <Choice value="refund" hint="Money back." alias="refund" />
    <Choice value="bug" hint="Something broke." alias="bug" />
  </Choices>
  <Choices name="unsure" toName="text" choice="multiple">
    <Choice value="unsure" />
  </Choices>
  <TextArea name="note" toName="text" rows="2" editable="true" placeholder="Note (optional)" />
</View>
>>> config_controls(label_studio_config(tax))
{'label': 'Choices', 'unsure': 'Choices', 'note': 'TextArea'}
"""

from __future__ import annotations

from typing import Dict, List
from xml.etree import ElementTree as ET

from ..exceptions import DataError

__all__ = ["label_studio_config", "config_controls", "CONTROL_TAGS", "LABEL_FROM", "NOTE_FROM", "UNSURE_FROM",
           "CREATED_FROM"]

#: Control names the workbench writes (and reads back by default).
LABEL_FROM, NOTE_FROM, UNSURE_FROM = "label", "note", "unsure"
#: A result the workbench adds to carry a judgement's time (Label Studio resets ``created_at`` on import).
CREATED_FROM = "created_at"

#: Label Studio control tags and the result ``type`` each produces.
CONTROL_TAGS = {"Choices": "choices", "Taxonomy": "taxonomy", "Labels": "labels", "RectangleLabels": "rectanglelabels",
                "Pairwise": "pairwise", "Ranker": "ranker", "Rating": "rating", "Number": "number",
                "TextArea": "textarea"}


def _taxonomy_tree(parent: ET.Element, taxonomy, node_id, children: Dict) -> None:
    for cid in children.get(node_id, []):
        category = taxonomy.category(cid)
        el = ET.SubElement(parent, "Choice", value=cid, hint=category.definition or "")
        _taxonomy_tree(el, taxonomy, cid, children)


def label_studio_config(taxonomy, *, text_name: str = "text") -> str:
    """The Label Studio labeling config (XML) for labeling ``taxonomy``'s categories.

    Parameters
    ----------
    taxonomy : Taxonomy
    text_name : str, default='text'
        The task data field holding the item text (``$text``).

    Returns
    -------
    str
        XML with a ``<Choices name="label">`` (flat) or ``<Taxonomy name="label">``
        (hierarchical: groups as branches, labels as leaves), an ``unsure`` check box and a
        ``note`` text area. Retired categories are left out.
    """
    view = ET.Element("View")
    ET.SubElement(view, "Text", name=text_name, value=f"${text_name}")
    multiple = taxonomy.task == "multilabel"
    active = [c for c in taxonomy.categories if not c.deprecated]
    if taxonomy.groups:
        tree = ET.SubElement(view, "Taxonomy", name=LABEL_FROM, toName=text_name, leafsOnly="true",
                             maxUsages="0" if multiple else "1")
        children: Dict = {}
        for c in active:
            children.setdefault(c.parent, []).append(c.id)
        _taxonomy_tree(tree, taxonomy, None, children)
    else:
        choices = ET.SubElement(view, "Choices", name=LABEL_FROM, toName=text_name,
                                choice="multiple" if multiple else "single", showInline="false", required="false")
        for c in active:
            ET.SubElement(choices, "Choice", value=c.id, hint=c.definition or "", alias=c.id)
    unsure = ET.SubElement(view, "Choices", name=UNSURE_FROM, toName=text_name, choice="multiple")
    ET.SubElement(unsure, "Choice", value="unsure")
    ET.SubElement(view, "TextArea", name=NOTE_FROM, toName=text_name, rows="2", editable="true",
                  placeholder="Note (optional)")
    ET.indent(view, space="  ")
    return ET.tostring(view, encoding="unicode")


def config_controls(config: str) -> Dict[str, str]:
    """``{control name: tag}`` of every control in a Label Studio labeling config.

    Raises
    ------
    DataError
        The config is not XML.
    """
    try:
        root = ET.fromstring(config)
    except ET.ParseError as exc:
        raise DataError(f"The Label Studio labeling config is not valid XML ({exc}). Copy it from the project's "
                        "Settings > Labeling Interface > Code.", reason="bad_config") from None
    out: Dict[str, str] = {}
    for el in root.iter():
        if el.get("name") and el.get("toName") is not None:
            out[el.get("name")] = el.tag
    return out


def taxonomy_leaves(paths: List[List[str]]) -> List[str]:
    """The leaf of each ``<Taxonomy>`` path (``[["billing", "refund"]] -> ["refund"]``)."""
    return [p[-1] for p in paths if p]
