"""Acceptance sampling of a delivered batch: the plan, the verdict, the OC curve.

Private module behind :mod:`workbench.sampling` (``acceptance_plan``, ``acceptance_verdict``,
``operating_characteristic``, ``AcceptancePlan``, ``AcceptanceVerdict``).

Two ways to get a single-sampling plan (inspect ``n`` items, accept the batch when at most
``Ac`` are defective, reject it from ``Re = Ac + 1``):

- ``method="iso2859"``: the published plan of ISO 2859-1 (identical to ANSI/ASQ Z1.4 and
  MIL-STD-105E), normal inspection, from Table 1 (lot size and inspection level to a sample
  size code letter) and Table 2-A (code letter and AQL to ``n``, ``Ac``, ``Re``), following the
  table's arrows.
- ``method="binomial"``: the smallest exact plan that accepts a batch at the AQL with
  probability at least ``1 - alpha`` and one at the limiting quality ``lq`` with probability
  at most ``beta``.

AQL and LQ are given in percent, as in the standard (``aql=1.0`` is 1 % defective); error
rates and the ``p`` of the OC curve are fractions (``0.01``).

Examples
--------
>>> from workbench.sampling import acceptance_plan, acceptance_verdict
>>> plan = acceptance_plan(1000, aql=1.0)
>>> plan.code_letter, plan.sample_size, plan.accept, plan.reject
('J', 80, 2, 3)
>>> verdict = acceptance_verdict(plan, 80, 1)
>>> verdict.accepted, round(verdict.ci_high, 3)
(True, 0.068)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np
import pandas as pd
from scipy import stats

from .._internal.validation import check_option, check_positive_int
from ..exceptions import ValidationError

__all__ = ["AcceptancePlan", "AcceptanceVerdict", "acceptance_plan", "acceptance_verdict",
           "operating_characteristic", "AQLS", "INSPECTION_LEVELS"]

# -- ISO 2859-1 Table 1: sample size code letters ------------------------------------------
# Transcribed row by row from the standard (ANSI/ASQ Z1.4 Table I is the same). "-" is "and over".
_TABLE_1 = """
lot from  lot to   S-1 S-2 S-3 S-4   I  II III
       2       8     A   A   A   A   A   A   B
       9      15     A   A   A   A   A   B   C
      16      25     A   A   B   B   B   C   D
      26      50     A   B   B   C   C   D   E
      51      90     B   B   C   C   C   E   F
      91     150     B   B   C   D   D   F   G
     151     280     B   C   D   E   E   G   H
     281     500     B   C   D   E   F   H   J
     501    1200     C   C   E   F   G   J   K
    1201    3200     C   D   E   G   H   K   L
    3201   10000     C   D   F   G   J   L   M
   10001   35000     C   D   F   H   K   M   N
   35001  150000     D   E   G   J   L   N   P
  150001  500000     D   E   G   J   M   P   Q
  500001       -     D   E   H   K   N   Q   R
"""

# -- ISO 2859-1 Table 2-A: single sampling plans for normal inspection (master table) ------
# Each cell is "Ac/Re", or an arrow: "↓" use the first sampling plan below the arrow, "↑" use
# the first sampling plan above it; the sample size is then the new code letter's. AQLs up to
# 10 are percent nonconforming or nonconformities per 100 units; above 10, nonconformities per
# 100 units only. Split in two blocks to keep the lines short.
_TABLE_2A = """
code     n   0.010 0.015 0.025 0.040 0.065  0.10  0.15  0.25  0.40  0.65   1.0   1.5   2.5   4.0   6.5    10
A        2       ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑
B        3       ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓
C        5       ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2
D        8       ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3
E       13       ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4
F       20       ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6
G       32       ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8
H       50       ↓     ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11
J       80       ↓     ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15
K      125       ↓     ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22
L      200       ↓     ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑
M      315       ↓     ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑
N      500       ↓     ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑
P      800       ↓   0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑
Q     1250     0/1     ↑     ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑
R     2000       ↑     ↑   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑

