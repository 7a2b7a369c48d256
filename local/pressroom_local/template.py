"""template.yaml, read the way the local stack needs it: resources, functions and their events.

The local stack is provisioned from the template's own definitions (key
schemas, GSIs, redrive policies, batch sizes, environment variables), so a
change to the template is a change to what the tests and `pressroom local`
run against.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pressroom.exceptions import ConfigurationError


class _TemplateLoader(yaml.CSafeLoader):
    """YAML with CloudFormation's short forms (`!Ref`, `!GetAtt`, `!Sub`, ...), via libyaml."""


def _intrinsic(loader: _TemplateLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_TemplateLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as stream:
        document = yaml.load(stream, Loader=_TemplateLoader)  # noqa: S506 # nosec B506 - a SafeLoader subclass
    if not isinstance(document, dict) or "Resources" not in document:
        raise ConfigurationError(f"{path} is not a CloudFormation template")
    return document


@dataclass(frozen=True)
class EventSource:
    """A function's SQS or DynamoDB event, with the settings Lambda's mapping would use."""

    name: str
    type: str
    """`SQS` or `DynamoDB`."""
    source: str
    """Logical id of the queue or table."""
    batch_size: int
    report_batch_item_failures: bool
    batching_window_seconds: float = 0
    """MaximumBatchingWindowInSeconds: how long a batch may gather records."""
    bisect_on_error: bool = False
    maximum_retry_attempts: int = -1
    """-1: retry until the record expires (Lambda's default for streams)."""
    on_failure: str | None = None
    """Logical id of the on-failure destination queue."""
    filters: tuple[dict[str, Any], ...] = ()
    """Event filter patterns: a record is delivered when any matches (none: every record)."""
    maximum_concurrency: int | None = None
    """ScalingConfig.MaximumConcurrency of an SQS mapping: batches in flight at once."""


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    module: str
    """Import path of the handler module: `functions.validator.app`."""
    attribute: str
    """The handler function's name in that module."""
    environment: dict[str, Any]
    """Variables as written (intrinsics unresolved), Globals merged in."""
    timeout: int
    memory_size: int
    events: tuple[EventSource, ...] = ()


@dataclass(frozen=True)
class StackTemplate:
    path: Path
    document: dict[str, Any]
    parameter_values: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, parameters: Mapping[str, str] | None = None) -> StackTemplate:
        return cls(path, load_template(path), dict(parameters or {}))

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        resources: dict[str, dict[str, Any]] = self.document["Resources"]
        return resources

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {
            logical_id: resource.get("Properties", {})
            for logical_id, resource in self.resources.items()
            if resource["Type"] == resource_type
        }

    def parameter(self, name: str) -> str:
        if name in self.parameter_values:
            return self.parameter_values[name]
        declared = self.document.get("Parameters", {}).get(name)
        if declared is None:
            raise ConfigurationError(f"template has no parameter {name!r}")
        return str(declared.get("Default", ""))

    def functions(self) -> list[FunctionSpec]:
        function_globals = self.document.get("Globals", {}).get("Function", {})
        specs = []
        for logical_id, properties in self.of_type("AWS::Serverless::Function").items():
            merged = {**function_globals, **properties}
            environment = {
                **function_globals.get("Environment", {}).get("Variables", {}),
                **properties.get("Environment", {}).get("Variables", {}),
            }
            module_file, _, attribute = merged["Handler"].rpartition(".")
            package = merged["CodeUri"].strip("/").replace("/", ".")
            specs.append(
                FunctionSpec(
                    logical_id=logical_id,
                    module=f"{package}.{module_file}",
                    attribute=attribute,
                    environment=environment,
                    timeout=int(merged.get("Timeout", 3)),
                    memory_size=int(merged.get("MemorySize", 128)),
                    events=tuple(
                        _event_source(name, event)
                        for name, event in merged.get("Events", {}).items()
                        if event["Type"] in {"SQS", "DynamoDB"}
                    ),
                )
            )
        return specs

    def resolve(self, value: Any, attribute: Callable[[str, str], str]) -> Any:
        """Evaluate intrinsics; `attribute(logical_id, name)` answers Ref and GetAtt."""
        if isinstance(value, list):
            return [self.resolve(item, attribute) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) != 1:
            return {key: self.resolve(item, attribute) for key, item in value.items()}
        ((function, argument),) = value.items()
        if function == "Ref":
            if argument in self.document.get("Parameters", {}):
                return self.parameter(argument)
            return attribute(argument, "Ref")
        if function == "Fn::GetAtt":
            return attribute(argument[0], argument[1])
        if function == "Fn::Sub":
            return self._substitute(argument, attribute)
        if function == "Fn::If":
            condition, when_true, when_false = argument
            chosen = when_true if self.condition(condition) else when_false
            return self.resolve(chosen, attribute)
        if function == "Fn::Join":
            separator, items = argument
            return separator.join(str(item) for item in self.resolve(items, attribute))
        return {key: self.resolve(item, attribute) for key, item in value.items()}

    def condition(self, name: str) -> bool:
        return bool(self._evaluate(self.document.get("Conditions", {})[name]))

    def _evaluate(self, expression: Any) -> Any:
        if not isinstance(expression, dict):
            return expression
        ((function, argument),) = expression.items()
        if function == "Fn::Equals":
            left, right = (self._evaluate(item) for item in argument)
            return left == right
        if function == "Fn::Not":
            return not self._evaluate(argument[0])
        if function == "Fn::And":
            return all(self._evaluate(item) for item in argument)
        if function == "Fn::Or":
            return any(self._evaluate(item) for item in argument)
        if function == "Ref":
            return self.parameter(argument)
        if function == "Condition":
            return self.condition(argument)
        raise ConfigurationError(f"cannot evaluate {function} in a condition")

    def _substitute(self, argument: Any, attribute: Callable[[str, str], str]) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(self.resolve(variables[name], attribute))
            if name.startswith("AWS::") or name in self.document.get("Parameters", {}):
                return str(self.resolve({"Ref": name}, attribute))
            logical_id, _, attribute_name = name.partition(".")
            return attribute(logical_id, attribute_name or "Ref")

        return re.sub(r"\$\{([^}!]+)\}", replace, text)


def _event_source(name: str, event: dict[str, Any]) -> EventSource:
    properties = event["Properties"]
    is_queue = event["Type"] == "SQS"
    reference = properties["Queue" if is_queue else "Stream"]["Fn::GetAtt"]
    destination = properties.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
    return EventSource(
        name=name,
        type=event["Type"],
        source=reference[0],
        batch_size=int(properties.get("BatchSize", 10 if is_queue else 100)),
        batching_window_seconds=float(properties.get("MaximumBatchingWindowInSeconds", 0)),
        report_batch_item_failures="ReportBatchItemFailures"
        in properties.get("FunctionResponseTypes", []),
        bisect_on_error=bool(properties.get("BisectBatchOnFunctionError", False)),
        maximum_retry_attempts=int(properties.get("MaximumRetryAttempts", -1)),
        on_failure=destination["Fn::GetAtt"][0] if destination else None,
        filters=tuple(
            json.loads(entry["Pattern"])
            for entry in properties.get("FilterCriteria", {}).get("Filters", [])
        ),
        maximum_concurrency=(
            int(scaling["MaximumConcurrency"])
            if "MaximumConcurrency" in (scaling := properties.get("ScalingConfig", {}))
            else None
        ),
    )
