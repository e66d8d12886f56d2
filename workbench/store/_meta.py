"""Taxonomy versions and rounds in the annotation store (both immutable once written).

A round may declare a rubric; it is kept in its params under ``"rubric"`` (canonical form).

Examples
--------
>>> from workbench.store._schema import open_engine, ensure_schema
>>> engine = open_engine("sqlite://"); _ = ensure_schema(engine)
>>> rounds_table(engine).columns.tolist()
['round', 'name', 'taxonomy_version', 'params', 'created_at']
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, List, Optional

import numpy as np
import pandas as pd
import sqlalchemy as sa

from . import _schema as S
from .._internal.validation import check_positive_int
from ..exceptions import StoreError, ValidationError
from ..taxonomy import Rubric

__all__ = ["save_taxonomy", "write_taxonomy", "taxonomy_versions", "taxonomy_yaml", "create_round", "rounds_table", "round_row",
           "round_params", "rubric_of"]


def save_taxonomy(engine: sa.Engine, taxonomy, *, where: str) -> int:
    """Store ``taxonomy.to_yaml()`` under ``taxonomy.version``; same content again is a no-op."""
    with S.write_transaction(engine) as conn:
        return write_taxonomy(conn, taxonomy, where=where)


def write_taxonomy(conn: sa.Connection, taxonomy, *, where: str) -> int:
    """:func:`save_taxonomy` inside ``conn``'s transaction."""
    text = taxonomy.to_yaml()
    version = check_positive_int(taxonomy.version, param="version", caller="save_taxonomy", minimum=0,
                                 maximum=S.MAX_INT)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    t = S.taxonomies
    found = conn.execute(sa.select(t.c.content_hash, t.c.name).where(t.c.version == version)).first()
    if found is None:
        conn.execute(t.insert().values(version=version, name=str(taxonomy.name), yaml=text,
                                       content_hash=digest, created_at=S.utcnow()))
    elif found.content_hash != digest:
        raise StoreError(
            f"Taxonomy version {version} is already saved in {where} with different content "
            f"(name {found.name!r}). Versions are immutable: make the next version with "
            "Taxonomy.apply(...) (or bump 'version') and save that.")
    return version


def taxonomy_versions(engine: sa.Engine) -> List[int]:
    """Saved versions, ascending."""
    with engine.connect() as conn:
        return [int(v) for v in conn.execute(sa.select(S.taxonomies.c.version).order_by("version")).scalars()]


def taxonomy_yaml(engine: sa.Engine, version: int, *, where: str) -> str:
    """The YAML text of a saved version."""
    with engine.connect() as conn:
        text = conn.execute(sa.select(S.taxonomies.c.yaml).where(S.taxonomies.c.version == version)).scalar()
    if text is None:
        raise StoreError(f"Taxonomy version {version} is not saved in {where}; saved versions: "
                         f"{taxonomy_versions(engine)}. Save it with store.save_taxonomy(t).")
    return text


def round_params(round: int, params: Optional[dict], rubric: Any) -> dict:
    """``params`` with the round's rubric under ``"rubric"`` in its canonical form (:meth:`Rubric.to_dict`).

    ``rubric`` may be a :class:`~workbench.taxonomy.Rubric` or any form :meth:`Rubric.from_dict`
    reads; a ``"rubric"`` already in ``params`` is read the same way.

    >>> round_params(2, {"overlap": 2}, {"helpful": [1, 5]})
    {'overlap': 2, 'rubric': {'criteria': [{'name': 'helpful', 'scale': [1, 5]}]}}
    """
    params = dict(params or {})
    given = params.get("rubric")
    if rubric is None and given is None:
        return params
    declared = Rubric.from_dict(rubric, source=f"round {round}") if rubric is not None else None
    in_params = (Rubric.from_dict(given, source=f"round {round} (params['rubric'], where a round keeps its rubric)")
                 if given is not None else None)
    if declared is not None and in_params is not None and declared != in_params:
        raise ValidationError(f"create_round({round}) got two different rubrics: rubric= ({declared.describe()}) "
                              f"and params['rubric'] ({in_params.describe()}). Pass it once, as rubric=...")
    params["rubric"] = (declared or in_params).to_dict()
    return params


