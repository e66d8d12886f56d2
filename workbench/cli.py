"""The ``workbench`` command: argument parsing only; the work happens in the modules.

Every subcommand prints one clear line on error and exits non-zero; no traceback
unless ``--traceback`` is given.

Examples
--------
>>> from workbench.cli import build_parser
>>> args = build_parser().parse_args(["validate", "taxonomy.yaml"])
>>> args.command, args.taxonomy
('validate', 'taxonomy.yaml')
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional, Sequence

from . import __version__
from .exceptions import WorkbenchError

__all__ = ["main", "build_parser", "resolve_paths", "parse_expiry", "sign_in_link"]

DEFAULT_DEMO_DIR = "demo-project"


def _store(db: str, *, create: bool = True):
    """The store at ``db``; refuses URLs whose data would vanish with the process.

    Read commands pass ``create=False``: a missing database is an error, never a new empty one.
    """
    from .store import AnnotationStore, is_memory_url

    if is_memory_url(db):
        raise WorkbenchError(f"--db {db} keeps the data in memory only, so it would be lost when the command "
                             "ends. Give a file path (e.g. --db labels.db) or a PostgreSQL URL.")
    return AnnotationStore(db, create=create)


def _existing_round(store, round: int) -> None:
    store.round_info(round)  # raises, listing the rounds, when it does not exist


def _say(message: str) -> None:
    print(message, flush=True)


# --------------------------------------------------------------------------- commands


def _write_starter_project(target: Path, *, overwrite: bool) -> List[Path]:
    from importlib.resources import files

    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name in ("taxonomy.yaml", "items.csv"):
        path = target / name
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path} already exists; pass --force to overwrite it")
        path.write_text(files("workbench.data").joinpath(f"starter_{name}").read_text(encoding="utf-8"),
                        encoding="utf-8")
        written.append(path)
    return written


def cmd_init(args) -> int:
    target = Path(args.directory)
    if args.demo:
        from .demo import write_demo_project

        written = write_demo_project(target, overwrite=args.force)
    else:
        written = _write_starter_project(target, overwrite=args.force)
    _say(f"Wrote {len(written)} files to {target}/: " + ", ".join(sorted(Path(p).name for p in written)))
    _say(f"Next: workbench validate {target / 'taxonomy.yaml'}")
    return 0


def cmd_validate(args) -> int:
    from .taxonomy import Taxonomy

    taxonomy = Taxonomy.load(args.taxonomy)
    _say(
        f"ok: {args.taxonomy}: taxonomy {taxonomy.name!r} v{taxonomy.version} ({taxonomy.task}), "
        f"{len(taxonomy.categories)} categories, {len(taxonomy.labels)} labels, "
        f"{len(taxonomy.edge_cases)} edge-case rules"
    )
    return 0


def cmd_guideline(args) -> int:
    from .guideline import write_guideline
    from .taxonomy import Taxonomy

    taxonomy = Taxonomy.load(args.taxonomy)
    path = write_guideline(taxonomy, args.output)
    _say(f"Wrote the labeling guideline for {taxonomy.name!r} v{taxonomy.version} to {path}")
    return 0


def cmd_import(args) -> int:
    from .items import read_items

    taxonomy = None
    if args.taxonomy:  # checked before anything is read or written
        from .taxonomy import Taxonomy

        taxonomy = Taxonomy.load(args.taxonomy)
    items = read_items(args.items, id_col=args.id_col, text_col=args.text_col, dataset=args.dataset,
                       encoding=args.encoding)
    store = _store(args.db)
    result = store.import_items(items, taxonomy=taxonomy)
    _say(f"Imported {len(items)} items from {args.items} into {_shown(store)} "
         f"({result.items_new} new, {result.items_existing} already there)")
    if taxonomy is not None:
        _say(f"Saved taxonomy {taxonomy.name!r} version {result.taxonomy_version}")
    return 0


def _shown(store) -> str:
    import sqlalchemy as sa

    return sa.make_url(store.url).render_as_string(hide_password=True)


_LABEL_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet",
                  ".json": "label-studio"}
_LS_FORMATS = ("label-studio", "label-studio-min", "label-studio-csv")


def _annotator_map(args):
    """The --annotator-map file (or the default map), with Label Studio's user ids when a server is given."""
    import os

    from .interop import AnnotatorMap, label_studio_users, read_annotator_map

    people = read_annotator_map(args.annotator_map) if getattr(args, "annotator_map", None) else AnnotatorMap()
    url = getattr(args, "label_studio_url", None)
    if url:
        token = args.label_studio_token or os.environ.get("LABEL_STUDIO_API_KEY", "")
        people.ids.update({k: v for k, v in label_studio_users(url, token).items() if k not in people.ids})
    return people


