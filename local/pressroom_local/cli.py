"""The `pressroom` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from pressroom.characters import for_terminal
from pressroom.config import SiteConfig
from pressroom.exceptions import PressroomError
from pressroom.frontmatter import decode_source
from pressroom.indexing import SourceStatus, folder_conflicts
from pressroom.limits import DEFAULT_LIMITS
from pressroom.links import site_paths, unresolved_links, unresolved_menu_links
from pressroom.models import (
    CONFIG_SOURCES,
    Issue,
    RecordFailure,
    ValidationOutcome,
    format_instant,
)
from pressroom.site import claimed_path
from pressroom.sources import collect_sources, read_source
from pressroom.validation import read_plan, validate_source
from pressroom_local.outcome import placed, when

if TYPE_CHECKING:
    from pressroom.adapters.dead_letters import DeadLetter
    from pressroom_local.locate import StackResources

DEFAULT_SITE_URL = "http://127.0.0.1:8000/"
DEFAULT_LOCAL_PORT = 4566
"""The embedded AWS's port: the one local AWS emulators use, so their habits carry over."""
DEFAULT_SITE_PORT = 8000
LOCAL_LOG = Path(".pressroom") / "functions.log"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    arguments = parser.parse_args(argv)
    try:
        result: int = arguments.run(arguments)
    except PressroomError as error:
        _say(f"pressroom: {error}", sys.stderr)
        return 2
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pressroom", description="Publish a website from Markdown files dropped into S3."
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="validate files offline")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    check.add_argument("--json", action="store_true", help="a JSON array, one object per file")
    check.set_defaults(run=_check)

    publish = commands.add_parser(
        "publish", help="run the whole pipeline on an embedded AWS and write the site to a folder"
    )
    publish.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    publish.add_argument("--site", type=Path, required=True, metavar="DIR")
    publish.add_argument("--site-url", default=DEFAULT_SITE_URL, help="the site's absolute URL")
    publish.add_argument("--json", action="store_true", help="a JSON summary on stdout")
    publish.add_argument(
        "--log", type=Path, metavar="FILE", help="write the functions' logs here (default: none)"
    )
    publish.add_argument("-v", "--verbose", action="store_true", help="functions' logs to stderr")
    _add_drafts_option(publish)
    publish.set_defaults(run=_publish)

    status = commands.add_parser("status", help="what happened to an upload")
    status.add_argument("key", nargs="?", metavar="KEY", help="a content-bucket key (default: all)")
    status.add_argument("--json", action="store_true", help="JSON for machines")
    _add_stack_options(status)
    status.set_defaults(run=_status)

    redrive = commands.add_parser(
        "redrive", help="put dead-lettered messages back on their queues once the cause is fixed"
    )
    redrive.add_argument(
        "--queue",
        metavar="NAME",
        help="one dead-letter queue: IngestDLQ, IndexDLQ, RenderDLQ or ListingDLQ (default: all)",
    )
    redrive.add_argument("-q", "--quiet", action="store_true", help="no progress bar (RenderDLQ)")
    _add_stack_options(redrive)
    redrive.set_defaults(run=_redrive)

    rebuild = commands.add_parser("rebuild", help="re-render every page from the index")
    rebuild.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    _add_stack_options(rebuild)
    rebuild.set_defaults(run=_rebuild)

    local = commands.add_parser(
        "local",
        help="run the whole stack on this machine: an embedded AWS, the functions, the site",
    )
    local.add_argument(
        "--port", type=int, default=DEFAULT_LOCAL_PORT, help="the embedded AWS's port (%(default)s)"
    )
    local.add_argument(
        "--site-port", type=int, default=DEFAULT_SITE_PORT, help="the site's port (%(default)s)"
    )
    local.add_argument(
        "--watch", type=Path, metavar="DIR", help="mirror this folder into the content bucket"
    )
    examples = local.add_mutually_exclusive_group()
    examples.add_argument(
        "--examples", type=Path, metavar="DIR", help="publish these at start (default: examples/)"
    )
    examples.add_argument("--no-examples", action="store_true", help="start with an empty site")
    local.add_argument(
        "--log", type=Path, metavar="FILE", help=f"the functions' logs (default: {LOCAL_LOG})"
    )
    local.add_argument("-v", "--verbose", action="store_true", help="functions' logs to stderr")
    _add_drafts_option(local)
    local.set_defaults(run=_local)

    invoke = commands.add_parser(
        "invoke", help="run one function once against the local stack, as `sam local invoke` would"
    )
    invoke.add_argument(
        "function",
        metavar="FUNCTION",
        help="a logical id in template.yaml (ValidatorFunction) or its short name (validator)",
    )
    invoke.add_argument(
        "-e", "--event", required=True, metavar="FILE", help="the event as JSON ('-': stdin)"
    )
    invoke.add_argument("--endpoint-url", help="the AWS endpoint (default: the local stack's)")
    invoke.set_defaults(run=_invoke)
    return parser


