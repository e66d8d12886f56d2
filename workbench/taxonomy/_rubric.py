"""Rubrics: the criteria a rubric rating scores, each with a question and an integer scale.

A round declares its rubric (``AnnotationStore.create_round(..., rubric=...)``); the store
checks every ``kind="rubric"`` answer with :meth:`Rubric.check`, ``RubricRater`` shows it,
and :func:`workbench.agreement.rubric_agreement` reads each criterion's level of
measurement. Without a declared rubric an answer is still checked for its shape by
:func:`check_rubric_answer` (a JSON object of criterion names and finite numbers).

A rubric is written the way people write it: ``{"helpful": [1, 5]}`` (a scale),
``{"helpful": "Does it help?"}`` (a question, on the default scale), or
``{"helpful": {"question": "...", "scale": [1, 5], "anchors": {1: "useless", 5: "perfect"},
"level": "ordinal", "optional": False}}``; :meth:`Rubric.to_dict` gives the canonical form
``{"criteria": [{"name": ..., ...}, ...]}`` (a list, so the order survives sorted JSON).

Examples
--------
>>> rubric = Rubric.from_dict({"helpful": {"question": "Does it do what was asked?", "scale": [1, 5]},
...                            "honest": [1, 5]})
>>> rubric.names
('helpful', 'honest')
>>> rubric.check('{"honest": 5.0, "helpful": 4}')
{'helpful': 4, 'honest': 5}
>>> rubric.check({"helpful": 9, "honest": 5, "bogus": 1}, where="of round 2")
Traceback (most recent call last):
...
workbench.exceptions.DataError: The rubric answer of round 2 does not fit the rubric: unknown criterion 'bogus'; 'helpful' is 9, outside its scale 1-5. The rubric's criteria: helpful 1-5, honest 1-5. Score every required criterion with a whole number on its scale, and leave out names the rubric does not define (or declare them in the rubric of a new round).
"""

from __future__ import annotations

import dataclasses
import json
import math
import numbers
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

from ..exceptions import DataError, ValidationError
from .._internal.yamlfile import did_you_mean

__all__ = ["Criterion", "Rubric", "check_rubric_answer", "RUBRIC_LEVELS"]

#: Levels of measurement a criterion may declare (used by the agreement analysis).
RUBRIC_LEVELS = ("ordinal", "interval")
#: Most points one scale may have (0-100 is the widest scale people use).
MAX_POINTS = 101
_KEYS = ("name", "question", "description", "scale", "anchors", "level", "optional")
_FORMS = ("Write each criterion as {'name': [1, 5]}, {'name': 'Its question?'} or {'name': {'question': '...', "
          "'scale': [1, 5], 'anchors': {1: '...', 5: '...'}, 'level': 'ordinal', 'optional': False}}.")


@dataclasses.dataclass(frozen=True)
class Criterion:
    """One criterion of a rubric: a name, what it asks, and its integer scale ``low..high``.

    Attributes
    ----------
    name : str
        The key of the criterion in an answer (``{"helpful": 4}``).
    low, high : int
        The lowest and highest score (``low < high``).
    question : str
        What the criterion asks (shown to raters); may be empty.
    anchors : tuple of (int, str)
        Labels of some scale points, e.g. ``((1, "useless"), (5, "perfect"))``.
    level : {'ordinal', 'interval'}
        Level of measurement: ordinal (only the order of scores means something) or interval
        (differences are comparable).
    optional : bool
        Whether an answer may leave the criterion out.

    Examples
    --------
    >>> c = Criterion("helpful", 1, 5, anchors=((1, "useless"), (5, "perfect")))
    >>> c.points, c.anchor(5), c.anchor(3)
    ((1, 2, 3, 4, 5), 'perfect', None)
    """

    name: str
    low: int = 1
    high: int = 5
    question: str = ""
    anchors: Tuple[Tuple[int, str], ...] = ()
    level: str = "ordinal"
    optional: bool = False

    @property
    def points(self) -> Tuple[int, ...]:
        """Every score of the scale, ascending."""
        return tuple(range(self.low, self.high + 1))

    @property
    def scale(self) -> Tuple[int, int]:
        """``(low, high)``."""
        return (self.low, self.high)

    def anchor(self, value: int) -> Optional[str]:
        """The anchor label of scale point ``value``, or None."""
        return dict(self.anchors).get(value)

    def describe(self) -> str:
        """``'helpful 1-5'`` (``' (optional)'`` appended when optional), for messages."""
        return f"{self.name} {self.low}-{self.high}" + (" (optional)" if self.optional else "")

    def to_dict(self) -> dict:
        """``{'name', 'question'?, 'scale': [low, high], 'anchors'?, 'level'?, 'optional'?}`` (defaults left out)."""
        out: Dict[str, Any] = {"name": self.name}
        if self.question:
            out["question"] = self.question
        out["scale"] = [self.low, self.high]
        if self.anchors:
            out["anchors"] = {int(v): text for v, text in self.anchors}
        if self.level != "ordinal":
            out["level"] = self.level
        if self.optional:
            out["optional"] = True
        return out


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _scale(value: Any, where: str, problems: List[str]) -> Optional[Tuple[int, int]]:
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(_is_int(v) for v in value):
        low, high = int(value[0]), int(value[1])
        if low < high and high - low < MAX_POINTS:
            return low, high
    problems.append(f"{where}: 'scale' must be [low, high] with whole numbers low < high and at most "
                    f"{MAX_POINTS} points, e.g. [1, 5]; got {value!r}")
    return None


