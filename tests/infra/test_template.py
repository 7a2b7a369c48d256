"""template.yaml as CloudFormation reads it: references, environments, roles, keys, delivery.

cfn-lint and checkov judge each resource on its own; these checks follow the
links between resources (an event source and the role that polls it, a bucket
and the functions it triggers, a retained table and its key) and between the
template and the code (the variables each function reads).
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from pressroom import config
from pressroom.shortcodes import EMBED_ORIGINS
from pressroom_local.locate import QUEUE_OUTPUTS, STACK_OUTPUTS
from pressroom_local.template import FunctionSpec, StackTemplate
from tests.corpus import PROJECT_ROOT
from tests.infra.tooling import (
    PIPELINE,
    PSEUDO_PARAMETERS,
    TEMPLATE,
    document,
    functions,
    templates,
    transformed,
    walk,
)

# The Powertools settings the functions rely on, always from the template.
POWERTOOLS_RELIED_ON = {
    "POWERTOOLS_SERVICE_NAME",  # the service key of every log line, trace and metric
    "POWERTOOLS_LOG_LEVEL",
    "POWERTOOLS_METRICS_NAMESPACE",
}
# Declared empty, so that `sam local invoke --env-vars` may point the AWS SDK at the
# local stack (SAM passes only declared variables); botocore ignores an empty value.
SDK_SETTINGS = {"AWS_ENDPOINT_URL"}
# Actions that take no resource type (tests/infra/test_iam.py checks against the IAM data):
# Resource "*" is the only one that grants them.
UNSCOPED_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "dynamodb:ListStreams"}
SQS_POLLING = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}
STREAM_READING = {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"}
S3_WRITE_PREFIXES = ("Put", "Delete", "Restore", "Replicate", "Abort", "Create", "Update")


def resources(resource_type: str | None = None) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = document()["Resources"]
    return {
        logical_id: resource
        for logical_id, resource in found.items()
        if resource_type is None or resource["Type"] == resource_type
    }


def properties(logical_id: str) -> dict[str, Any]:
    found: dict[str, Any] = resources()[logical_id].get("Properties", {})
    return found


def function_setting(logical_id: str, name: str, default: Any) -> Any:
    function_globals = document().get("Globals", {}).get("Function", {})
    return functions()[logical_id].get(name, function_globals.get(name, default))


def specs() -> dict[str, FunctionSpec]:
    return {spec.logical_id: spec for spec in StackTemplate.load(TEMPLATE).functions()}


def names(fragment: Any) -> set[str]:
    """The logical ids and parameters a fragment refers to, through Ref, GetAtt and Sub."""
    found: set[str] = set()
    for node in walk(fragment):
        if not isinstance(node, dict) or len(node) != 1:
            continue
        ((function, argument),) = node.items()
        if function == "Ref" and isinstance(argument, str):
            found.add(argument)
        elif function == "Fn::GetAtt":
            found.add(argument[0] if isinstance(argument, list) else argument.split(".")[0])
        elif function == "Fn::Sub":
            text, variables = (argument, {}) if isinstance(argument, str) else argument
            found |= {
                name.split(".")[0]
                for name in re.findall(r"\$\{([^}!][^}]*)\}", text)
                if name not in variables
            }
    return found


def condition_names(fragment: Any) -> set[str]:
    found: set[str] = set()
    for node in walk(fragment):
        if isinstance(node, dict):
            if isinstance(node.get("Fn::If"), list):
                found.add(node["Fn::If"][0])
            if isinstance(node.get("Condition"), str):
                found.add(node["Condition"])
    return found


def refers(resource: Any, logical_id: str, attribute: str | None = None) -> bool:
    """Whether a policy resource names `logical_id` (exactly its `attribute`, if given)."""
    if attribute is not None and isinstance(resource, dict) and "Fn::GetAtt" in resource:
        return bool(resource["Fn::GetAtt"] == [logical_id, attribute])
    return logical_id in names(resource)


def listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def role_of(function_id: str) -> str:
    role = functions()[function_id].get("Role")
    assert isinstance(role, dict), f"{function_id} has no Role of its own"
    role_id, attribute = role["Fn::GetAtt"]
    assert attribute == "Arn"
    assert resources()[role_id]["Type"] == "AWS::IAM::Role"
    return str(role_id)


def statements(role_id: str) -> list[dict[str, Any]]:
    return [
        statement
        | {"Action": listed(statement["Action"]), "Resource": listed(statement["Resource"])}
        for policy in properties(role_id).get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Allow"
    ]


def grants(role_id: str, action: str, logical_id: str, attribute: str | None = None) -> bool:
    return any(
        action in statement["Action"]
        and any(refers(resource, logical_id, attribute) for resource in statement["Resource"])
        for statement in statements(role_id)
    )


def event_sources(function_id: str, event_type: str) -> Iterator[dict[str, Any]]:
    for event in functions()[function_id].get("Events", {}).values():
        if event["Type"] == event_type:
            yield event["Properties"]


def key_of(resource_properties: dict[str, Any]) -> str | None:
    """The template's KMS key a queue, table or log group is encrypted with."""
    for reference in (
        resource_properties.get("KmsMasterKeyId"),
        resource_properties.get("KmsKeyId"),
        resource_properties.get("SSESpecification", {}).get("KMSMasterKeyId"),
    ):
        for name in names(reference):
            if resources().get(name, {}).get("Type") == "AWS::KMS::Key":
                return name
    return None