def _add_drafts_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--drafts",
        action="store_true",
        help="a preview: render drafts (and _drafts/) too, each marked as a draft, in no listing",
    )


def _add_stack_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", help="a deployed CloudFormation stack (default: the local one)")
    parser.add_argument("--endpoint-url", help="the AWS endpoint (default: $AWS_ENDPOINT_URL)")
    parser.add_argument("--region", help="the AWS region of a deployed stack")


def _check(arguments: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    limits = DEFAULT_LIMITS
    outcomes = [
        (
            path,
            validate_source(
                read_source(path, key, **vars(read_plan(key, limits))),
                first_seen=now,
                limits=limits,
            ),
        )
        for key, path in collect_sources(arguments.paths)
    ]
    site = _configured_site(outcome for _, outcome in outcomes)
    conflicts: dict[str, Issue] = {}
    # A folder is a whole site: its posts' links are checked against what it publishes,
    # and two of its files that ask for one name meet as they would in the index.
    if any(path.is_dir() for path in arguments.paths):
        outcomes = _with_link_warnings(outcomes, site)
        conflicts = folder_conflicts(outcome for _, outcome in outcomes)
        outcomes = [(path, _with_conflict(outcome, conflicts)) for path, outcome in outcomes]
    if arguments.json:
        checked = [
            _check_json(path, outcome, site, waits=outcome.source_key in conflicts)
            for path, outcome in outcomes
        ]
        print(json.dumps(checked, indent=2))
    else:
        for path, outcome in outcomes:
            waits = outcome.source_key in conflicts
            _print_outcome(str(path), outcome, site, sys.stdout, waits=waits)
    return 0 if all(outcome.valid for _, outcome in outcomes) and not conflicts else 1


def _with_conflict(outcome: ValidationOutcome, conflicts: Mapping[str, Issue]) -> ValidationOutcome:
    """The outcome with the error its file's status will show if it waits on another."""
    if (conflict := conflicts.get(outcome.source_key)) is None:
        return outcome
    return outcome.model_copy(update={"errors": (*outcome.errors, conflict)})


def _configured_site(outcomes: Iterable[ValidationOutcome]) -> SiteConfig:
    """The site as the configuration file among the sources checked sets it (the first of
    CONFIG_SOURCES), so that posts are placed by its post URL style."""
    sources = {outcome.site.source_key: outcome.site for outcome in outcomes if outcome.site}
    chosen = next((sources[key] for key in CONFIG_SOURCES if key in sources), None)
    return SiteConfig().with_settings(chosen)


def _with_link_warnings(
    outcomes: list[tuple[Path, ValidationOutcome]], site: SiteConfig
) -> list[tuple[Path, ValidationOutcome]]:
    """Each post's outcome with a warning for every link or image it has that the folder
    publishes nothing at."""
    documents = [outcome.document for _, outcome in outcomes if outcome.document]
    assets = [outcome.asset for _, outcome in outcomes if outcome.asset]
    paths = site_paths(documents, assets, site)
    checked = []
    for path, outcome in outcomes:
        if outcome.document is not None:
            body = outcome.document.body_markdown
            lines_before = len(decode_source(path.read_bytes()).splitlines()) - len(
                body.splitlines()
            )
            broken = unresolved_links(outcome.document, paths, lines_before)
            outcome = outcome.model_copy(update={"warnings": (*outcome.warnings, *broken)})
        elif outcome.site is not None:
            menu_line = _key_line(path, "menu")
            broken = unresolved_menu_links(outcome.site.settings, paths, menu_line)
            outcome = outcome.model_copy(update={"warnings": (*outcome.warnings, *broken)})
        checked.append((path, outcome))
    return checked


def _key_line(path: Path, key: str) -> int | None:
    """The line a top-level key of a YAML or TOML file starts on (`menu:`, `[[menus.main]]`)."""
    for number, line in enumerate(decode_source(path.read_bytes()).splitlines(), start=1):
        if line.startswith((f"{key}:", f"{key} =", f"[[{key}", f"[{key}")):
            return number
    return None


def _check_json(
    path: Path, outcome: ValidationOutcome, site: SiteConfig, *, waits: bool = False
) -> dict[str, object]:
    """A file's entry in `check --json`; `waits`: another file of the folder would be
    published in its place (it is then not valid, and an error says why)."""
    document = outcome.document
    url = _outcome_path(outcome, site)
    return {
        "path": str(path),
        "valid": outcome.valid and not waits,
        "kind": outcome.kind,
        "slug": document.slug if document else None,
        "url": "/" + url if url is not None else None,
        "title": document.title if document else None,
        "date": format_instant(document.date) if document else None,
        "errors": [issue.model_dump(mode="json") for issue in outcome.errors],
        "warnings": [issue.model_dump(mode="json") for issue in outcome.warnings],
    }


def _outcome_path(outcome: ValidationOutcome, site: SiteConfig) -> str | None:
    """The site path a valid source becomes; None for an invalid or ignored one."""
    if outcome.document is not None:
        return site.page_path(outcome.document)
    return outcome.asset.path if outcome.asset is not None else None


def _print_outcome(
    path: str,
    outcome: ValidationOutcome,
    site: SiteConfig,
    out: TextIO,
    *,
    waits: bool = False,
) -> None:
    site_path = _outcome_path(outcome, site)
    if site_path is not None and waits:
        _say(f"conflict {path} → {site_path}", out)
    elif site_path is not None:
        _say(f"ok       {path} → {site_path}", out)
    elif outcome.site is not None:
        _say(f"ok       {path} (the site's configuration)", out)
    elif outcome.kind == "ignored":
        _say(f"ignored  {path} (not published)", out)
    else:
        _say(f"invalid  {path}", out)
    for issue in outcome.errors:
        _say(f"  error: {issue.describe(path)}", out)
    for issue in outcome.warnings:
        _say(f"  warning: {issue.describe(path)}", out)


def _publish(arguments: argparse.Namespace) -> int:
    # Imported here: moto and boto3 are slow to import and `check` needs neither.
    try:
        from pressroom_local.publish import publish
    except ModuleNotFoundError as missing:
        raise _needs_embedded_aws("publish", missing) from None

    log = _function_log(arguments.log or Path(os.devnull), verbose=arguments.verbose)
    report = publish(
        arguments.paths,
        arguments.site,
        site_url=arguments.site_url,
        log=log,
        drafts=arguments.drafts,
    )
    if arguments.json:
        print(json.dumps(report.as_json(), indent=2))
        return 0 if not report.rejected else 1
    site = arguments.site
    for key in report.pages:
        if key.endswith(".html"):
            _say(str(site / key))
    print(file=sys.stderr)
    previewed = " (rendered: a preview)" if arguments.drafts else ""
    _say(
        f"{len(report.published)} published, {len(report.drafts)} drafts{previewed}, "
        f"{len(report.rejected)} rejected → {site}/",
        sys.stderr,
    )
    for rejection in report.rejected:
        for issue in rejection.errors:
            _say(f"  error: {issue.describe(rejection.path)}", sys.stderr)
    return 0 if not report.rejected else 1


def _local(arguments: argparse.Namespace) -> int:
    try:
        from pressroom_local.server import LocalOptions, run_local
    except ModuleNotFoundError as missing:
        raise _needs_embedded_aws("local", missing) from None
    from pressroom_local.stack import find_project_root

    project_root = find_project_root()
    examples: Path | None = arguments.examples
    if examples is None and not arguments.no_examples and (project_root / "examples").is_dir():
        examples = project_root / "examples"
    log_path: Path = arguments.log or LOCAL_LOG
    if not arguments.verbose:
        log_path.parent.mkdir(parents=True, exist_ok=True)
    options = LocalOptions(
        project_root=project_root,
        port=arguments.port,
        site_port=arguments.site_port,
        examples=examples,
        watch=arguments.watch,
        log=_function_log(log_path, verbose=arguments.verbose),
        log_name=None if arguments.verbose else str(log_path),
        drafts=arguments.drafts,
    )
    return run_local(options, sys.stdout, sys.stderr)


def _invoke(arguments: argparse.Namespace) -> int:
    from pressroom_local.invoke import error_response, prepare_function
    from pressroom_local.locate import locate_stack
    from pressroom_local.stack import find_project_root

    event = _read_event(arguments.event)
    stack = locate_stack(stack_name=None, endpoint_url=arguments.endpoint_url, region=None)
    function = prepare_function(
        arguments.function, stack=stack, project_root=find_project_root(), log=sys.stderr
    )
    try:
        response = function.invoke(event)
    except Exception as error:  # the function failed: answer as Lambda does
        print(json.dumps(error_response(error), indent=2))
        return 1
    print(json.dumps(response, indent=2, default=str))
    return 0


def _read_event(source: str) -> dict[str, object]:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        event = json.loads(text)
    except (OSError, ValueError) as error:
        raise PressroomError(f"--event {source}: {error}") from None
    if not isinstance(event, dict):
        raise PressroomError(f"--event {source}: an event is a JSON object")
    return event


def _function_log(path: Path, *, verbose: bool) -> TextIO:
    if verbose:
        return sys.stderr
    # Line-buffered, so that `tail -f` follows the functions as they run.
    return path.open("w", encoding="utf-8", buffering=1)


def _needs_embedded_aws(command: str, missing: ModuleNotFoundError) -> PressroomError:
    return PressroomError(
        f"{command} needs the embedded AWS ({missing.name} is not installed): "
        "pip install 'pressroom[local]'"
    )


def _status(arguments: argparse.Namespace) -> int:
    from pressroom_local.locate import locate_stack

    stack = locate_stack(
        stack_name=arguments.stack, endpoint_url=arguments.endpoint_url, region=arguments.region
    )
    index = stack.index()
    dead_letters = [
        letter
        for letter in _dead_letters(stack)
        if not arguments.key or arguments.key in letter.keys
    ]
    if arguments.key:
        found = index.source_status(arguments.key)
        if found is None and not dead_letters:
            _say(f"pressroom: no upload recorded for {arguments.key!r}", sys.stderr)
            return 1
        statuses = [found] if found is not None else []
    else:
        statuses = sorted(index.source_statuses(), key=lambda status: status.source_key)
    statuses = placed([index.shown(status) for status in statuses], index)
    reasons = {letter.message_id: _reason(letter, index.failure) for letter in dead_letters}
    if arguments.json:
        # Dead letters ride in the same array, as uploads whose event is parked.
        # Where a file's versions placed its page is the index's own bookkeeping.
        internal = {"places", "deleted_at"}
        listed = [status.model_dump(mode="json", exclude=internal) for status in statuses]
        listed += [
            {**_dead_letter_json(letter), "reason": reasons[letter.message_id]}
            for letter in dead_letters
        ]
        print(json.dumps(listed, indent=2))
    else:
        for status in statuses:
            _print_status(status, sys.stdout)
        _print_dead_letters(dead_letters, reasons, sys.stdout)
    return 0


_LOGGED_BY = {
    "IngestDLQ": "validator",
    "IndexDLQ": "indexer",
    "RenderDLQ": "renderer",
    "ListingDLQ": "renderer",
}


def _reason(letter: DeadLetter, failure: Callable[[str], RecordFailure | None]) -> str:
    """Why a message is parked: the failure kept for its file, else where the log says it."""
    for key in letter.keys:
        kept = failure(key)
        if kept is not None:
            return kept.describe()
    function = _LOGGED_BY.get(letter.queue, "the function")
    named = f" naming {letter.keys[0]!r}" if letter.keys else ""
    return f"in the {function}'s log: its ERROR lines{named} carry the traceback"


def _dead_letters(stack: StackResources) -> list[DeadLetter]:
    dead_letters = stack.dead_letters()
    return [
        letter
        for queue in dead_letters.queues
        if dead_letters.count(queue)
        for letter in dead_letters.peek(queue)
    ]


def _dead_letter_json(letter: DeadLetter) -> dict[str, object]:
    return {
        "source_key": letter.keys[0] if len(letter.keys) == 1 else None,
        "status": "dead-letter",
        **letter.as_json(),
    }


def _print_dead_letters(
    letters: Sequence[DeadLetter], reasons: Mapping[str, str], out: TextIO
) -> None:
    by_queue: dict[str, list[DeadLetter]] = {}
    for letter in letters:
        by_queue.setdefault(letter.queue, []).append(letter)
    for queue, parked in by_queue.items():
        _say(f"dead letters: {queue} {len(parked)}", out)
        for letter in parked:
            _say(f"  {letter.description}", out)
            _say(f"    why: {reasons[letter.message_id]}", out)
    if by_queue:
        _say("  (fix the cause, then: pressroom redrive)", out)


def _redrive(arguments: argparse.Namespace) -> int:
    from pressroom_local.locate import locate_stack

    stack = locate_stack(
        stack_name=arguments.stack, endpoint_url=arguments.endpoint_url, region=arguments.region
    )
    dead_letters = stack.dead_letters()
    queues = [dead_letters.queue(arguments.queue)] if arguments.queue else dead_letters.queues
    for queue in queues:
        moved = dead_letters.redrive(
            queue, rebuild=lambda: _rebuild_site(stack, quiet=arguments.quiet)
        )
        if not moved:
            _say(f"{queue.name}: empty")
            continue
        where = (
            f"back on {queue.source_url.rsplit('/', 1)[-1]}"
            if queue.source_url
            else "let go after a rebuild of the site"
        )
        _say(f"{queue.name}: {moved} {'message' if moved == 1 else 'messages'} {where}")
    return 0


def _rebuild(arguments: argparse.Namespace) -> int:
    from pressroom_local.locate import locate_stack

    stack = locate_stack(
        stack_name=arguments.stack, endpoint_url=arguments.endpoint_url, region=arguments.region
    )
    _rebuild_site(stack, quiet=arguments.quiet)
    return 0


def _rebuild_site(stack: StackResources, *, quiet: bool) -> None:
    from tqdm import tqdm

    from pressroom.adapters.wiring import CLIENT_CONFIG, build_renderer

    session = stack.session()
    renderer = build_renderer(
        stack.renderer_settings(),
        session.client("s3", endpoint_url=stack.endpoint_url, config=CLIENT_CONFIG),
        stack.dynamodb(),
    ).configured()
    plan = renderer.plan_rebuild()
    with tqdm(total=plan.steps, unit="page", disable=quiet, file=sys.stderr) as progress:
        for path in renderer.rebuild(plan):
            progress.set_postfix_str(
                for_terminal(path) or "home, feed, sitemap, search", refresh=False
            )
            progress.update()
    _say(
        f"rebuilt {plan.post_count} posts, {len(plan.months)} months, {len(plan.tags)} tags",
        sys.stderr,
    )


def _say(line: str, out: TextIO | None = None) -> None:
    """Print one line that may hold user data (a key, a path, a title, an error): every
    line the command prints goes through here, escaped, so none can drive the terminal."""
    print(for_terminal(line), file=out or sys.stdout)


def _print_status(status: SourceStatus, out: TextIO) -> None:
    published = status.slug and status.status == "published"
    site_path = claimed_path(status.slug, status.path) if published and status.slug else None
    where = f" → {site_path}" if site_path is not None else ""
    event_time = format_instant(status.event_time)
    _say(f"{status.status:<10} {status.source_key}{where}{when(status)}  (event {event_time})", out)
    for issue in status.errors:
        _say(f"  error: {issue.describe(status.source_key)}", out)
    for issue in status.warnings:
        _say(f"  warning: {issue.describe(status.source_key)}", out)


if __name__ == "__main__":
    raise SystemExit(main())
