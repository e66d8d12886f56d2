"""The one home of input checks shared by every module.

Error messages follow the scikit-learn template: *The 'param' parameter of func must
be ... Got ... instead.*

Examples
--------
>>> from workbench._internal.validation import check_option, check_random_state
>>> check_option("margin", {"margin", "entropy"}, param="strategy", caller="select_batch")
'margin'
>>> check_option("entrpy", {"margin", "entropy"}, param="strategy", caller="select_batch")
Traceback (most recent call last):
...
workbench.exceptions.ValidationError: The 'strategy' parameter of select_batch must be one of {'entropy', 'margin'}. Got 'entrpy' instead.
>>> int(check_random_state(0).integers(100)) == int(check_random_state(0).integers(100))
True
"""

from __future__ import annotations

import warnings
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from ..exceptions import DataError, ValidationError, WorkbenchWarning

__all__ = [
    "ITEM_COL",
    "ANNOTATOR_COL",
    "LABEL_COL",
    "check_option",
    "check_random_state",
    "check_columns",
    "check_positive_int",
    "check_fraction",
    "shown",
    "drop_repeated_ids",
]

#: Canonical column names of the long annotation format.
ITEM_COL = "item_id"
ANNOTATOR_COL = "annotator"
LABEL_COL = "label"


def check_option(value: Any, valid: Iterable[Any], *, param: str, caller: str) -> Any:
    """Return ``value`` if it is one of ``valid``; otherwise raise a ValidationError listing them."""
    valid = set(valid) if not isinstance(valid, Mapping) else set(valid.keys())
    if value not in valid:
        shown = "{" + ", ".join(repr(v) for v in sorted(valid, key=str)) + "}"
        raise ValidationError(
            f"The {param!r} parameter of {caller} must be one of {shown}. Got {value!r} instead."
        )
    return value


def check_random_state(random_state: Any = None) -> np.random.Generator:
    """Turn ``None``, an int, a ``Generator`` or a ``RandomState`` into a NumPy ``Generator``.

    Parameters
    ----------
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        ``None`` gives fresh entropy; an int gives a reproducible stream.
    """
    if random_state is None or isinstance(random_state, (int, np.integer)):
        return np.random.default_rng(random_state)
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    raise ValidationError(
        "The 'random_state' parameter must be None, an int, a numpy Generator or RandomState. "
        f"Got {random_state!r} instead."
    )


def check_columns(df, required: Sequence[str], *, what: str = "the data", hint: Optional[str] = None):
    """Raise a DataError naming the missing columns and the columns present.

    Parameters
    ----------
    df : pandas.DataFrame
    required : sequence of str
    what : str
        How to call the frame in the message, e.g. ``"annotations"``.
    hint : str, optional
        Extra advice appended to the message (default: how to rename by keyword).
    """
    missing = [c for c in required if c not in df.columns]
    if missing:
        present = [str(c) for c in df.columns]
        advice = hint or "Rename the columns, or pass the column names by keyword (e.g. item_col='id')."
        raise DataError(
            f"{what} must have the column(s) {missing}; the columns present are {present}. {advice}",
            reason="missing_column",
        )
    return df


#: Largest value of an ``INTEGER`` column (round, taxonomy version) on PostgreSQL; also the bound
#: the taxonomy validator applies, so a version that validates can always be saved.
MAX_INT = 2**31 - 1
#: Longest text field of a taxonomy (a definition, rule or example), in characters.
MAX_TEXT_CHARS = 20_000
#: Longest id or name (category ids, the taxonomy's name), in characters.
MAX_NAME_CHARS = 200


def check_positive_int(value: Any, *, param: str, caller: str, minimum: int = 1,
                       maximum: Optional[int] = None) -> int:
    """Return ``value`` as int if it is an integer >= ``minimum`` (and <= ``maximum``)."""
    if (isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum
            or (maximum is not None and value > maximum)):
        bound = f">= {minimum}" if maximum is None else f"from {minimum} to {maximum}"
        raise ValidationError(
            f"The {param!r} parameter of {caller} must be an int {bound}. Got {value!r} instead."
        )
    return int(value)


def check_fraction(value: Any, *, param: str, caller: str, inclusive_zero: bool = True) -> float:
    """Return ``value`` as float if it lies in [0, 1] (or (0, 1] when ``inclusive_zero`` is False)."""
    ok = isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool)
    if ok:
        value = float(value)
        ok = (0.0 <= value <= 1.0) if inclusive_zero else (0.0 < value <= 1.0)
    if not ok:
        bound = "[0, 1]" if inclusive_zero else "(0, 1]"
        raise ValidationError(
            f"The {param!r} parameter of {caller} must be a number in {bound}. Got {value!r} instead."
        )
    return value


def shown(values: Iterable[Any], limit: int = 10) -> str:
    """The first ``limit`` values as a list literal, then how many more.

    Examples
    --------
    >>> shown(range(12), limit=3)
    '[0, 1, 2] and 9 more'
    """
    values = list(values)
    more = f" and {len(values) - limit} more" if len(values) > limit else ""
    return f"{values[:limit]}{more}"


def drop_repeated_ids(frame, *, compare: str, caller: str, fix: str, stacklevel: int = 3) -> Tuple[Any, List[str]]:
    """The one rule for repeated item ids: same content is kept once, different content is an error.

    Parameters
    ----------
    frame : pandas.DataFrame
        Has an ``item_id`` column and the column ``compare``.
    compare : str
        The column whose values must agree among rows of one id (``text``, ``content_hash``).
    caller : str
        Who checks, for the messages (``"read_items(items.csv)"``).
    fix : str
        How to fix a clash, the last sentence of the error.

    Returns
    -------
    (pandas.DataFrame, list)
        The frame with each repeated id kept once (its first row), and the repeated ids.

    Raises
    ------
    DataError
        ``reason="duplicate_id"``, with the clashing rows as ``failure_cases``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"item_id": ["a", "a", "b"], "text": ["x", "x", "y"]})
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     out, repeated = drop_repeated_ids(df, compare="text", caller="demo", fix="Fix the ids.")
    >>> out["item_id"].tolist(), repeated
    (['a', 'b'], ['a'])
    """
    dup = frame["item_id"].duplicated(keep=False)
    if not dup.any():
        return frame, []
    variants = frame[dup].groupby("item_id")[compare].nunique()
    clash = variants[variants > 1].index.tolist()
    if clash:
        raise DataError(f"{caller}: item id(s) {shown(clash)} are used for different texts. {fix}",
                        failure_cases=frame[frame["item_id"].isin(clash)], reason="duplicate_id")
    repeated = variants.index.tolist()
    n_dropped = int(frame["item_id"].duplicated().sum())
    warnings.warn(f"{caller}: {n_dropped} duplicate row(s) dropped (same id and text), ids {shown(repeated)}.",
                  WorkbenchWarning, stacklevel=stacklevel + 1)
    return frame.drop_duplicates("item_id", keep="first"), repeated