def cmd_label_studio_users(args) -> int:
    import csv
    import os

    from .interop import create_label_studio_users

    store = _store(args.db, create=False)
    _existing_round(store, args.round)
    names = sorted(set(store.annotations(round=args.round)["annotator"]))
    people = _annotator_map(argparse.Namespace(annotator_map=args.annotator_map, label_studio_url=None))
    token = args.label_studio_token or os.environ.get("LABEL_STUDIO_API_KEY", "")
    ids = create_label_studio_users(args.label_studio_url, token, names, people)
    with open(args.output, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["name", "email", "label_studio_id"])
        for name in names:
            email = people.email(name)
            writer.writerow([name, email, ids[email]])
    _say(f"{len(names)} annotators of round {args.round} are Label Studio users; the map is in {args.output}")
    return 0


def cmd_import_annotations(args) -> int:
    fmt = args.format or _LABEL_FORMATS.get(Path(args.file).suffix.lower())
    if fmt is None:
        raise WorkbenchError(f"Cannot tell the format of {args.file} from its suffix; pass --format "
                             f"({', '.join(sorted(set(_LABEL_FORMATS.values()) | set(_LS_FORMATS)))}).")
    if not Path(args.file).is_file():
        raise FileNotFoundError(f"{args.file} does not exist; check the path")
    store = _store(args.db, create=False)
    _existing_round(store, args.round)
    if fmt in _LS_FORMATS:
        from .interop import import_label_studio

        config = Path(args.label_config).read_text(encoding="utf-8") if args.label_config else None
        result = import_label_studio(store, args.file, round=args.round, format=fmt, annotators=_annotator_map(args),
                                     ground_truth=args.ground_truth, text_key=args.text_key, label_config=config)
    else:
        result = store.import_annotations(args.file, round=args.round, format=fmt, encoding=args.encoding,
                                          restore=not args.raw_cells)
    _say(f"Imported {args.file} into round {args.round} of {_shown(store)}: {result.summary()}")
    return 0


def cmd_export(args) -> int:
    store = _store(args.db, create=False)
    if args.format == "label-studio-config":
        from .interop import label_studio_config

        version = store.round_info(args.round)["taxonomy_version"] if args.round is not None else None
        taxonomy = store.taxonomy(version)
        Path(args.output).write_text(label_studio_config(taxonomy) + "\n", encoding="utf-8")
        _say(f"Wrote the Label Studio labeling config of {taxonomy.name!r} v{taxonomy.version} to {args.output}")
        return 0
    if args.format == "label-studio":
        from .interop import export_label_studio

        n = export_label_studio(store, args.output, round=args.round, annotators=_annotator_map(args))
    else:
        n = store.export(args.output, format=args.format, round=args.round, neutralize=not args.raw_cells)
    scope = f"round {args.round}" if args.round is not None else "every round"
    _say(f"Exported {n} annotations ({scope}) from {_shown(store)} as {args.format} to {args.output}")
    return 0


def cmd_demo(args) -> int:
    """A whole pilot round on the bundled demo project, on a fresh SQLite file."""
    from .demo import run_demo_round, write_demo_project
    from .guideline import write_guideline
    from .taxonomy import Taxonomy

    project = Path(args.dir)
    if not (project / "taxonomy.yaml").exists():
        write_demo_project(project)
        _say(f"[1/5] Wrote the demo project (example data written for this project) to {project}/")
    else:
        _say(f"[1/5] Using the demo project in {project}/")
    taxonomy = Taxonomy.load(project / "taxonomy.yaml")
    _say(f"[2/5] Taxonomy {taxonomy.name!r} v{taxonomy.version} is valid: "
         f"{len(taxonomy.labels)} labels in {len(taxonomy.groups)} groups, {len(taxonomy.edge_cases)} edge-case rules")
    guideline = write_guideline(taxonomy, project / "guideline.html")
    _say(f"[3/5] Rendered the labeling guideline to {guideline}")
    db = project / "workbench.db"
    for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{db}-wlock")):
        stale.unlink(missing_ok=True)  # a demo always starts from a fresh store, so it is reproducible
    summary = run_demo_round(project, n_items=args.items, random_state=args.seed)
    _say(f"[4/5] Pilot round 1 in {db}: {_describe(summary)}")
    if args.no_report:
        return 0
    from .report import render_report

    result = render_report(
        "pilot", Path(args.report_dir),
        parameters=dict(db_url=f"sqlite:///{db.resolve()}", round=1, random_state=args.seed,
                        title="Demo pilot round 1 (simulated annotators)"),
    )
    _say(f"[5/5] Pilot report: {result.html_path} (metrics: {result.metrics_path}), "
         f"rendered in {result.timings['total']:.0f} s")
    return 0