def _point(key: Any) -> Optional[int]:
    """A scale point written as an int or as its text (JSON object keys are texts)."""
    if _is_int(key):
        return int(key)
    try:
        return int(key) if isinstance(key, str) else None
    except ValueError:
        return None


def _anchors(value: Any, low: int, high: int, where: str, problems: List[str]) -> Tuple[Tuple[int, str], ...]:
    points = list(range(low, high + 1))
    if isinstance(value, (list, tuple)):
        if len(value) != len(points):
            problems.append(f"{where}: a list of 'anchors' needs one label per point of the scale {low}-{high} "
                            f"({len(points)} labels); got {len(value)}. Give a mapping such as "
                            f"{{{low}: 'worst', {high}: 'best'}} to label only some points")
            return ()
        value = dict(zip(points, value))
    if not isinstance(value, Mapping):
        problems.append(f"{where}: 'anchors' must map scale points to labels, e.g. {{{low}: 'worst', "
                        f"{high}: 'best'}}; got {value!r}")
        return ()
    out = []
    for key, text in value.items():
        point = _point(key)
        if point is None or not low <= point <= high:
            problems.append(f"{where}: anchor {key!r} is not a point of the scale {low}-{high}")
        elif not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: the anchor of {point} must be a non-empty text; got {text!r}")
        else:
            out.append((point, text))
    return tuple(sorted(out))


def _criterion(name: Any, spec: Any, default_scale, problems: List[str]) -> Optional[Criterion]:
    if not isinstance(name, str) or not name.strip():
        problems.append(f"criterion names must be non-empty texts; got {name!r}")
        return None
    where = f"criterion {name!r}"
    if isinstance(spec, str):
        spec = {"question": spec}
    elif isinstance(spec, (list, tuple)):
        spec = {"scale": spec}
    elif spec is None:
        spec = {}
    if not isinstance(spec, Mapping):
        problems.append(f"{where}: expected a scale [low, high], a question text or a mapping; got {spec!r}")
        return None
    unknown = [k for k in spec if k not in _KEYS]
    for key in unknown:
        problems.append(f"{where}: unknown key {key!r}; valid keys: {list(_KEYS[1:])}.{did_you_mean(key, _KEYS)}")
    if "question" in spec and "description" in spec:
        problems.append(f"{where}: give 'question' or 'description' (the same thing), not both")
    question = spec.get("question", spec.get("description", "")) or ""
    if not isinstance(question, str):
        problems.append(f"{where}: 'question' must be a text; got {question!r}")
        question = ""
    scale = _scale(spec["scale"], where, problems) if "scale" in spec else _scale(default_scale, where, problems)
    level = spec.get("level", "ordinal")
    if level not in RUBRIC_LEVELS:
        problems.append(f"{where}: 'level' must be one of {list(RUBRIC_LEVELS)}; got {level!r}")
    optional = spec.get("optional", False)
    if not isinstance(optional, bool):
        problems.append(f"{where}: 'optional' must be true or false; got {optional!r}")
    if scale is None or unknown or level not in RUBRIC_LEVELS or not isinstance(optional, bool):
        return None
    anchors = _anchors(spec["anchors"], *scale, where, problems) if spec.get("anchors") is not None else ()
    return Criterion(name=name, low=scale[0], high=scale[1], question=question, anchors=anchors, level=level,
                     optional=optional)