def rubric_of(info: dict, *, where: str) -> Optional[Rubric]:
    """The :class:`~workbench.taxonomy.Rubric` a round's params declare, or None."""
    data = (info.get("params") or {}).get("rubric")
    if data is None:
        return None
    try:
        return Rubric.from_dict(data, source=f"round {info['round']}")
    except ValidationError as exc:
        raise StoreError(f"Round {info['round']} of {where} keeps a rubric in its params that is not valid, so its "
                         f"rubric answers cannot be checked. {exc}\nRounds are immutable: create a new round with "
                         "a valid rubric=...") from exc


def create_round(engine: sa.Engine, round: int, *, taxonomy_version: int, name: Optional[str],
                 params: Optional[dict], rubric: Any = None) -> int:
    """Insert a round; the same settings again is a no-op, other settings an error."""
    round = check_positive_int(round, param="round", caller="create_round", minimum=0, maximum=S.MAX_INT)
    taxonomy_version = check_positive_int(taxonomy_version, param="taxonomy_version", caller="create_round",
                                          minimum=0, maximum=S.MAX_INT)
    if params is not None and not isinstance(params, dict):
        raise ValidationError(f"The 'params' parameter of create_round must be a dict of JSON-serialisable "
                              f"settings. Got {params!r} instead.")
    params = round_params(round, params, rubric)
    try:
        params_json = json.dumps(params or {}, sort_keys=True)
    except TypeError as exc:
        raise StoreError(f"The params of round {round} must be JSON-serialisable ({exc}).") from exc
    r = S.rounds
    with S.write_transaction(engine) as conn:
        known = conn.execute(sa.select(S.taxonomies.c.version)
                             .where(S.taxonomies.c.version == taxonomy_version)).scalar()
        if known is None:
            raise StoreError(f"Cannot create round {round}: taxonomy version {taxonomy_version} is not saved; "
                             f"saved versions: {taxonomy_versions(engine)}. Call store.save_taxonomy(t) first.")
        found = conn.execute(sa.select(r).where(r.c.round == round)).first()
        if found is None:
            conn.execute(r.insert().values(round=round, name=name, taxonomy_version=taxonomy_version,
                                           params=params_json, created_at=S.utcnow()))
        elif (found.taxonomy_version, found.name, found.params) != (taxonomy_version, name, params_json):
            raise StoreError(f"Round {round} already exists with taxonomy v{found.taxonomy_version}, name "
                             f"{found.name!r}, params {found.params}. Rounds are immutable: use a new round number.")
    return round


def rounds_table(engine: sa.Engine) -> pd.DataFrame:
    """``round, name, taxonomy_version, params (dict), created_at`` of every round."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(S.rounds).order_by(S.rounds.c.round)).mappings().all()
    df = pd.DataFrame([dict(r) for r in rows], columns=["round", "name", "taxonomy_version", "params", "created_at"])
    df["params"] = [json.loads(p) if p else {} for p in df["params"]]
    df["created_at"] = pd.to_datetime(df["created_at"], utc=True)
    return df


def round_row(engine: sa.Engine, round: int, *, where: str) -> dict:
    """One round as a dict (params decoded)."""
    if isinstance(round, bool) or not isinstance(round, (int, np.integer)) or not 0 <= round <= S.MAX_INT:
        raise StoreError(f"A round is an int from 0 to {S.MAX_INT}; got {round!r}. Existing rounds in {where}: "
                         f"{rounds_table(engine)['round'].tolist()}.")
    with engine.connect() as conn:
        row = conn.execute(sa.select(S.rounds).where(S.rounds.c.round == int(round))).mappings().first()
    if row is None:
        raise StoreError(f"Round {round} does not exist in {where}; existing rounds: "
                         f"{rounds_table(engine)['round'].tolist()}. Create it with store.create_round({round}, "
                         "taxonomy_version=...).")
    info = dict(row)
    info["params"] = json.loads(info["params"]) if info["params"] else {}
    info["created_at"] = pd.Timestamp(info["created_at"]).tz_localize("UTC") \
        if pd.Timestamp(info["created_at"]).tzinfo is None else pd.Timestamp(info["created_at"])
    return info