def _describe(summary) -> str:
    if isinstance(summary, dict):
        return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in summary.items() if not isinstance(v, (dict, list)))
    return str(summary)


def cmd_serve(args) -> int:
    from .widgets.serve import serve

    with _store(args.db, create=False) as store:
        _existing_round(store, args.round)
    return serve(args.db, args.round, port=args.port, host=args.host, hostnames=args.hostname or ()) or 0


def cmd_report(args) -> int:
    from .report import check_parameters, parse_parameter, render_report, template_parameters

    if args.list_params:
        for name, spec in template_parameters(args.kind).items():
            _say(f"{name} = {spec['default']}" + (f"    # {spec['help']}" if spec["help"] else ""))
        return 0
    over_time = args.kind in ("sla", "trend")  # these follow many rounds: --rounds, not --round
    needed = [("--db", args.db), ("-o", args.output)] + ([] if over_time else [("--round", args.round)])
    if args.kind == "sla":
        needed.append(("--targets", args.targets))
    missing = [flag for flag, value in needed if value is None]
    if missing:
        example = {"sla": "--db program.db --targets targets.yaml --start 2026-11-02 -o reports/sla/",
                   "trend": "--db program.db --rounds 1-6 -o reports/trend/"}.get(
            args.kind, "--db demo-project/workbench.db --round 1 -o reports/round-1/")
        raise WorkbenchError(f"workbench report {args.kind} needs {', '.join(missing)} (e.g. {example}).")
    if not over_time and (args.rounds or args.targets or args.start or args.end):
        raise WorkbenchError(f"--rounds, --targets, --start and --end are for `report sla` and `report trend`; "
                             f"`report {args.kind}` takes --round.")
    parameters = dict(db_url=args.db)
    if over_time:
        rounds = parse_rounds(args.rounds) if args.rounds else ([args.round] if args.round is not None else None)
        parameters["rounds"] = rounds
        if args.kind == "sla":
            parameters.update(targets_path=str(Path(args.targets).resolve()), start=args.start, end=args.end)
    else:
        parameters["round"] = args.round
    if args.taxonomy:
        parameters["taxonomy_path"] = args.taxonomy
    if args.previous_round is not None:
        parameters["previous_round"] = args.previous_round
    parameters.update(parse_parameter(item) for item in args.param or [])
    check_parameters(args.kind, parameters)
    if args.kind == "sla":
        from .monitoring import QualityTargets

        QualityTargets.read(args.targets)  # a typo in targets.yaml is reported before a kernel starts
    with _store(args.db, create=False) as store:  # before a kernel starts: no report of nothing
        for r in ([args.round] if args.round is not None else []) + list(parameters.get("rounds") or []):
            _existing_round(store, r)
        if args.previous_round is not None:
            _existing_round(store, args.previous_round)
    result = render_report(args.kind, args.output, parameters=parameters)  # refuses unknown names first
    _say(f"Report written to {result.html_path} (notebook {result.notebook_path}, metrics {result.metrics_path})")
    return 0


def parse_rounds(text: str) -> list:
    """``--rounds``: ``"1-6"`` -> [1, ..., 6]; ``"1,3,5"`` -> [1, 3, 5]; ranges and lists combine.

    Examples
    --------
    >>> parse_rounds("1-3,7")
    [1, 2, 3, 7]
    """
    out = []
    for part in str(text).split(","):
        part = part.strip()
        try:
            if "-" in part:
                first, last = (int(x) for x in part.split("-", 1))
                if last < first:
                    raise ValueError
                out += list(range(first, last + 1))
            else:
                out.append(int(part))
        except ValueError:
            raise WorkbenchError(f"--rounds {text!r}: {part!r} is not a round or a range such as 1-6. Write e.g. "
                                 "--rounds 1-6 or --rounds 1,3,5.") from None
    return list(dict.fromkeys(out))


# --------------------------------------------------------------------------- users, erasure, audit log

_DURATION_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
DEFAULT_SIGN_IN_URL = "http://127.0.0.1:8866/"


def _printable(text) -> str:
    """``text`` with control characters shown as ``\\uXXXX``, so nothing from the store steers the terminal."""
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in str(text))