@dataclasses.dataclass(frozen=True)
class Rubric:
    """The criteria of a rubric rating, in the order raters see them.

    Build one with :meth:`from_dict`; check an answer with :meth:`check`.

    Attributes
    ----------
    criteria : tuple of Criterion

    Examples
    --------
    >>> r = Rubric.from_dict({"clear": "Easy to read?", "length": {"scale": [0, 2], "optional": True}})
    >>> [c.describe() for c in r]
    ['clear 1-5', 'length 0-2 (optional)']
    >>> Rubric.from_dict(r.to_dict()) == r
    True
    """

    criteria: Tuple[Criterion, ...]

    def __post_init__(self):
        criteria = tuple(self.criteria)
        if not criteria or not all(isinstance(c, Criterion) for c in criteria):
            raise ValidationError("A Rubric needs at least one Criterion; build it with Rubric.from_dict(...) from "
                                  f"criterion names mapped to their scales. Got {self.criteria!r}.")
        names = [c.name for c in criteria]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValidationError(f"A rubric names each criterion once; {repeated} repeat. Rename or merge them.")
        object.__setattr__(self, "criteria", criteria)

    # ------------------------------------------------------------------ building
    @classmethod
    def from_dict(cls, data: Any, *, scale=(1, 5), source: Optional[str] = None) -> "Rubric":
        """Read a rubric from the forms people write, or from :meth:`to_dict`.

        Parameters
        ----------
        data : mapping or list
            Criterion name to its scale ``[low, high]``, its question, or a mapping with the
            keys ``question`` (or ``description``), ``scale``, ``anchors`` (a mapping point ->
            label, or one label per point), ``level`` (``'ordinal'`` or ``'interval'``) and
            ``optional``. Or the canonical ``{"criteria": [{"name": ..., ...}, ...]}``, or
            just that list.
        scale : (int, int), default (1, 5)
            The scale of criteria that do not give one.
        source : str, optional
            Where the rubric comes from, for the message (e.g. ``"round 2"``).

        Returns
        -------
        Rubric

        Raises
        ------
        ValidationError
            Every problem at once, each naming its criterion.

        Examples
        --------
        >>> Rubric.from_dict({"helpful": [1, 5], "honest": {"scale": [5, 1], "levl": "interval"}})
        Traceback (most recent call last):
        ...
        workbench.exceptions.ValidationError: 2 problems in the rubric:
          - criterion 'honest': unknown key 'levl'; valid keys: ['question', 'description', 'scale', 'anchors', 'level', 'optional']. Did you mean 'level'?
          - criterion 'honest': 'scale' must be [low, high] with whole numbers low < high and at most 101 points, e.g. [1, 5]; got [5, 1]
        Write each criterion as {'name': [1, 5]}, {'name': 'Its question?'} or {'name': {'question': '...', 'scale': [1, 5], 'anchors': {1: '...', 5: '...'}, 'level': 'ordinal', 'optional': False}}.
        """
        if isinstance(data, Rubric):
            return data
        items = cls._items(data)
        problems: List[str] = []
        if items is None:
            problems.append(f"a rubric maps criterion names to their scales; got {data!r}")
        elif not items:
            problems.append(f"a rubric needs at least one criterion (map criterion names to a scale or a "
                            f"question); got {data!r}")
        criteria = []
        names = set()
        for name, spec in items or ():
            if isinstance(name, str) and name in names:
                problems.append(f"criterion {name!r} is named twice")
                continue
            names.add(name)
            criterion = _criterion(name, spec, scale, problems)
            if criterion is not None:
                criteria.append(criterion)
        if problems:
            n = len(problems)
            head = f"{n} problem{'s' if n != 1 else ''} in the rubric{' of ' + source if source else ''}:"
            raise ValidationError("\n".join([head] + [f"  - {p}" for p in problems] + [_FORMS]))
        return cls(tuple(criteria))

    @staticmethod
    def _items(data: Any) -> Optional[List[Tuple[Any, Any]]]:
        """``(name, spec)`` pairs of any accepted form, or None when ``data`` is no rubric at all."""
        if isinstance(data, Mapping) and set(data) == {"criteria"} and isinstance(data["criteria"], (list, tuple)) \
                and all(isinstance(c, Mapping) for c in data["criteria"]):
            data = data["criteria"]
        if isinstance(data, Mapping):
            return list(data.items())
        if isinstance(data, (list, tuple)) and all(isinstance(c, Mapping) for c in data):
            out = []
            for c in data:
                spec = {k: v for k, v in c.items() if k != "name"}
                out.append((c.get("name"), spec))
            return out
        return None

    def to_dict(self) -> dict:
        """``{"criteria": [criterion.to_dict(), ...]}``: JSON-able, and read back by :meth:`from_dict`.

        Examples
        --------
        >>> Rubric.from_dict({"helpful": [1, 5]}).to_dict()
        {'criteria': [{'name': 'helpful', 'scale': [1, 5]}]}
        """
        return {"criteria": [c.to_dict() for c in self.criteria]}

    # ------------------------------------------------------------------ reading
    @property
    def names(self) -> Tuple[str, ...]:
        """The criterion names, in order."""
        return tuple(c.name for c in self.criteria)

    def __iter__(self) -> Iterator[Criterion]:
        return iter(self.criteria)

    def __len__(self) -> int:
        return len(self.criteria)

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def criterion(self, name: str) -> Criterion:
        """The criterion called ``name``; a ValidationError lists the names otherwise."""
        for c in self.criteria:
            if c.name == name:
                return c
        raise ValidationError(f"The rubric has no criterion {name!r}; its criteria: {list(self.names)}."
                              f"{did_you_mean(name, self.names)}")

    def describe(self) -> str:
        """``'helpful 1-5, honest 1-5'``, for messages."""
        return ", ".join(c.describe() for c in self.criteria)

    # ------------------------------------------------------------------ checking
    def check(self, answer: Any, *, where: Optional[str] = None) -> Dict[str, int]:
        """The answer as ``{criterion: int score}`` in rubric order, or a DataError naming every problem.

        Parameters
        ----------
        answer : mapping or str
            ``{"helpful": 4, ...}`` or its JSON text. Whole-number floats (``4.0``) count as
            integers; a ``None`` score counts as left out.
        where : str, optional
            Put after "The rubric answer" in the message, e.g. ``"of round 2"``.

        Returns
        -------
        dict
            Scores as ints, in the order of the rubric; optional criteria left out stay out.

        Raises
        ------
        DataError
            ``reason`` is ``'not_an_object'``, ``'unknown_criterion'``, ``'missing_criterion'`` or
            ``'bad_score'`` (that of the first problem).

        Examples
        --------
        >>> r = Rubric.from_dict({"helpful": [1, 5], "honest": [1, 5]})
        >>> r.check({"helpful": 4})
        Traceback (most recent call last):
        ...
        workbench.exceptions.DataError: The rubric answer does not fit the rubric: missing criterion 'honest' (score it, or declare it optional: true in the rubric). The rubric's criteria: helpful 1-5, honest 1-5. Score every required criterion with a whole number on its scale, and leave out names the rubric does not define (or declare them in the rubric of a new round).
        """
        scores = _decode(answer, where, self)
        problems: List[Tuple[str, str]] = []
        for name in scores:
            if name not in self.names:
                problems.append(("unknown_criterion", f"unknown criterion {name!r}{did_you_mean(name, self.names)}"))
        out: Dict[str, int] = {}
        for c in self.criteria:
            value = scores.get(c.name)
            if _absent(value):
                if not c.optional:
                    problems.append(("missing_criterion", f"missing criterion {c.name!r} (score it, or declare it "
                                     "optional: true in the rubric)"))
                continue
            if _is_int(value):
                score = int(value)
            elif isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value) \
                    and float(value).is_integer():
                score = int(value)
            else:
                problems.append(("bad_score", f"{c.name!r} must be a whole number from {c.low} to {c.high}; "
                                 f"got {value!r}"))
                continue
            if not c.low <= score <= c.high:
                problems.append(("bad_score", f"{c.name!r} is {score}, outside its scale {c.low}-{c.high}"))
                continue
            out[c.name] = score
        if problems:
            raise DataError(f"The rubric answer{_where(where)} does not fit the rubric: "
                            f"{'; '.join(p for _, p in problems)}. The rubric's criteria: {self.describe()}. "
                            "Score every required criterion with a whole number on its scale, and leave out names "
                            "the rubric does not define (or declare them in the rubric of a new round).",
                            reason=problems[0][0])
        return out


