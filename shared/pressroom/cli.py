"""The `pressroom` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from pressroom.exceptions import PressroomError
from pressroom.indexing import SourceStatus
from pressroom.models import ValidationOutcome, format_instant
from pressroom.sources import collect_sources
from pressroom.validation import validate_post

DEFAULT_SITE_URL = "http://127.0.0.1:8000/"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    arguments = parser.parse_args(argv)
    try:
        result: int = arguments.run(arguments)
    except PressroomError as error:
        print(f"pressroom: {error}", file=sys.stderr)
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
    publish.set_defaults(run=_publish)

    status = commands.add_parser("status", help="what happened to an upload")
    status.add_argument("key", nargs="?", metavar="KEY", help="a content-bucket key (default: all)")
    status.add_argument("--json", action="store_true", help="JSON for machines")
    _add_stack_options(status)
    status.set_defaults(run=_status)
    return parser


def _add_stack_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", help="a deployed CloudFormation stack (default: the local one)")
    parser.add_argument("--endpoint-url", help="the AWS endpoint (default: $AWS_ENDPOINT_URL)")
    parser.add_argument("--region", help="the AWS region of a deployed stack")


def _check(arguments: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    outcomes = [
        (path, validate_post(path.read_bytes(), key, first_seen=now))
        for key, path in collect_sources(arguments.paths)
    ]
    if arguments.json:
        print(json.dumps([_check_json(path, outcome) for path, outcome in outcomes], indent=2))
    else:
        for path, outcome in outcomes:
            _print_outcome(str(path), outcome, sys.stdout)
    return 0 if all(outcome.valid for _, outcome in outcomes) else 1


def _check_json(path: Path, outcome: ValidationOutcome) -> dict[str, object]:
    document = outcome.document
    return {
        "path": str(path),
        "valid": outcome.valid,
        "slug": document.slug if document else None,
        "title": document.title if document else None,
        "date": format_instant(document.date) if document else None,
        "errors": [issue.model_dump(mode="json") for issue in outcome.errors],
        "warnings": [issue.model_dump(mode="json") for issue in outcome.warnings],
    }


def _print_outcome(path: str, outcome: ValidationOutcome, out: TextIO) -> None:
    if outcome.document is not None:
        print(f"ok       {path} → posts/{outcome.document.slug}/", file=out)
    else:
        print(f"invalid  {path}", file=out)
    for issue in outcome.errors:
        print(f"  error: {issue.describe(path)}", file=out)
    for issue in outcome.warnings:
        print(f"  warning: {issue.describe(path)}", file=out)


def _publish(arguments: argparse.Namespace) -> int:
    # Imported here: moto and boto3 are slow to import and `check` needs neither.
    try:
        from pressroom.local.publish import publish
    except ModuleNotFoundError as missing:
        raise PressroomError(
            f"publish needs the embedded AWS ({missing.name} is not installed): "
            "pip install 'pressroom[local]'"
        ) from None

    log: TextIO
    if arguments.verbose:
        log = sys.stderr
    elif arguments.log:
        log = arguments.log.open("w", encoding="utf-8")
    else:
        log = Path(os.devnull).open("w", encoding="utf-8")  # noqa: SIM115 - lives as long as the command
    report = publish(arguments.paths, arguments.site, site_url=arguments.site_url, log=log)
    if arguments.json:
        print(json.dumps(report.as_json(), indent=2))
        return 0 if not report.rejected else 1
    site = arguments.site
    for key in report.pages:
        if key.endswith(".html"):
            print(site / key)
    print(
        f"\n{len(report.published)} published, {len(report.drafts)} drafts, "
        f"{len(report.rejected)} rejected → {site}/",
        file=sys.stderr,
    )
    for rejection in report.rejected:
        for issue in rejection.errors:
            print(f"  error: {issue.describe(rejection.path)}", file=sys.stderr)
    return 0 if not report.rejected else 1


def _status(arguments: argparse.Namespace) -> int:
    from pressroom.adapters.stack import locate_stack

    index = locate_stack(
        stack_name=arguments.stack, endpoint_url=arguments.endpoint_url, region=arguments.region
    ).index()
    if arguments.key:
        found = index.source_status(arguments.key)
        if found is None:
            print(f"pressroom: no upload recorded for {arguments.key!r}", file=sys.stderr)
            return 1
        statuses = [found]
    else:
        statuses = sorted(index.source_statuses(), key=lambda status: status.source_key)
    if arguments.json:
        print(json.dumps([status.model_dump(mode="json") for status in statuses], indent=2))
    else:
        for status in statuses:
            _print_status(status, sys.stdout)
    return 0


def _print_status(status: SourceStatus, out: TextIO) -> None:
    where = f" → posts/{status.slug}/" if status.slug and status.status == "published" else ""
    event_time = format_instant(status.event_time)
    print(f"{status.status:<10} {status.source_key}{where}  (event {event_time})", file=out)
    for issue in status.errors:
        print(f"  error: {issue.describe(status.source_key)}", file=out)
    for issue in status.warnings:
        print(f"  warning: {issue.describe(status.source_key)}", file=out)


if __name__ == "__main__":
    raise SystemExit(main())