def _table(df) -> str:
    """A DataFrame as left-aligned columns for the terminal (every cell already a string or a number)."""
    columns = [str(c) for c in df.columns]
    rows = [[str(v) for v in row] for row in df.itertuples(index=False)]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip() for cells in [columns] + rows]
    return "\n".join(lines)


def parse_expiry(text: str):
    """``--expires``: ``never`` -> None; ``30m``, ``12h``, ``7d``, ``2w`` -> a :class:`datetime.timedelta`.

    Examples
    --------
    >>> parse_expiry("7d"), parse_expiry("never")
    (datetime.timedelta(days=7), None)
    """
    import datetime as dt
    import re

    value = str(text).strip().lower()
    if value == "never":
        return None
    match = re.fullmatch(r"([1-9][0-9]{0,5})\s*([mhdw])", value)
    if match is None:
        raise WorkbenchError(f"--expires must be a number and a unit (m, h, d, w), e.g. 12h or 7d, or 'never'; "
                             f"got {text!r}.")
    return dt.timedelta(**{_DURATION_UNITS[match.group(2)]: int(match.group(1))})


def sign_in_link(url: str, token: str) -> str:
    """``url`` with ``token=<token>`` added to its query.

    Examples
    --------
    >>> sign_in_link("http://127.0.0.1:8866/", "abc"), sign_in_link("https://h/voila/render/x.ipynb?a=1", "abc")
    ('http://127.0.0.1:8866/?token=abc', 'https://h/voila/render/x.ipynb?a=1&token=abc')
    """
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise WorkbenchError(f"--url must be an http:// or https:// address of the labeling page, such as "
                             f"{DEFAULT_SIGN_IN_URL}; got {url!r}.")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "token"]
    return urlunsplit(parts._replace(query=urlencode(query + [("token", token)])))


def _actor(args) -> str:
    from .store._users import default_actor

    return args.actor if getattr(args, "actor", None) else default_actor()


def _role_of(user: dict) -> str:
    team = f", team {_printable(user['team'])}" if user.get("team") else ""
    return f"{user['role']}{team}"


def cmd_users_add(args) -> int:
    expires_in = parse_expiry(args.expires)
    sign_in_link(args.url, "check")  # a bad --url fails before anything is written
    store = _store(args.db, create=False)  # a mistyped --db is an error, not a new store with a link into nothing
    actor = _actor(args)
    known = store.user(args.name)
    role = args.role or (known["role"] if known else "labeler")
    team = args.team if args.team is not None else (known["team"] if known else None)
    user = store.add_user(args.name, role=role, team=team, actor=actor)
    name = _printable(user["user_id"])
    if known is None:
        _say(f"Added user {name!r} ({_role_of(user)}) to {_shown(store)}")
    else:
        _say(f"User {name!r} ({_role_of(user)}) is already in {_shown(store)}; issuing a new sign-in link")
    token = store.issue_token(user["user_id"], expires_in=expires_in, actor=actor)
    expires = store.authenticate(token)["token_expires_at"]
    until = "never expires" if expires is None else f"expires {expires:%Y-%m-%d %H:%M} UTC"
    _say(f"Sign-in link for {name} ({until}):")
    _say(f"  {sign_in_link(args.url, token)}")
    _say("This link is shown once: the store keeps only a hash of its token. Send it to the person privately; "
         "anyone with the link signs in as them.")
    _say(f"Revoke it (and every other link of {name}) with: workbench users revoke {name} --db {_shown(store)}")
    return 0


def cmd_users_list(args) -> int:
    import pandas as pd

    store = _store(args.db, create=False)
    users = store.users()
    if users.empty:
        _say(f"No users in {_shown(store)}. Add one with: workbench users add NAME --role labeler --db {_shown(store)}")
        return 0
    table = users.assign(
        team=[_printable(t) if t else "-" for t in users["team"]],
        user_id=[_printable(u) for u in users["user_id"]],
        created=users["created_at"].dt.strftime("%Y-%m-%d"),
        disabled=[d.strftime("%Y-%m-%d") if not pd.isna(d) else "-" for d in users["disabled_at"]],
        sign_in_links=users["active_tokens"],
    )[["user_id", "role", "team", "created", "disabled", "sign_in_links"]]
    _say(_table(table))
    _say(f"{len(users)} user{'s' if len(users) != 1 else ''} in {_shown(store)} (tokens are never shown; "
         "sign_in_links counts the links that still sign in)")
    return 0