def _where(where: Optional[str]) -> str:
    return f" {where}" if where else ""


def _absent(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _decode(answer: Any, where: Optional[str], rubric: Optional[Rubric]) -> Mapping:
    """The answer as a mapping (JSON text decoded), or a DataError saying what shape is expected."""
    example = ('{"helpful": 4, "honest": 5}' if rubric is None
               else json.dumps({c.name: c.high for c in rubric.criteria[:3]}))
    advice = (f"The rubric's criteria: {rubric.describe()}." if rubric is not None else
              "Declare the round's rubric with store.create_round(..., rubric=...) to check criteria and scales too.")
    value = answer
    if isinstance(answer, str):
        try:
            value = json.loads(answer)
        except ValueError as exc:
            raise DataError(f"The rubric answer{_where(where)} must be a JSON object mapping criterion names to "
                            f"scores, e.g. {example}; got {answer[:80]!r}, which is not valid JSON ({exc}). "
                            f"{advice}", reason="not_an_object") from None
    if not isinstance(value, Mapping):
        shown = answer[:80] if isinstance(answer, str) else answer
        raise DataError(f"The rubric answer{_where(where)} must be a JSON object mapping criterion names to scores, "
                        f"e.g. {example}; got {shown!r}. {advice}", reason="not_an_object")
    return value


def check_rubric_answer(answer: Any, *, where: Optional[str] = None) -> Dict[str, Any]:
    """Check the shape of a rubric answer when no rubric is declared: criterion names to finite numbers.

    Parameters
    ----------
    answer : mapping or str
        ``{"helpful": 4, ...}`` or its JSON text.
    where : str, optional
        Put after "The rubric answer" in the message.

    Returns
    -------
    dict
        The scores (numpy numbers made Python ``int`` / ``float``), in the answer's order.

    Raises
    ------
    DataError
        Not an object (``reason='not_an_object'``), no scores, a name that is not a non-empty
        text, or a score that is not a finite number (``reason='bad_score'``).

    Examples
    --------
    >>> check_rubric_answer('{"helpful": 4, "fluency": 3.5}')
    {'helpful': 4, 'fluency': 3.5}
    >>> check_rubric_answer({"helpful": "great"})
    Traceback (most recent call last):
    ...
    workbench.exceptions.DataError: The rubric answer has a score that is not a finite number: 'helpful' is 'great'. Give every criterion a number, e.g. {"helpful": 4, "honest": 5}; declare the round's rubric with store.create_round(..., rubric=...) to check criteria and scales too.
    """
    value = _decode(answer, where, None)
    fix = ('e.g. {"helpful": 4, "honest": 5}; declare the round\'s rubric with store.create_round(..., '
           'rubric=...) to check criteria and scales too.')
    if not value:
        raise DataError(f"The rubric answer{_where(where)} has no scores: give each criterion a number, {fix}",
                        reason="not_an_object")
    names = [k for k in value if not isinstance(k, str) or not k.strip()]
    if names:
        raise DataError(f"The rubric answer{_where(where)} has criterion names that are not non-empty texts: "
                        f"{names}. Name every criterion, {fix}", reason="bad_criterion")
    bad = [(k, v) for k, v in value.items()
           if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v)]
    if bad:
        shown = ", ".join(f"{k!r} is {v!r}" for k, v in bad[:10])
        raise DataError(f"The rubric answer{_where(where)} has a score that is not a finite number: {shown}. Give "
                        f"every criterion a number, {fix}", reason="bad_score")
    return {k: int(v) if isinstance(v, numbers.Integral) else float(v) for k, v in value.items()}