# ---- References --------------------------------------------------------------


@pytest.mark.parametrize("path", templates(), ids=lambda path: path.name)
def test_every_reference_names_something_in_its_template(path: Path) -> None:
    template = document(path)
    known = set(template.get("Parameters", {})) | set(template["Resources"]) | PSEUDO_PARAMETERS

    assert names(template) - known == set()
    assert condition_names(template["Resources"]) - set(template.get("Conditions", {})) == set()


@pytest.mark.parametrize("function_id", sorted(functions()))
def test_function_environment_references_resolve_to_resources(function_id: str) -> None:
    template = StackTemplate.load(TEMPLATE)
    known = set(resources()) | PSEUDO_PARAMETERS

    def attribute(logical_id: str, name: str) -> str:
        assert logical_id in known, f"{function_id}'s environment names no such {logical_id}"
        return f"{logical_id}.{name}"

    resolved = {
        name: template.resolve(value, attribute)
        for name, value in specs()[function_id].environment.items()
    }

    assert all(
        isinstance(value, str) and (value or name in SDK_SETTINGS)
        for name, value in resolved.items()
    ), resolved


# ---- What the code reads -----------------------------------------------------


def _module_file(name: str) -> Path | None:
    roots = {"pressroom": PROJECT_ROOT / "shared", "functions": PROJECT_ROOT}
    parts = name.split(".")
    if parts[0] not in roots:
        return None
    base = roots[parts[0]].joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def loaded_sources(handler_file: Path) -> set[Path]:
    """The project's modules a handler can import, its function-level imports included."""
    seen: set[Path] = set()
    pending = [handler_file]
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in _imports(ast.parse(path.read_text("utf-8"))):
            parts = name.split(".")
            for end in range(1, len(parts) + 1):
                if found := _module_file(".".join(parts[:end])):
                    pending.append(found)
    return seen


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def environment_reads(path: Path) -> set[str]:
    """Variables read by name: os.environ[...], os.environ.get(...), os.getenv(...)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Call) and node.args:
            name, argument = _dotted(node.func), node.args[0]
        elif isinstance(node, ast.Subscript):
            name, argument = _dotted(node.value) + ".__getitem__", node.slice
        else:
            continue
        if name in {"os.environ.get", "os.getenv", "os.environ.__getitem__"} and (
            isinstance(argument, ast.Constant) and isinstance(argument.value, str)
        ):
            found.add(argument.value)
    return found


def handler_file(function_id: str) -> Path:
    function = functions()[function_id]
    module, _, _ = str(function["Handler"]).rpartition(".")
    return PROJECT_ROOT / str(function["CodeUri"]) / f"{module.replace('.', '/')}.py"


def settings_models(function_id: str) -> list[type[BaseModel]]:
    """The settings each handler's wiring reads: app.py calls wiring.<builder>(), which
    calls <Settings>.from_environment()."""
    wiring = ast.parse((PROJECT_ROOT / "shared/pressroom/adapters/wiring.py").read_text("utf-8"))
    builders = {
        node.name: {
            call.func.value.id
            for call in ast.walk(node)
            if isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "from_environment"
            and isinstance(call.func.value, ast.Name)
        }
        for node in wiring.body
        if isinstance(node, ast.FunctionDef)
    }
    handler = ast.parse(handler_file(function_id).read_text("utf-8"))
    used = {
        node.func.attr
        for node in ast.walk(handler)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and _dotted(node.func.value) == "wiring"
    }
    models = [getattr(config, name) for builder in sorted(used) for name in builders[builder]]
    assert models, f"{function_id}: no settings found through wiring"
    return models


@pytest.mark.parametrize("function_id", sorted(functions()))
def test_the_template_sets_every_variable_the_function_reads(function_id: str) -> None:
    models = settings_models(function_id)
    fields = {field.alias for model in models for field in model.model_fields.values()}
    code_reads = set().union(*map(environment_reads, loaded_sources(handler_file(function_id))))
    read = fields | code_reads | POWERTOOLS_RELIED_ON | SDK_SETTINGS
    template_sets = set(specs()[function_id].environment)

    # Defaults included: what a function runs with is written in the template.
    assert read - template_sets == set(), "read but never set"
    assert template_sets - read == set(), "set but never read (a typo?)"


@pytest.mark.parametrize("function_id", sorted(functions()))
def test_the_templates_environment_satisfies_the_settings(function_id: str) -> None:
    template = StackTemplate.load(TEMPLATE)
    environment = {
        name: str(template.resolve(value, lambda logical_id, name: f"{logical_id}-{name}"))
        for name, value in specs()[function_id].environment.items()
    }

    for model in settings_models(function_id):
        model.from_environment(environment)  # type: ignore[attr-defined]


def test_powertools_and_tracing_are_configured_per_function() -> None:
    service_names = [spec.environment["POWERTOOLS_SERVICE_NAME"] for spec in specs().values()]

    assert len(set(service_names)) == len(service_names) == len(functions())
    for function_id in functions():
        assert function_setting(function_id, "Tracing", "PassThrough") == "Active"
        assert function_setting(function_id, "Runtime", None) == "python3.13"
        assert function_setting(function_id, "Architectures", None) == ["arm64"]


# ---- Roles -------------------------------------------------------------------


@pytest.mark.parametrize("function_id", sorted(functions()))
def test_each_function_role_names_its_own_resources_only(function_id: str) -> None:
    role_id = role_of(function_id)
    role = properties(role_id)

    assert "Policies" not in functions()[function_id], "policies belong in the function's role"
    assert "ManagedPolicyArns" not in role
    assert [other for other in functions() if role_of(other) == role_id] == [function_id]
    for statement in statements(role_id):
        sid = statement.get("Sid")
        assert not [action for action in statement["Action"] if "*" in action], sid
        for resource in statement["Resource"]:
            if resource == "*":
                assert set(statement["Action"]) <= UNSCOPED_ACTIONS, sid
            else:
                assert names(resource) & set(resources()), f"{sid}: {resource} names no resource"


@pytest.mark.parametrize("function_id", sorted(functions()))
def test_each_event_source_is_granted_on_its_own_queue_or_stream(function_id: str) -> None:
    role_id = role_of(function_id)

    for event in event_sources(function_id, "SQS"):
        (queue, _) = event["Queue"]["Fn::GetAtt"]
        assert all(grants(role_id, action, queue, "Arn") for action in SQS_POLLING), queue
    for event in event_sources(function_id, "DynamoDB"):
        (table, _) = event["Stream"]["Fn::GetAtt"]
        assert all(grants(role_id, action, table, "StreamArn") for action in STREAM_READING)
        assert any(
            "dynamodb:ListStreams" in statement["Action"] and statement["Resource"] == ["*"]
            for statement in statements(role_id)
        )
        destination = event.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        if destination:
            assert grants(role_id, "sqs:SendMessage", destination["Fn::GetAtt"][0], "Arn")
    log_group = functions()[function_id]["LoggingConfig"]["LogGroup"]["Ref"]
    assert grants(role_id, "logs:PutLogEvents", log_group, "Arn")
    for statement in statements(role_id):
        if any(action.startswith("logs:") for action in statement["Action"]):
            assert all(refers(resource, log_group) for resource in statement["Resource"])


@pytest.mark.parametrize("function_id", sorted(functions()))
def test_each_role_may_use_the_keys_of_what_it_reads_and_writes(function_id: str) -> None:
    role_id = role_of(function_id)
    for queue, queue_properties in resources("AWS::SQS::Queue").items():
        key = key_of(queue_properties.get("Properties", {}))
        if key is None:
            continue
        if any(grants(role_id, action, queue) for action in SQS_POLLING):
            assert grants(role_id, "kms:Decrypt", key), f"{function_id} reads {queue}"
        if grants(role_id, "sqs:SendMessage", queue):
            assert grants(role_id, "kms:GenerateDataKey", key), f"{function_id} writes {queue}"
    for table, table_resource in resources("AWS::DynamoDB::Table").items():
        key = key_of(table_resource["Properties"])
        uses_table = any(
            refers(resource, table)
            for statement in statements(role_id)
            if any(action.startswith("dynamodb:") for action in statement["Action"])
            for resource in statement["Resource"]
        )
        if key and uses_table:
            assert grants(role_id, "kms:Decrypt", key), f"{function_id} reads {table}"


def test_the_pipelines_boundary_admits_everything_the_function_roles_grant() -> None:
    boundary = document(PIPELINE)["Resources"]["ApplicationBoundary"]["Properties"]
    bounded = {
        action
        for statement in boundary["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Allow"
        for action in listed(statement["Action"])
    }
    granted = {
        action
        for function_id in functions()
        for statement in statements(role_of(function_id))
        for action in statement["Action"]
    }

    assert granted - bounded == set()
    for function_id in functions():
        assert "PermissionsBoundary" in properties(role_of(function_id))


def _triggered_functions(bucket_properties: dict[str, Any]) -> set[str]:
    notifications = bucket_properties.get("NotificationConfiguration", {})
    queue_targets = notifications.get("QueueConfigurations", [])
    queues = {entry["Queue"]["Fn::GetAtt"][0] for entry in queue_targets}
    direct = {
        name for entry in notifications.get("LambdaConfigurations", []) for name in names(entry)
    }
    return direct | {
        function_id
        for function_id in functions()
        for event in event_sources(function_id, "SQS")
        if event["Queue"]["Fn::GetAtt"][0] in queues
    }


def test_no_function_writes_to_a_bucket_that_triggers_it() -> None:
    triggering = {
        bucket: _triggered_functions(bucket_resource.get("Properties", {}))
        for bucket, bucket_resource in resources("AWS::S3::Bucket").items()
    }

    assert triggering["ContentBucket"] == {"ValidatorFunction"}
    for bucket, triggered in triggering.items():
        for function_id in triggered:
            for statement in statements(role_of(function_id)):
                writes = [
                    action
                    for action in statement["Action"]
                    if action.startswith("s3:") and action[3:].startswith(S3_WRITE_PREFIXES)
                ]
                assert not (writes and any(refers(r, bucket) for r in statement["Resource"])), (
                    f"{function_id} may {writes} on {bucket}, which triggers it"
                )


# ---- Queues and alarms -------------------------------------------------------


@pytest.mark.parametrize("function_id", sorted(functions()))
def test_queue_visibility_outlasts_six_function_timeouts(function_id: str) -> None:
    timeout = int(function_setting(function_id, "Timeout", 3))
    for event in event_sources(function_id, "SQS"):
        queue = properties(event["Queue"]["Fn::GetAtt"][0])
        window = int(event.get("MaximumBatchingWindowInSeconds", 0))
        # Lambda's guidance: six times the timeout, plus the batching window.
        assert int(queue.get("VisibilityTimeout", 30)) >= 6 * timeout + window


def test_every_dead_letter_queue_raises_an_alarm() -> None:
    dead_letter_queues = {
        queue_resource["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for queue_resource in resources("AWS::SQS::Queue").values()
        if "RedrivePolicy" in queue_resource.get("Properties", {})
    } | {
        event["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
        for function_id in functions()
        for event in event_sources(function_id, "DynamoDB")
        if "DestinationConfig" in event
    }
    alarmed = {
        dimension["Value"]["Fn::GetAtt"][0]
        for alarm in resources("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("AlarmActions")
        for dimension in alarm["Properties"]["Dimensions"]
        if dimension["Name"] == "QueueName"
    }

    assert dead_letter_queues == {"IngestDLQ", "IndexDLQ", "RenderDLQ", "ListingDLQ"}
    assert dead_letter_queues <= alarmed


# ---- Keeping data ------------------------------------------------------------


def test_data_kept_on_deletion_keeps_its_key() -> None:
    for logical_id, resource in resources().items():
        key = key_of(resource.get("Properties", {}))
        if resource.get("DeletionPolicy") == "Retain" and key:
            assert resources()[key].get("DeletionPolicy") == "Retain", logical_id


def test_content_bucket_keeps_every_upload_and_expires_old_versions() -> None:
    bucket = properties("ContentBucket")
    rules = bucket["LifecycleConfiguration"]["Rules"]

    assert bucket["VersioningConfiguration"]["Status"] == "Enabled"
    assert any("NoncurrentVersionExpiration" in rule for rule in rules)
    assert resources()["ContentBucket"]["DeletionPolicy"] == "Retain"


@pytest.mark.parametrize("bucket", sorted(resources("AWS::S3::Bucket")))
def test_every_bucket_is_private_encrypted_and_tls_only(bucket: str) -> None:
    bucket_properties = properties(bucket)
    policies = [
        policy["Properties"]["PolicyDocument"]["Statement"]
        for policy in resources("AWS::S3::BucketPolicy").values()
        if policy["Properties"]["Bucket"] == {"Ref": bucket}
    ]

    assert set(bucket_properties["PublicAccessBlockConfiguration"].values()) == {True}
    assert bucket_properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert any(
        statement["Effect"] == "Deny"
        and statement["Condition"] == {"Bool": {"aws:SecureTransport": False}}
        for statements_ in policies
        for statement in statements_
    )


# ---- Delivery ----------------------------------------------------------------


def test_the_site_is_served_through_cloudfront_with_security_headers() -> None:
    (distribution,) = resources("AWS::CloudFront::Distribution").values()
    settings = distribution["Properties"]["DistributionConfig"]
    behaviour = settings["DefaultCacheBehavior"]
    (origin,) = settings["Origins"]
    headers_policy = properties(behaviour["ResponseHeadersPolicyId"]["Ref"])
    security = headers_policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    site_policy = properties("SiteBucketPolicy")["PolicyDocument"]["Statement"]

    assert settings["DefaultRootObject"] == "index.html"
    assert {"ErrorCode": 404, "ResponsePagePath": "/404.html"}.items() <= settings[
        "CustomErrorResponses"
    ][0].items()
    assert behaviour["ViewerProtocolPolicy"] in {"redirect-to-https", "https-only"}
    assert "OriginAccessControlId" in origin
    assert any(s["Principal"] == {"Service": "cloudfront.amazonaws.com"} for s in site_policy)
    assert "default-src 'none'" in security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31_536_000
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert {"ContentTypeOptions", "ReferrerPolicy"} <= set(security)


def test_the_site_frames_only_the_embed_allow_list() -> None:
    (distribution,) = resources("AWS::CloudFront::Distribution").values()
    behaviour = distribution["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]
    headers_policy = properties(behaviour["ResponseHeadersPolicyId"]["Ref"])
    security = headers_policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]

    (frame_src,) = [d.split() for d in csp.split(";") if d.split()[:1] == ["frame-src"]]
    assert tuple(frame_src[1:]) == EMBED_ORIGINS
    assert "child-src" not in csp


def test_svgs_are_served_sandboxed() -> None:
    (distribution,) = resources("AWS::CloudFront::Distribution").values()
    settings = distribution["Properties"]["DistributionConfig"]
    (svg,) = [b for b in settings["CacheBehaviors"] if b["PathPattern"] == "*.svg"]
    policy = properties(svg["ResponseHeadersPolicyId"]["Ref"])["ResponseHeadersPolicyConfig"]
    csp = policy["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]

    assert csp.split(";")[0].strip() == "sandbox"
    assert "script-src" not in csp
    assert svg["ViewerProtocolPolicy"] == "redirect-to-https"


def test_the_renderer_may_copy_the_validated_version_of_an_upload() -> None:
    granted = {
        action
        for statement in statements(role_of("RendererFunction"))
        for resource in statement["Resource"]
        if refers(resource, "ContentBucket")
        for action in statement["Action"]
    }

    assert granted == {"s3:GetObject", "s3:GetObjectVersion"}


def test_parameters_and_outputs_name_the_stage_the_domain_and_the_buckets() -> None:
    template = document()

    assert {"Stage", "SiteUrl", "CertificateArn", "AlarmEmail"} <= set(template["Parameters"])
    assert {
        "ContentBucketName",
        "ArtifactsBucketName",
        "SiteBucketName",
        "LogsBucketName",
        "SiteUrl",
    } <= set(template["Outputs"])


def test_the_template_outputs_what_the_pressroom_command_reads_of_a_deployed_stack() -> None:
    outputs = set(document()["Outputs"])

    assert set(STACK_OUTPUTS) <= outputs
    assert set(QUEUE_OUTPUTS.values()) <= outputs


def test_snapstart_is_a_parameter_off_by_default_on_the_versions_event_sources_invoke() -> None:
    template = document()
    function_globals = template["Globals"]["Function"]

    assert template["Parameters"]["SnapStart"]["Default"] == "false"
    assert function_globals["SnapStart"] == {
        "ApplyOn": {"Fn::If": ["UsesSnapStart", "PublishedVersions", "None"]}
    }
    assert template["Conditions"]["UsesSnapStart"] == {"Fn::Equals": [{"Ref": "SnapStart"}, "true"]}
    # SnapStart runs published versions only: the event sources must invoke the alias.
    generated = transformed()["Resources"]
    for mapping in [
        r for r in generated.values() if r["Type"] == "AWS::Lambda::EventSourceMapping"
    ]:
        target = mapping["Properties"]["FunctionName"]
        assert generated[target["Ref"]]["Type"] == "AWS::Lambda::Alias", target


# ---- Skips, settings, the pipeline ----------------------------------------------


def checkov_skips(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    for logical_id, resource in document(path)["Resources"].items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            yield logical_id, skip


@pytest.mark.parametrize("path", templates(), ids=lambda path: path.name)
def test_every_checkov_skip_is_explained(path: Path) -> None:
    for logical_id, skip in checkov_skips(path):
        assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), (logical_id, skip)
        assert len(str(skip.get("comment", "")).split()) >= 12, f"{logical_id} {skip['id']}"


def test_samconfig_deploys_dev_and_prod_to_their_own_stacks() -> None:
    settings = tomllib.loads((PROJECT_ROOT / "samconfig.toml").read_text("utf-8"))
    deploys = {stage: settings[stage]["deploy"]["parameters"] for stage in ("dev", "prod")}

    assert deploys["dev"]["stack_name"] != deploys["prod"]["stack_name"]
    for stage, deploy in deploys.items():
        assert f"Stage={stage}" in deploy["parameter_overrides"]
        assert {"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"} <= set(deploy["capabilities"].split())
        assert deploy["confirm_changeset"] is True


def test_the_pipeline_tests_deploys_dev_waits_for_approval_then_deploys_prod() -> None:
    pipeline = document(PIPELINE)["Resources"]
    stages = pipeline["Pipeline"]["Properties"]["Stages"]
    actions = {stage["Name"]: stage["Actions"] for stage in stages}
    buildspec = (PROJECT_ROOT / "infra" / "buildspec.yml").read_text("utf-8")

    assert [stage["Name"] for stage in stages] == [
        "Source",
        "Test",
        "Deploy-dev",
        "Approve",
        "Deploy-prod",
    ]
    assert [action["Name"] for action in actions["Test"]] == ["Test", "Browser"]
    assert actions["Approve"][0]["ActionTypeId"]["Provider"] == "Manual"
    for stage in ("Deploy-dev", "Deploy-prod"):
        configuration = actions[stage][0]["Configuration"]
        assert configuration["RoleArn"] == {"Fn::GetAtt": ["DeployRole", "Arn"]}
        assert configuration["TemplatePath"] == "Packaged::packaged.yaml"
    for step in ("make test", "sam build", "sam package"):
        assert step in buildspec
    assert 'CI: "true"' in buildspec


@pytest.mark.parametrize("function_id", ["ValidatorFunction", "RendererFunction"])
def test_a_deployed_stack_never_previews_drafts(function_id: str) -> None:
    # A literal, not a parameter: no deployment can turn a drafts preview on.
    assert specs()[function_id].environment["PREVIEW_DRAFTS"] == "false"
    assert not any("draft" in name.lower() for name in document()["Parameters"])