def cmd_users_revoke(args) -> int:
    store = _store(args.db, create=False)
    n = store.revoke_tokens(args.name, actor=_actor(args))
    name = _printable(args.name)
    _say(f"Revoked {n} sign-in link{'s' if n != 1 else ''} of {name!r} in {_shown(store)}; "
         + ("they no longer sign in. " if n else "there were none left. ")
         + f"Issue a new one with: workbench users add {name} --db {_shown(store)}")
    return 0


def cmd_users_disable(args) -> int:
    store = _store(args.db, create=False)
    before = store.user(args.name)
    user = store.disable_user(args.name, actor=_actor(args))
    name = _printable(args.name)
    if before is not None and before["disabled_at"] is not None:
        _say(f"User {name!r} was already disabled (since {user['disabled_at']:%Y-%m-%d %H:%M} UTC)")
    else:
        _say(f"Disabled user {name!r} in {_shown(store)}: their sign-in links no longer work; their annotations stay")
    return 0


def cmd_users_role(args) -> int:
    store = _store(args.db, create=False)
    before = store.user(args.name)
    user = store.set_role(args.name, args.role, actor=_actor(args))
    name = _printable(args.name)
    if before is not None and before["role"] == user["role"]:
        _say(f"User {name!r} already has the role {user['role']}; nothing changed")
    else:
        _say(f"Changed the role of {name!r} from {before['role'] if before else '?'} to {user['role']} in "
             f"{_shown(store)} (their sign-in links stay valid)")
    return 0


def _annotation_count(store, item_id: str) -> int:
    import sqlalchemy as sa

    from .store._schema import annotations

    with store.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).where(annotations.c.item_id == item_id)).scalar())


def cmd_reassign(args) -> int:
    store = _store(args.db, create=False)
    _existing_round(store, args.round)
    moved = store.reassign(round=args.round, source=args.source, target=args.target, actor=args.actor)
    who, to = _printable(args.source), _printable(args.target)
    if not moved:
        _say(f"{who!r} has answered every item assigned in round {args.round}; nothing to move")
    else:
        _say(f"Moved {len(moved)} unanswered item{'s' if len(moved) != 1 else ''} of {who!r} in round {args.round} to "
             f"the end of {to!r}'s queue (recorded in the audit log); what {who!r} answered stays theirs")
    return 0


def cmd_erase(args) -> int:
    store = _store(args.db, create=False)
    done = store.erase_item(args.item, actor=args.actor, annotations=args.with_annotations)
    item = _printable(args.item)
    rows = done["annotations_deleted"]
    deleted = (f"{rows} annotation row{'s' if rows != 1 else ''} and {done['imports_deleted']} import "
               f"key{'s' if done['imports_deleted'] != 1 else ''} deleted")
    if done["already_erased"] and not done["item_purged"] and not rows:
        _say(f"Item {item!r} was already erased (on {done['erased_at']:%Y-%m-%d %H:%M} UTC); nothing to do")
        return 0
    if done["item_purged"]:
        _say(f"Erased item {item!r} from {_shown(store)}: its text, payload and metadata are purged (a tombstone "
             "row keeps its id)" + (f"; {deleted}" if args.with_annotations else ""))
    else:
        _say(f"Item {item!r} was already erased; now {deleted}")
    if done["vacuumed"]:
        if store.engine.dialect.name == "sqlite":
            _say("The database file was checkpointed and vacuumed: the erased bytes are gone from it")
        else:
            _say("VACUUM ran on the touched tables; the bytes may remain in PostgreSQL's table files, WAL and "
                 "backups until reused (VACUUM FULL rewrites the tables; see docs/data-safety.md)")
    if not args.with_annotations:
        left = _annotation_count(store, args.item)
        if left:
            _say(f"Its {left} annotation {'rows were' if left != 1 else 'row was'} kept (notes may quote the text); "
                 "run again with --with-annotations to delete them")
    _say(f"Recorded in the audit log as erased by {_printable(args.actor)!r}. Copies made before (backups, exported "
         "files, the source file of the import) still hold the text: erase it there too")
    return 0


def cmd_audit(args) -> int:
    import json

    store = _store(args.db, create=False)
    log = store.audit_log(action=args.action, actor=args.actor)
    if log.empty:
        which = " matching the filter" if args.action or args.actor else ""
        _say(f"No audit log rows{which} in {_shown(store)}")
        return 0
    table = log.assign(
        at=log["at"].dt.strftime("%Y-%m-%d %H:%M:%S"),
        actor=[_printable(a) for a in log["actor"]],
        target=[_printable(t) if t is not None else "-" for t in log["target"]],
        detail=[_printable(json.dumps(d, sort_keys=True, ensure_ascii=False)) if d is not None else "-"
                for d in log["detail"]],
    )
    _say(_table(table))
    return 0


