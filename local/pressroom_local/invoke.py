"""`pressroom invoke`: one function run once, as `sam local invoke` runs it, without Docker.

The handler is the template's, loaded the way the local stack loads it; the
environment is the one `pressroom local` gives that function (from
`.pressroom/local.json`), so whatever the function writes lands in the
running local stack and flows on through its queues and stream.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any, TextIO

from pressroom.exceptions import ConfigurationError
from pressroom_local.locate import LOCAL_CREDENTIALS, LOCAL_STACK_FILE, StackResources
from pressroom_local.runtime import LocalFunction, use_project_code
from pressroom_local.template import FunctionSpec, StackTemplate


def find_function(template: StackTemplate, name: str) -> FunctionSpec:
    """A function by logical id (`ValidatorFunction`) or short name (`validator`)."""
    specs = template.functions()
    wanted = name.lower()
    for spec in specs:
        logical_id = spec.logical_id.lower()
        if wanted in {logical_id, logical_id.removesuffix("function")}:
            return spec
    known = ", ".join(spec.logical_id for spec in specs)
    raise ConfigurationError(f"template.yaml has no function {name!r}; it has {known}")


def prepare_function(
    name: str, *, stack: StackResources, project_root: Path, log: TextIO
) -> LocalFunction:
    """The named function with the environment the local stack gives it; its logs go to `log`."""
    template = StackTemplate.load(project_root / "template.yaml")
    spec = find_function(template, name)
    environment = stack.functions.get(spec.logical_id)
    if environment is None:
        raise ConfigurationError(
            f"{LOCAL_STACK_FILE} has no environment for {spec.logical_id}: "
            "restart `pressroom local` to write it again"
        )
    connection = dict(LOCAL_CREDENTIALS)
    if stack.endpoint_url:
        connection["AWS_ENDPOINT_URL"] = stack.endpoint_url
    use_project_code(template)
    return LocalFunction(spec, {**environment, **connection}, stack.region, log)


def error_response(error: BaseException) -> dict[str, Any]:
    """What Lambda answers when a handler raises (and `sam local invoke` prints)."""
    return {
        "errorMessage": str(error),
        "errorType": type(error).__name__,
        "stackTrace": traceback.format_tb(error.__traceback__),
    }