code     n      15    25    40    65   100   150   250   400   650  1000
A        2       ↓   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31
B        3     1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45
C        5     2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45     ↑
D        8     3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45     ↑     ↑
E       13     5/6   7/8 10/11 14/15 21/22 30/31 44/45     ↑     ↑     ↑
F       20     7/8 10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑
G       32   10/11 14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑
H       50   14/15 21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
J       80   21/22     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
K      125       ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
L      200       ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
M      315       ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
N      500       ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
P      800       ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
Q     1250       ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
R     2000       ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
"""

_DOWN, _UP = "↓", "↑"


def _parse_table_1(text: str) -> Tuple[List[Tuple[int, Optional[int]]], Dict[str, str]]:
    lines = [ln.split() for ln in text.strip().splitlines()]
    levels = lines[0][4:]
    ranges, letters = [], {level: "" for level in levels}
    for row in lines[1:]:
        ranges.append((int(row[0]), None if row[1] == "-" else int(row[1])))
        for level, letter in zip(levels, row[2:]):
            letters[level] += letter
    return ranges, letters


def _parse_table_2a(text: str):
    sizes: Dict[str, int] = {}
    aqls: List[str] = []
    rows: Dict[str, list] = {}
    for block in text.strip().split("\n\n"):
        lines = [ln.split() for ln in block.strip().splitlines()]
        aqls.extend(lines[0][2:])
        for row in lines[1:]:
            sizes[row[0]] = int(row[1])
            rows.setdefault(row[0], []).extend(
                c if c in (_DOWN, _UP) else tuple(int(x) for x in c.split("/")) for c in row[2:])
    return sizes, aqls, rows


_LOT_RANGES, _CODE_LETTERS = _parse_table_1(_TABLE_1)
_SAMPLE_SIZES, _AQL_LABELS, _PLANS = _parse_table_2a(_TABLE_2A)
#: The 16 code letters in the order of Table 2-A (no I, O; A is the smallest sample).
_LETTERS = list(_SAMPLE_SIZES)
#: The AQL columns of Table 2-A, in percent (0.010 ... 1000).
AQLS: Tuple[float, ...] = tuple(float(a) for a in _AQL_LABELS)
#: Inspection levels of Table 1: general I, II (the usual one), III; special S-1 ... S-4.
INSPECTION_LEVELS: Tuple[str, ...] = ("I", "II", "III", "S-1", "S-2", "S-3", "S-4")

_METHODS = ("iso2859", "binomial")
#: The binomial approximation is used while the sample is at most this share of the lot.
_BINOMIAL_MAX_FRACTION = 0.10
#: Largest sample and acceptance number the binomial search tries before giving up.
_MAX_SEARCH_N = 10_000_000
_MAX_ACCEPT = 1000


@dataclass(frozen=True)
class AcceptancePlan:
    """A single-sampling plan: inspect ``sample_size`` items, accept at most ``accept`` defective.

    Attributes
    ----------
    lot_size : int
        Items in the delivered batch.
    aql : float
        Acceptable quality level, in percent defective.
    inspection_level : str or None
        ISO 2859-1 inspection level (``None`` for ``method="binomial"``).
    code_letter : str or None
        Sample size code letter from Table 1 for the lot size and level (before any arrow).
    sample_size : int
        Items to inspect, drawn at random from the batch (the lot size when 100 % inspection).
    accept, reject : int
        Acceptance number Ac and rejection number Re (= Ac + 1): accept the batch when at most
        ``accept`` inspected items are defective, reject it when ``reject`` or more are.
    method : str
        ``"iso2859"`` or ``"binomial"``.
    note : str
        How the plan was found, in words (arrows followed, 100 % inspection, distribution).
    plan_letter : str or None
        Code letter whose plan is used, after following Table 2-A's arrows.
    lq, alpha, beta : float or None
        For ``method="binomial"``: limiting quality (percent), producer's and consumer's risk.
    distribution : str or None
        For ``method="binomial"``: ``"binomial"`` or ``"hypergeometric"``.
    p_accept_aql, p_accept_lq : float or None
        For ``method="binomial"``: the plan's probability of accepting a batch at the AQL and
        at the LQ, under ``distribution``.
    """

    lot_size: int
    aql: float
    inspection_level: Optional[str]
    code_letter: Optional[str]
    sample_size: int
    accept: int
    reject: int
    method: str
    note: str
    plan_letter: Optional[str] = None
    lq: Optional[float] = None
    alpha: Optional[float] = None
    beta: Optional[float] = None
    distribution: Optional[str] = None
    p_accept_aql: Optional[float] = None
    p_accept_lq: Optional[float] = None

    @property
    def full_inspection(self) -> bool:
        """True when every item of the batch is inspected (the sample is the whole lot)."""
        return self.sample_size >= self.lot_size


@dataclass(frozen=True)
class AcceptanceVerdict:
    """The decision on an inspected sample and what it says about the batch's error rate.

    Attributes
    ----------
    accepted : bool
        True when ``n_defective <= plan.accept``.
    n_inspected, n_defective : int
        Items inspected and how many of them were defective.
    error_rate : float
        ``n_defective / n_inspected``, a fraction (nonconformities per item for an ISO plan
        above AQL 10).
    ci_low, ci_high : float
        Exact Clopper-Pearson interval on the batch's error rate at ``confidence`` (the exact
        rate, both bounds equal, when every item of the batch was inspected).
    plan : AcceptancePlan
        The plan the verdict applies.
    message : str
        The decision with its numbers, in one paragraph.
    confidence : float
        Confidence level of the interval.
    guarantee_holds : bool
        False when the sample size differs from the plan's (``allow_other_sample=True``): the
        plan's risks (its OC curve) then do not hold for the decision.
    """

    accepted: bool
    n_inspected: int
    n_defective: int
    error_rate: float
    ci_low: float
    ci_high: float
    plan: AcceptancePlan
    message: str
    confidence: float = 0.95
    guarantee_holds: bool = True


def _pct(fraction: float) -> str:
    """A fraction as a short percentage: 0.025 -> '2.5%', 0.0030 -> '0.3%'."""
    return f"{100 * fraction:.2g}%" if fraction < 0.995 else f"{100 * fraction:.4g}%"


def _aql_label(aql: float) -> str:
    return _AQL_LABELS[AQLS.index(aql)] if aql in AQLS else f"{aql:g}"


def _check_percent(value, *, param: str, caller: str) -> float:
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or not (0.0 < float(value) < 100.0) or not math.isfinite(float(value)):
        raise ValidationError(
            f"The {param!r} parameter of {caller} must be a percentage strictly between 0 and 100 "
            f"(1.0 means 1 % defective). Got {value!r} instead."
        )
    return float(value)


def _check_risk(value, *, param: str, caller: str) -> float:
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or not (0.0 < float(value) < 1.0):
        raise ValidationError(
            f"The {param!r} parameter of {caller} must be a probability strictly between 0 and 1 "
            f"(e.g. 0.05). Got {value!r} instead."
        )
    return float(value)


def _check_lot_size(lot_size) -> int:
    if (isinstance(lot_size, bool) or not isinstance(lot_size, (int, np.integer)) or lot_size < 2):
        raise ValidationError(
            "The 'lot_size' parameter of acceptance_plan must be an int >= 2, the number of items in "
            f"the delivered batch (ISO 2859-1 Table 1 starts at lots of 2). Got {lot_size!r} instead. "
            "A batch of one item is simply inspected."
        )
    return int(lot_size)


def _match_aql(aql) -> float:
    ok = isinstance(aql, (int, float, np.integer, np.floating)) and not isinstance(aql, bool)
    if ok:
        for standard in AQLS:
            if math.isclose(float(aql), standard, rel_tol=1e-9):
                return standard
    listed = ", ".join(_AQL_LABELS)
    hint = ""
    if ok and 0 < float(aql):
        below = [a for a in AQLS if a < float(aql)]
        if below:
            hint = f" The nearest stricter one is {_aql_label(below[-1])}."
    raise ValidationError(
        "The 'aql' parameter of acceptance_plan must be one of the AQLs of ISO 2859-1 Table 2-A, "
        f"in percent: {listed}. Got {aql!r} instead.{hint} For a plan at any other AQL use "
        "method='binomial' with an lq."
    )


def _code_letter(lot_size: int, level: str) -> str:
    for i, (_low, high) in enumerate(_LOT_RANGES):
        if high is None or lot_size <= high:
            return _CODE_LETTERS[level][i]
    raise AssertionError("unreachable: the last lot range is open")  # pragma: no cover


def _follow_arrows(letter: str, column: int) -> Tuple[str, Tuple[int, int], str]:
    """The plan Table 2-A gives for ``letter`` at AQL column ``column``, and how it was reached."""
    row = _LETTERS.index(letter)
    cell = _PLANS[letter][column]
    if isinstance(cell, tuple):
        return letter, cell, ""
    how = f"Table 2-A has an arrow {cell} at code letter {letter}, AQL {_AQL_LABELS[column]}"
    direction = 1 if cell == _DOWN else -1
    for _ in range(2):
        r = row + direction
        while 0 <= r < len(_LETTERS):
            found = _PLANS[_LETTERS[r]][column]
            if isinstance(found, tuple):
                where = "below" if direction == 1 else "above"
                return _LETTERS[r], found, f"{how}; the first plan {where} it is code letter {_LETTERS[r]}"
            r += direction
        # An arrow with no plan on its side of the table (the up arrow at code A, AQL 10):
        # the first plan on the other side is used.
        how += f", with no plan {'below' if direction == 1 else 'above'} it in the table"
        direction = -direction
    raise AssertionError(f"no plan in column {_AQL_LABELS[column]}")  # pragma: no cover


def _iso_plan(lot_size: int, aql: float, level: str) -> AcceptancePlan:
    letter = _code_letter(lot_size, level)
    column = AQLS.index(aql)
    plan_letter, (ac, re), arrows = _follow_arrows(letter, column)
    n = _SAMPLE_SIZES[plan_letter]
    parts = [f"ISO 2859-1 Table 1: a lot of {lot_size} at inspection level {level} has code letter "
             f"{letter} (n={_SAMPLE_SIZES[letter]})."]
    if arrows:
        parts.append(f"{arrows}: n={n}, Ac {ac}, Re {re}. The sample size is the new code letter's, "
                     "not the original one's.")
    else:
        parts.append(f"Table 2-A, normal inspection, AQL {_aql_label(aql)}: n={n}, Ac {ac}, Re {re}.")
    if n >= lot_size:
        parts.append(f"The sample size {n} is at least the lot size, so inspect all {lot_size} items "
                     "(100% inspection).")
        n = lot_size
    if aql > 10:
        parts.append("AQLs above 10 count nonconformities per 100 units, not defective items.")
    parts.append("Normal inspection only: the standard's switching to tightened or reduced inspection "
                 "over a series of lots is not applied.")
    return AcceptancePlan(lot_size=lot_size, aql=aql, inspection_level=level, code_letter=letter,
                          sample_size=n, accept=ac, reject=re, method="iso2859", note=" ".join(parts),
                          plan_letter=plan_letter)


def _smallest_n(accept_prob, c: int, low: int, high: int, beta: float) -> Optional[int]:
    """Smallest n in [low, high] with accept_prob(c, n) <= beta (it falls as n grows), or None."""
    if accept_prob(c, high) > beta:
        return None
    while low < high:
        mid = (low + high) // 2
        if accept_prob(c, mid) <= beta:
            high = mid
        else:
            low = mid + 1
    return low


def _search(at_aql, at_lq, alpha: float, beta: float, n_cap: int, c_cap: int):
    """First c (and its smallest n) meeting both risks; n_min(c) grows with c, so n is minimal."""
    n = 1
    for c in range(0, c_cap + 1):
        low = max(c + 1, n)  # the smallest n for the consumer's risk never falls as c grows
        high = low
        while at_lq(c, high) > beta and high < n_cap:
            high = min(2 * high, n_cap)
        n = _smallest_n(at_lq, c, low, high, beta)
        if n is None:
            return None
        if at_aql(c, n) >= 1 - alpha:
            return n, c
    return None


def _binomial_plan(lot_size: int, aql: float, lq: float, alpha: float, beta: float) -> AcceptancePlan:
    p1, p2 = aql / 100, lq / 100
    found = _search(lambda c, n: stats.binom.cdf(c, n, p1), lambda c, n: stats.binom.cdf(c, n, p2),
                    alpha, beta, _MAX_SEARCH_N, _MAX_ACCEPT)
    if found is not None and found[0] <= _BINOMIAL_MAX_FRACTION * lot_size:
        n, c = found
        pa1, pa2 = float(stats.binom.cdf(c, n, p1)), float(stats.binom.cdf(c, n, p2))
        distribution = "binomial"
        how = (f"binomial distribution (the sample is at most {_BINOMIAL_MAX_FRACTION:.0%} of the lot, "
               "so sampling without replacement changes little)")
    else:
        d1, d2 = math.floor(p1 * lot_size), math.ceil(p2 * lot_size)
        found = _search(lambda c, n: stats.hypergeom.cdf(c, lot_size, d1, n),
                        lambda c, n: stats.hypergeom.cdf(c, lot_size, d2, n),
                        alpha, beta, lot_size, min(d2 - 1, _MAX_ACCEPT))
        if found is None:  # only when c would pass _MAX_ACCEPT: c = d1, n = lot_size always qualifies
            raise ValidationError(
                f"acceptance_plan found no binomial plan with an acceptance number up to {_MAX_ACCEPT}: "
                f"the AQL ({aql:g}%) and the LQ ({lq:g}%) are too close to tell apart by sampling. "
                "Widen the gap between them, or accept larger risks (alpha, beta)."
            )
        n, c = found
        pa1 = float(stats.hypergeom.cdf(c, lot_size, d1, n))
        pa2 = float(stats.hypergeom.cdf(c, lot_size, d2, n))
        distribution = "hypergeometric"
        how = (f"hypergeometric distribution, exact for this lot of {lot_size} (the binomial plan would "
               f"sample more than {_BINOMIAL_MAX_FRACTION:.0%} of it): a lot at the AQL holds {d1} "
               f"defective items (rounded down), one at the LQ {d2} (rounded up)")
    note = (f"Smallest sample n and acceptance number c with P(accept) >= {1 - alpha:.3g} at the AQL "
            f"({aql:g}%) and <= {beta:.3g} at the LQ ({lq:g}%), under the {how}. Search: for c = 0, 1, "
            "2, ... the smallest n that meets the consumer's risk is found by bisection; the first c "
            "whose n also meets the producer's risk gives the plan (that n only grows with c). "
            f"Achieved: P(accept) {pa1:.3f} at the AQL, {pa2:.3f} at the LQ.")
    if n >= lot_size:
        note += f" The plan inspects all {lot_size} items (100% inspection)."
    return AcceptancePlan(lot_size=lot_size, aql=aql, inspection_level=None, code_letter=None,
                          sample_size=int(n), accept=int(c), reject=int(c) + 1, method="binomial",
                          note=note, lq=lq, alpha=alpha, beta=beta, distribution=distribution,
                          p_accept_aql=pa1, p_accept_lq=pa2)


def acceptance_plan(lot_size: int, *, aql: float, inspection_level: str = "II",
                    method: str = "iso2859", lq: Optional[float] = None,
                    alpha: Optional[float] = None, beta: Optional[float] = None) -> AcceptancePlan:
    """How many items of a delivered batch to inspect, and how many defects to tolerate.

    Parameters
    ----------
    lot_size : int
        Items in the batch, >= 2.
    aql : float
        Acceptable quality level in percent defective (``1.0`` is 1 %). For
        ``method="iso2859"`` one of the 26 columns of Table 2-A (:data:`AQLS`: 0.010, 0.015,
        0.025, 0.040, 0.065, 0.10, 0.15, 0.25, 0.40, 0.65, 1.0, 1.5, 2.5, 4.0, 6.5, 10, 15, 25,
        40, 65, 100, 150, 250, 400, 650, 1000); above 10 the standard counts nonconformities
        per 100 units.
    inspection_level : {'II', 'I', 'III', 'S-1', 'S-2', 'S-3', 'S-4'}, default='II'
        ISO 2859-1 inspection level (``method="iso2859"`` only). II is the usual one; I gives
        smaller samples and less discrimination, III larger ones; the special levels S-1 to S-4
        are for small samples where large risks can be tolerated.
    method : {'iso2859', 'binomial'}, default='iso2859'
        The standard's published plan, or the exact plan for stated risks.
    lq : float, optional
        Limiting quality in percent, above ``aql``: a batch this bad should be rejected.
        Required for ``method="binomial"``.
    alpha : float, optional
        Producer's risk for ``method="binomial"``: the largest probability of rejecting a batch
        at the AQL (default 0.05).
    beta : float, optional
        Consumer's risk for ``method="binomial"``: the largest probability of accepting a batch
        at the LQ (default 0.10).

    Returns
    -------
    AcceptancePlan
        ``sample_size``, ``accept`` (Ac), ``reject`` (Re) and a ``note`` on how they were found.

    Raises
    ------
    ValidationError
        A lot size below 2, an AQL not in Table 2-A (the valid ones are listed), an unknown
        inspection level or method, or parameters that do not belong to the method.

    Notes
    -----
    ``iso2859``: Table 1 gives the code letter for the lot size and level; Table 2-A gives the
    plan for the code letter and AQL. Where Table 2-A has an arrow instead of a plan, the first
    plan below (↓) or above (↑) the arrow is used, with *its* sample size, as the standard
    says; ``note`` tells which. When the sample size is at least the lot size, every item is
    inspected. Only normal inspection is covered; the switching rules to tightened or reduced
    inspection, which need the history of a series of lots, are not applied.

    ``binomial``: for c = 0, 1, 2, ... the smallest n with P(X <= c) <= ``beta`` at the LQ is
    found by bisection (P falls as n grows); the first c for which that n also has
    P(X <= c) >= 1 - ``alpha`` at the AQL is the plan. That n grows with c, so it is the
    smallest n of any plan meeting both risks. X is binomial while the sample is at most 10 %
    of the lot; otherwise the search is redone with the hypergeometric distribution of this
    lot (``floor(aql% * lot)`` defective items at the AQL, ``ceil(lq% * lot)`` at the LQ), which
    always finds a plan (at worst 100 % inspection). ``plan.distribution`` says which.

    Examples
    --------
    >>> from workbench.sampling import acceptance_plan
    >>> p = acceptance_plan(500, aql=2.5)
    >>> p.code_letter, p.sample_size, p.accept, p.reject
    ('H', 50, 3, 4)

    Lot 50 at AQL 0.65 has code letter D, where the table has an arrow down to code F:

    >>> p = acceptance_plan(50, aql=0.65)
    >>> p.code_letter, p.plan_letter, p.sample_size, p.accept, p.reject
    ('D', 'F', 20, 0, 1)

    An exact plan: accept a 1 % batch 95 % of the time, a 5 % batch at most 10 % of the time.

    >>> b = acceptance_plan(10_000, aql=1.0, lq=5.0, method="binomial")
    >>> b.sample_size, b.accept, b.distribution
    (132, 3, 'binomial')
    >>> acceptance_plan(1000, aql=0.5)
    Traceback (most recent call last):
    ...
    workbench.exceptions.ValidationError: The 'aql' parameter of acceptance_plan must be one of ...
    """
    caller = "acceptance_plan"
    method = check_option(method, _METHODS, param="method", caller=caller)
    lot_size = _check_lot_size(lot_size)
    if method == "iso2859":
        given = [name for name, value in (("lq", lq), ("alpha", alpha), ("beta", beta)) if value is not None]
        if given:
            raise ValidationError(
                f"The parameter(s) {given} of acceptance_plan apply only to method='binomial'; the "
                "ISO 2859-1 plan's risks are fixed by its table. Drop them, or pass method='binomial'."
            )
        level = check_option(inspection_level, INSPECTION_LEVELS, param="inspection_level", caller=caller)
        return _iso_plan(lot_size, _match_aql(aql), level)
    if inspection_level != "II":
        raise ValidationError(
            "The 'inspection_level' parameter of acceptance_plan applies only to method='iso2859'; the "
            f"binomial plan is set by aql, lq, alpha and beta. Got {inspection_level!r}; drop it."
        )
    if lq is None:
        raise ValidationError(
            "method='binomial' of acceptance_plan needs the limiting quality 'lq', in percent: the "
            "defect rate of a batch that should be rejected (e.g. aql=1.0, lq=5.0)."
        )
    aql = _check_percent(aql, param="aql", caller=caller)
    lq = _check_percent(lq, param="lq", caller=caller)
    if lq <= aql:
        raise ValidationError(
            f"The 'lq' parameter of acceptance_plan must be above the AQL ({aql:g}%): a batch at the "
            f"limiting quality is worse than one at the AQL. Got lq={lq:g}."
        )
    alpha = _check_risk(0.05 if alpha is None else alpha, param="alpha", caller=caller)
    beta = _check_risk(0.10 if beta is None else beta, param="beta", caller=caller)
    return _binomial_plan(lot_size, aql, lq, alpha, beta)


def _clopper_pearson(k: int, n: int, confidence: float) -> Tuple[float, float]:
    tail = (1 - confidence) / 2
    low = 0.0 if k == 0 else float(stats.beta.ppf(tail, k, n - k + 1))
    high = 1.0 if k == n else float(stats.beta.ppf(1 - tail, k + 1, n - k))
    return low, high


def _poisson_exact(k: int, n: int, confidence: float) -> Tuple[float, float]:
    """Exact (Garwood) interval on nonconformities per item from ``k`` counted in ``n`` items."""
    tail = (1 - confidence) / 2
    low = 0.0 if k == 0 else float(stats.chi2.ppf(tail, 2 * k)) / 2 / n
    return low, float(stats.chi2.ppf(1 - tail, 2 * k + 2)) / 2 / n


def _counts_nonconformities(plan: AcceptancePlan) -> bool:
    """ISO plans above AQL 10 count nonconformities per 100 units, not defective items."""
    return plan.method == "iso2859" and plan.aql > 10


def acceptance_verdict(plan: AcceptancePlan, n_inspected: int, n_defective: int, *,
                       confidence: float = 0.95, allow_other_sample: bool = False) -> AcceptanceVerdict:
    """Accept or reject the batch from what the inspection found, with an interval on its error rate.

    Parameters
    ----------
    plan : AcceptancePlan
        From :func:`acceptance_plan`.
    n_inspected : int
        Items inspected, drawn at random from the batch; must be ``plan.sample_size``.
    n_defective : int
        How many of them were defective (0 <= ``n_defective`` <= ``n_inspected``). For an ISO
        plan above AQL 10, the number of nonconformities counted (it may exceed the items).
    confidence : float, default=0.95
        Confidence level of the interval, strictly between 0 and 1.
    allow_other_sample : bool, default=False
        Accept another sample size. The decision still applies the plan's Ac and Re, but the
        plan's risks (its OC curve) no longer hold, and the message says so.

    Returns
    -------
    AcceptanceVerdict
        ``accepted``, the observed ``error_rate`` and its exact Clopper-Pearson interval
        (``ci_low``, ``ci_high``), and a ``message`` with the numbers.

    Raises
    ------
    ValidationError
        A sample size other than the plan's (unless ``allow_other_sample``), more items
        inspected than the lot holds, more defects than items, or a bad ``confidence``.

    Notes
    -----
    The interval treats the sample as drawn from a large stream (binomial), so it is
    conservative when the sample is a large share of the batch; when every item was inspected
    the batch's error rate is known and both bounds equal it. ISO plans above AQL 10 count
    nonconformities per 100 units: ``error_rate`` is then nonconformities per item and the
    interval is the exact Poisson (Garwood) one.

    Examples
    --------
    >>> from workbench.sampling import acceptance_plan, acceptance_verdict
    >>> plan = acceptance_plan(1000, aql=1.0)
    >>> v = acceptance_verdict(plan, 80, 3)
    >>> v.accepted, v.error_rate, round(v.ci_low, 4), round(v.ci_high, 4)
    (False, 0.0375, 0.0078, 0.1057)
    >>> print(v.message)  # doctest: +NORMALIZE_WHITESPACE
    Reject the batch: 3 defective in 80 inspected reaches the rejection number Re 3 of the plan
    (n=80, Ac 2, Re 3, AQL 1.0%). Error rate in the sample 3.8%; 95% interval for the batch 0.78%
    to 11% (exact Clopper-Pearson).
    """
    caller = "acceptance_verdict"
    if not isinstance(plan, AcceptancePlan):
        raise ValidationError(
            f"The 'plan' parameter of {caller} must be an AcceptancePlan from acceptance_plan(). "
            f"Got {type(plan).__name__} instead."
        )
    n_inspected = check_positive_int(n_inspected, param="n_inspected", caller=caller)
    n_defective = check_positive_int(n_defective, param="n_defective", caller=caller, minimum=0)
    per_unit = _counts_nonconformities(plan)
    if n_defective > n_inspected and not per_unit:
        raise ValidationError(
            f"The 'n_defective' parameter of {caller} must be at most n_inspected ({n_inspected}): "
            f"each inspected item is defective or not. Got {n_defective}. To count several "
            "nonconformities per item, count the items that have at least one."
        )
    if n_inspected > plan.lot_size:
        raise ValidationError(
            f"The 'n_inspected' parameter of {caller} must be at most the lot size {plan.lot_size}. "
            f"Got {n_inspected}."
        )
    if not (isinstance(confidence, (float, int)) and not isinstance(confidence, bool)
            and 0 < confidence < 1):
        raise ValidationError(
            f"The 'confidence' parameter of {caller} must be a number strictly between 0 and 1 "
            f"(e.g. 0.95). Got {confidence!r} instead."
        )
    other = n_inspected != plan.sample_size
    if other and not allow_other_sample:
        raise ValidationError(
            f"The plan says to inspect {plan.sample_size} items; {caller} got n_inspected={n_inspected}. "
            f"Inspect exactly {plan.sample_size} randomly drawn items, or pass allow_other_sample=True "
            "to decide with the plan's Ac/Re anyway (its risks then do not hold)."
        )
    rate = n_defective / n_inspected
    census = n_inspected >= plan.lot_size
    interval = _poisson_exact if per_unit else _clopper_pearson
    low, high = (rate, rate) if census else interval(n_defective, n_inspected, confidence)
    accepted = n_defective <= plan.accept
    found = f"{n_defective} {'nonconformities' if per_unit else 'defective'} in {n_inspected} inspected"
    if accepted:
        head = f"Accept the batch: {found} is within the acceptance number Ac {plan.accept}"
    else:
        head = f"Reject the batch: {found} reaches the rejection number Re {plan.reject}"
    head += (f" of the plan (n={plan.sample_size}, Ac {plan.accept}, Re {plan.reject}, "
             f"AQL {_aql_label(plan.aql)}%).")
    what = "Nonconformities per 100 items" if per_unit else "Error rate"
    if census:
        tail = f" Every item was inspected: the batch's {what.lower()} is {_pct(rate)}."
    else:
        tail = (f" {what} in the sample {_pct(rate)}; {confidence:.0%} interval for the batch "
                f"{_pct(low)} to {_pct(high)} ({'exact Poisson' if per_unit else 'exact Clopper-Pearson'}).")
    if other:
        tail += (f" Warning: the plan's sample size is {plan.sample_size}, not {n_inspected}; the "
                 "decision applies its Ac/Re, but the plan's guarantee (its risks at the AQL and "
                 "beyond) does not hold for this sample.")
    return AcceptanceVerdict(accepted=accepted, n_inspected=n_inspected, n_defective=n_defective,
                             error_rate=rate, ci_low=low, ci_high=high, plan=plan,
                             message=head + tail, confidence=float(confidence),
                             guarantee_holds=not other)


def operating_characteristic(plan: AcceptancePlan, defect_rates) -> pd.DataFrame:
    """The plan's operating characteristic: probability of accepting a batch at each defect rate.

    Parameters
    ----------
    plan : AcceptancePlan
        From :func:`acceptance_plan`.
    defect_rates : array-like of float
        Defect rates as fractions in [0, 1] (0.01 is 1 %), e.g. ``np.linspace(0, 0.1, 51)``.
        For an ISO plan above AQL 10, nonconformities per item (>= 0, may exceed 1).

    Returns
    -------
    pandas.DataFrame
        One row per rate, columns ``p`` (the rate) and ``p_accept`` (binomial probability that
        at most ``plan.accept`` of ``plan.sample_size`` inspected items are defective; Poisson
        for an ISO plan above AQL 10), for an OC curve.

    Notes
    -----
    The binomial model treats the batch as a large stream; for a sample that is a large share
    of the batch, acceptance of a bad batch is a little less likely than shown.

    Examples
    --------
    >>> from workbench.sampling import acceptance_plan, operating_characteristic
    >>> oc = operating_characteristic(acceptance_plan(1000, aql=1.0), [0.01, 0.05])
    >>> oc.round(3).to_dict("list")
    {'p': [0.01, 0.05], 'p_accept': [0.953, 0.231]}
    """
    if not isinstance(plan, AcceptancePlan):
        raise ValidationError(
            "The 'plan' parameter of operating_characteristic must be an AcceptancePlan from "
            f"acceptance_plan(). Got {type(plan).__name__} instead."
        )
    try:
        p = np.asarray(defect_rates, dtype=float).reshape(-1)
    except (TypeError, ValueError) as e:
        raise ValidationError(
            "The 'defect_rates' parameter of operating_characteristic must be numbers in [0, 1]. "
            f"Got {defect_rates!r} instead."
        ) from e
    per_unit = _counts_nonconformities(plan)
    bad = ~np.isfinite(p) | (p < 0) | ((p > 1) & (not per_unit))
    if bad.any():
        raise ValidationError(
            "The 'defect_rates' parameter of operating_characteristic must be fractions in [0, 1] "
            f"(0.01 is 1 %). Got {p[bad].tolist()[:5]} instead; divide percentages by 100."
        )
    if per_unit:
        p_accept = stats.poisson.cdf(plan.accept, plan.sample_size * p)
    else:
        p_accept = stats.binom.cdf(plan.accept, plan.sample_size, p)
    return pd.DataFrame({"p": p, "p_accept": p_accept})