# --------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of the ``workbench`` command."""
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Taxonomy Workbench: design labeling taxonomies and run pilot labeling rounds.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--traceback", action="store_true", help="show the full traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("init", help="create a project folder (--demo: the bundled support-intents demo)")
    p.add_argument("directory")
    p.add_argument("--demo", action="store_true", help="write the bundled demo project (example data)")
    p.add_argument("--force", action="store_true", help="overwrite existing files")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("validate", help="validate a taxonomy YAML file; prints every problem with its line")
    p.add_argument("taxonomy")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("guideline", help="render the labeling guideline (.md or .html)")
    p.add_argument("taxonomy")
    p.add_argument("-o", "--output", required=True, help="output file; .html or .md")
    p.set_defaults(func=cmd_guideline)

    p = sub.add_parser("import", help="import items (csv, jsonl, parquet) into a store")
    p.add_argument("items")
    p.add_argument("--db", required=True, help="store URL or SQLite file path")
    p.add_argument("--id-col", default=None, help="column holding the item id (default: content hash)")
    p.add_argument("--text-col", default="text", help="column holding the item text (default: text)")
    p.add_argument("--dataset", default=None, help="dataset name recorded with the items")
    p.add_argument("--taxonomy", default=None, help="also save this taxonomy file in the store (same transaction)")
    p.add_argument("--encoding", default="utf-8", help="text encoding of the file (default: utf-8)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("import-annotations", help="import annotations into a round: an `export` file (csv, jsonl, "
                                                  "parquet) or a Label Studio export; all-or-nothing and idempotent",
                       description="Import annotations into a round. Every row is checked first, then everything is "
                                   "written in one transaction; importing the same file again adds nothing. Label "
                                   "Studio users map back to annotator names through --annotator-map (default: "
                                   "name@workbench.local is 'name', any other email stays the name).")
    p.add_argument("file")
    p.add_argument("--db", required=True, help="store URL or SQLite file path")
    p.add_argument("--round", type=int, required=True)
    p.add_argument("--format", choices=["csv", "jsonl", "parquet", *_LS_FORMATS], default=None,
                   help="default: from the suffix (.json = Label Studio JSON; JSON_MIN is recognised)")
    p.add_argument("--annotator-map", metavar="FILE", default=None,
                   help="CSV name,email[,label_studio_id] (or JSON/YAML {name: email}) mapping annotators to "
                        "Label Studio users")
    p.add_argument("--ground-truth", choices=["label", "adjudication"], default="label",
                   help="a Label Studio ground-truth star: keep it as the labeler's label and mark it (default), "
                        "or import it as an adjudication")
    p.add_argument("--label-config", metavar="FILE", default=None,
                   help="the project's labeling config XML, to read JSON_MIN / CSV columns exactly")
    p.add_argument("--text-key", default="text", help="Label Studio task data field holding the text (default: text)")
    p.add_argument("--label-studio-url", default=None,
                   help="look Label Studio user ids up on this server (JSON_MIN and CSV name annotators by id)")
    p.add_argument("--label-studio-token", default=None, help="API token for --label-studio-url "
                                                             "(default: $LABEL_STUDIO_API_KEY)")
    p.add_argument("--encoding", default="utf-8", help="text encoding of a csv/jsonl file (default: utf-8)")
    p.add_argument("--raw-cells", action="store_true",
                   help="keep a leading ' in cells (default: undo the formula guard of a CSV export)")
    p.set_defaults(func=cmd_import_annotations)

    p = sub.add_parser("label-studio-users", help="create the Label Studio users a round's annotators map to, and "
                                                  "write the map (name,email,label_studio_id)")
    p.add_argument("--db", required=True, help="store URL or SQLite file path")
    p.add_argument("--round", type=int, required=True)
    p.add_argument("--label-studio-url", required=True, help="e.g. http://127.0.0.1:8080")
    p.add_argument("--label-studio-token", default=None, help="an admin's API token (default: $LABEL_STUDIO_API_KEY)")
    p.add_argument("--annotator-map", metavar="FILE", default=None, help="names to emails (default: name@workbench.local)")
    p.add_argument("-o", "--output", required=True, help="where to write the map, e.g. people.csv")
    p.set_defaults(func=cmd_label_studio_users)

    p = sub.add_parser("export", help="export annotations (or the Label Studio labeling config)")
    p.add_argument("--db", required=True, help="store URL or SQLite file path")
    p.add_argument("--format", choices=["csv", "jsonl", "parquet", "label-studio", "label-studio-config"],
                   default="csv")
    p.add_argument("--round", type=int, default=None)
    p.add_argument("--annotator-map", metavar="FILE", default=None,
                   help="label-studio: CSV name,email[,label_studio_id] mapping annotators to Label Studio users "
                        "(default: name@workbench.local)")
    p.add_argument("--raw-cells", action="store_true",
                   help="CSV: write cells raw (default: cells starting with = + - @ get a leading ' so a "
                        "spreadsheet cannot run them)")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("demo", help="run a whole pilot round on the bundled demo project")
    p.add_argument("--dir", default=DEFAULT_DEMO_DIR, help=f"project folder (default: {DEFAULT_DEMO_DIR})")
    p.add_argument("--items", type=int, default=240, help="pilot sample size (default: 240)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--no-report", action="store_true", help="skip rendering the pilot report")
    p.add_argument("--report-dir", default="reports/demo/round-1", help="where the report goes")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="serve the labeling app with sign-in (Voila; links from 'workbench users add')")
    p.add_argument("--db", required=True, help="store URL or SQLite file path")
    p.add_argument("--round", type=int, required=True)
    p.add_argument("--port", type=int, default=8866)
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1; others behind TLS)")
    p.add_argument("--hostname", action="append", metavar="NAME",
                   help="a public host name the server answers to (repeatable); other Host headers get 403")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("report", help="render a report (pilot, comparison, calibration, evaluation, sla, trend) "
                                      "with papermill")
    p.add_argument("kind", choices=["pilot", "comparison", "calibration", "evaluation", "sla", "trend"])
    p.add_argument("--list-params", action="store_true", help="print the template's parameters and defaults")
    p.add_argument("--db", help="store URL or SQLite file path")
    p.add_argument("--round", type=int)
    p.add_argument("--previous-round", type=int, default=None, help="for 'comparison'")
    p.add_argument("--rounds", default=None, help="for 'trend' and 'sla': rounds such as 1-6 or 1,3,5 (default: all)")
    p.add_argument("--targets", default=None, help="for 'sla': the targets.yaml of the vendors")
    p.add_argument("--start", default=None, help="for 'sla': first day of the range, e.g. 2026-11-02")
    p.add_argument("--end", default=None, help="for 'sla': the day after the last day of the range")
    p.add_argument("--taxonomy", default=None, help="taxonomy file (default: the round's version in the store)")
    p.add_argument("-p", "--param", action="append", metavar="NAME=VALUE",
                   help="template parameter, typed as papermill types -p (200, False, None, [..] ...)")
    p.add_argument("-o", "--output", help="output folder, e.g. reports/round-1/")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("users", help="sign labelers in: add users with a role, print sign-in links, list, revoke",
                       description="Users sign in to the labeling page with a link that holds a token. The store "
                                   "keeps only the token's sha256 hash, so a link is shown once, when it is made.")
    users_sub = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    roles = ["labeler", "reviewer", "lead"]  # the store's ROLES (importing it here would load SQLAlchemy)

    q = users_sub.add_parser("add", help="add a user if needed and print a new sign-in link (shown once)")
    q.add_argument("name", help="the user id (the annotator name they label under)")
    q.add_argument("--role", choices=roles, default=None, help="role of a new user (default: labeler; an existing "
                                                               "user keeps theirs, change it with `users role`)")
    q.add_argument("--team", default=None, help="team or vendor of a new user")
    q.add_argument("--expires", default="7d", help="how long the link signs in: 30m, 12h, 7d, 2w ... or never "
                                                   "(default: 7d)")
    q.add_argument("--url", default=DEFAULT_SIGN_IN_URL,
                   help=f"address of the labeling page (`workbench serve`); default {DEFAULT_SIGN_IN_URL}")
    q.add_argument("--actor", default=None, help="who does this, for the audit log (default: your login name)")
    q.add_argument("--db", required=True, help="store URL or SQLite file path")
    q.set_defaults(func=cmd_users_add)

    q = users_sub.add_parser("list", help="list users, roles, teams and how many links still sign in (no tokens)")
    q.add_argument("--db", required=True, help="store URL or SQLite file path")
    q.set_defaults(func=cmd_users_list)

    q = users_sub.add_parser("revoke", help="revoke every sign-in link of a user")
    q.add_argument("name")
    q.add_argument("--actor", default=None, help="who does this, for the audit log (default: your login name)")
    q.add_argument("--db", required=True, help="store URL or SQLite file path")
    q.set_defaults(func=cmd_users_revoke)

    q = users_sub.add_parser("disable", help="disable a user: no link of theirs signs in any more (annotations stay)")
    q.add_argument("name")
    q.add_argument("--actor", default=None, help="who does this, for the audit log (default: your login name)")
    q.add_argument("--db", required=True, help="store URL or SQLite file path")
    q.set_defaults(func=cmd_users_disable)

    q = users_sub.add_parser("role", help="change the role of a user")
    q.add_argument("name")
    q.add_argument("role", choices=roles)
    q.add_argument("--actor", default=None, help="who does this, for the audit log (default: your login name)")
    q.add_argument("--db", required=True, help="store URL or SQLite file path")
    q.set_defaults(func=cmd_users_role)

    p = sub.add_parser("reassign", help="move a labeler's remaining items in a round to another labeler")
    p.add_argument("--round", type=int, required=True)
    p.add_argument("--from", dest="source", required=True, metavar="NAME", help="the labeler who leaves")
    p.add_argument("--to", dest="target", required=True, metavar="NAME", help="the labeler who takes over")
    p.add_argument("--actor", required=True, help="who reassigns, for the audit log")
    p.add_argument("--db", required=True, help="store URL or SQLite file path")
    p.set_defaults(func=cmd_reassign)

    p = sub.add_parser("erase", help="erase a sensitive item: purge its text (a tombstone stays) and compact the "
                                     "database; asks nothing",
                       description="Purge an item's text, payload and metadata, keep a tombstone row, record who "
                                   "did it in the audit log, and compact the database so the bytes are gone from "
                                   "it. --with-annotations also deletes the item's annotation rows (notes may "
                                   "quote the text).")
    p.add_argument("--item", required=True, help="the item id")
    p.add_argument("--with-annotations", action="store_true",
                   help="also delete the item's annotation rows and their import keys")
    p.add_argument("--actor", required=True, help="who erases, for the audit log")
    p.add_argument("--db", required=True, help="store URL or SQLite file path")
    p.set_defaults(func=cmd_erase)

    p = sub.add_parser("audit", help="show the audit log: users and links managed, exports, erasures")
    p.add_argument("--db", required=True, help="store URL or SQLite file path")
    p.add_argument("--action", default=None, help="only this action (e.g. erase, export, issue_token)")
    p.add_argument("--actor", default=None, help="only rows by this actor")
    p.set_defaults(func=cmd_audit)
    return parser


#: Arguments that name files or folders; resolved against the caller's working directory.
_PATH_ARGS = ("directory", "taxonomy", "output", "items", "dir", "report_dir", "file", "annotator_map",
              "label_config")


def resolve_paths(args: argparse.Namespace) -> argparse.Namespace:
    """Make every path and SQLite URL of ``args`` absolute, against the current working directory.

    Runs before any command, so a relative ``--db`` or ``-o`` means what it means in the
    user's shell, even when the work runs elsewhere (a report kernel runs in its output folder).

    Examples
    --------
    >>> import os
    >>> args = resolve_paths(build_parser().parse_args(["export", "--db", "a/w.db", "-o", "out.csv"]))
    >>> args.db == "sqlite:///" + os.path.join(os.getcwd(), "a", "w.db"), os.path.isabs(args.output)
    (True, True)
    """
    if getattr(args, "db", None) is not None:
        from .store import normalize_url

        args.db = normalize_url(args.db)
    for name in _PATH_ARGS:
        value = getattr(args, name, None)
        if isinstance(value, str) and value:
            setattr(args, name, str(Path(value).expanduser().resolve()))
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``workbench`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        resolve_paths(args)
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (WorkbenchError, OSError) as exc:  # OSError: missing files, permissions, a full disk
        if args.traceback:
            raise
        text = str(exc)
        problems = getattr(exc, "problems", None)
        if problems and len(problems) == 1:  # a taxonomy with one problem: one line, with its file
            where = f"{exc.source}: " if getattr(exc, "source", None) else ""
            print(f"error: {exc.__class__.__name__}: {where}{problems[0]}", file=sys.stderr)
        elif "\n" in text:  # several problems (a taxonomy): one line each
            print(f"error: {text}", file=sys.stderr)
        else:
            print(f"error: {exc.__class__.__name__}: {text}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - a bug of ours: still one line, and the way to the details
        if args.traceback:
            raise
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        print(f"error: unexpected {exc.__class__.__name__}: {first} -- run again with --traceback for the "
              "details, and please report it", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
