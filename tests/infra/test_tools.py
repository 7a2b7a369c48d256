"""The infrastructure tools as the pipeline runs them: cfn-lint, sam validate and build, checkov.

The SAM CLI and checkov live in their own environments (.venv-sam,
.venv-checkov), made by `make infra-check` from requirements/sam.txt and
requirements/checkov.txt.
"""

from __future__ import annotations

import json
import re
import sys
from functools import cache
from pathlib import Path
from typing import Any

from pressroom_local.layer import lambda_python
from tests.corpus import PROJECT_ROOT
from tests.infra.tooling import (
    CHECKOV,
    PIPELINE,
    SAM,
    TEMPLATE,
    assert_product_only,
    document,
    offline_aws_environment,
    require,
    run,
    templates,
    tool,
    transformed,
)

BUILD_DIR = PROJECT_ROOT / ".aws-sam" / "build"
ELF_MACHINE_AARCH64 = 183
LAMBDA_BYTECODE_TAG = "cpython-313"
UNCHECKED_HASH = 0b01
"""A .pyc's flags (PEP 552): checked against no source, so valid whatever times the
deployment package gives its files."""

# What the pipeline's deploy role must be allowed to do for each resource type
# the transformed template creates, and for the properties that need more.
CREATE_ACTIONS = {
    "AWS::CloudFront::CachePolicy": "cloudfront:CreateCachePolicy",
    "AWS::CloudFront::Distribution": "cloudfront:CreateDistribution",
    "AWS::CloudFront::Function": "cloudfront:CreateFunction",
    "AWS::CloudFront::OriginAccessControl": "cloudfront:CreateOriginAccessControl",
    "AWS::CloudFront::ResponseHeadersPolicy": "cloudfront:CreateResponseHeadersPolicy",
    "AWS::CloudWatch::Alarm": "cloudwatch:PutMetricAlarm",
    "AWS::DynamoDB::Table": "dynamodb:CreateTable",
    "AWS::IAM::Role": "iam:CreateRole",
    "AWS::KMS::Key": "kms:CreateKey",
    "AWS::Lambda::Alias": "lambda:CreateAlias",
    "AWS::Lambda::EventSourceMapping": "lambda:CreateEventSourceMapping",
    "AWS::Lambda::Function": "lambda:CreateFunction",
    "AWS::Lambda::LayerVersion": "lambda:PublishLayerVersion",
    "AWS::Lambda::Version": "lambda:PublishVersion",
    "AWS::Logs::LogGroup": "logs:CreateLogGroup",
    "AWS::S3::Bucket": "s3:CreateBucket",
    "AWS::S3::BucketPolicy": "s3:PutBucketPolicy",
    "AWS::Scheduler::ScheduleGroup": "scheduler:CreateScheduleGroup",
    "AWS::SNS::Subscription": "sns:Subscribe",
    "AWS::SNS::Topic": "sns:CreateTopic",
    "AWS::SQS::Queue": "sqs:CreateQueue",
    "AWS::SQS::QueuePolicy": "sqs:SetQueueAttributes",
}
PROPERTY_ACTIONS = {
    ("AWS::CloudFront::Distribution", "Logging"): "s3:PutBucketAcl",
    ("AWS::DynamoDB::Table", "PointInTimeRecoverySpecification"): (
        "dynamodb:UpdateContinuousBackups"
    ),
    ("AWS::DynamoDB::Table", "SSESpecification"): "kms:CreateGrant",
    ("AWS::IAM::Role", "Policies"): "iam:PutRolePolicy",
    ("AWS::KMS::Key", "EnableKeyRotation"): "kms:EnableKeyRotation",
    ("AWS::Lambda::Function", "Role"): "iam:PassRole",
    ("AWS::Logs::LogGroup", "RetentionInDays"): "logs:PutRetentionPolicy",
    ("AWS::S3::Bucket", "LifecycleConfiguration"): "s3:PutLifecycleConfiguration",
    ("AWS::S3::Bucket", "LoggingConfiguration"): "s3:PutBucketLogging",
    ("AWS::S3::Bucket", "NotificationConfiguration"): "s3:PutBucketNotification",
    ("AWS::S3::Bucket", "OwnershipControls"): "s3:PutBucketOwnershipControls",
    ("AWS::S3::Bucket", "VersioningConfiguration"): "s3:PutBucketVersioning",
}


def test_cfn_lint_finds_nothing_in_any_template() -> None:
    result = run([Path(sys.executable).parent / "cfn-lint", "--", *templates()])

    assert result.returncode == 0, result.stdout + result.stderr


def test_sam_validate_with_lint_passes() -> None:
    result = run(
        [tool(SAM), "validate", "--lint", "--template-file", TEMPLATE],
        env=offline_aws_environment(),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout


def modules_without_bytecode(layer: Path) -> list[str]:
    """Each module of a built layer that Lambda's Python would compile at every cold start:
    /opt is read-only, so bytecode the layer does not ship is never kept."""
    missing = []
    for source in sorted(layer.rglob("*.py")):
        compiled = source.parent / "__pycache__" / f"{source.stem}.{LAMBDA_BYTECODE_TAG}.pyc"
        header = compiled.read_bytes()[:8] if compiled.is_file() else b""
        if int.from_bytes(header[4:8], "little") != UNCHECKED_HASH:
            missing.append(str(source.relative_to(layer)))
    return missing


def test_sam_build_builds_the_layer_for_arm64_with_its_bytecode() -> None:
    python = lambda_python()
    require(python is not None, "no Python 3.13 on this machine: sam build needs the runtime's")
    assert python is not None
    environment = offline_aws_environment()
    # sam build runs `python3.13` from PATH: the one found above, first.
    environment["PATH"] = f"{python.parent}:{environment.get('PATH', '')}"

    result = run(
        [tool(SAM), "build", "--template-file", TEMPLATE, "--build-dir", BUILD_DIR, "--cached"],
        env=environment,
        timeout=600,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    layer = BUILD_DIR / "SharedLayer" / "python"
    assert (layer / "pressroom" / "themes" / "default" / "base.html").is_file()
    assert_product_only(layer)
    libraries = list(layer.rglob("*.so"))
    assert libraries, "no native libraries in the layer: were the wheels installed?"
    for library in libraries:
        header = library.read_bytes()[:20]
        assert int.from_bytes(header[18:20], "little") == ELF_MACHINE_AARCH64, library
    for function_id in ("ValidatorFunction", "IndexerFunction", "RendererFunction"):
        assert (BUILD_DIR / function_id / "app.py").is_file()
    missing = modules_without_bytecode(layer)
    assert missing == [], f"{len(missing)} modules without bytecode, among them {missing[:5]}"


def test_sam_uses_the_functions_own_roles_and_no_managed_policies() -> None:
    template_roles = {
        logical_id
        for logical_id, resource in document()["Resources"].items()
        if resource["Type"] == "AWS::IAM::Role"
    }
    generated = transformed()["Resources"]
    roles = {
        logical_id: resource
        for logical_id, resource in generated.items()
        if resource["Type"] == "AWS::IAM::Role"
    }

    assert set(roles) == template_roles
    assert not [role for role in roles.values() if "ManagedPolicyArns" in role["Properties"]]


def _deploy_role_actions() -> set[str]:
    role = document(PIPELINE)["Resources"]["DeployRole"]["Properties"]
    return {
        action
        for policy in role["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Allow"
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }


def test_the_pipeline_may_create_everything_the_stack_holds() -> None:
    allowed = _deploy_role_actions()
    needed: dict[str, str] = {}
    for logical_id, resource in transformed()["Resources"].items():
        resource_type = resource["Type"]
        assert resource_type in CREATE_ACTIONS, (
            f"{logical_id}: a new kind of resource; add its create action to CREATE_ACTIONS "
            "and a statement to DeployRole in infra/pipeline.yaml"
        )
        needed[CREATE_ACTIONS[resource_type]] = logical_id
        for (of_type, name), action in PROPERTY_ACTIONS.items():
            if of_type == resource_type and name in resource.get("Properties", {}):
                needed[action] = logical_id
            config = resource.get("Properties", {}).get("DistributionConfig", {})
            if of_type == resource_type and name in config:
                needed[action] = logical_id

    assert {action: needed[action] for action in needed if action not in allowed} == {}


# ---- checkov -------------------------------------------------------------------


@cache
def checkov(*paths: Path) -> dict[str, Any]:
    command: list[str | Path] = [tool(CHECKOV), "--framework", "cloudformation"]
    for path in paths:
        command += ["-f", path]
    result = run(
        [*command, "--skip-download", "--output", "json"],
        env=offline_aws_environment(),
        cwd=paths[0].parent,
    )
    assert result.returncode in {0, 1}, result.stderr
    report = json.loads(result.stdout)
    assert isinstance(report, dict), "checkov scanned no CloudFormation"
    return report


def _finding(check: dict[str, Any]) -> tuple[str, str, str]:
    return (Path(check["file_path"]).name, check["resource"], check["check_id"])


def test_checkov_passes_with_only_the_skips_written_in_the_templates() -> None:
    report = checkov(*templates())
    results = report["results"]

    assert [_finding(check) for check in results["failed_checks"]] == []
    assert results["passed_checks"]
    for check in results["skipped_checks"]:
        assert check["check_result"]["suppress_comment"].strip(), _finding(check)


def test_every_checkov_skip_is_still_needed(tmp_path: Path) -> None:
    skipped = {_finding(check) for check in checkov(*templates())["results"]["skipped_checks"]}
    unskipped = []
    for path in templates():
        copy = tmp_path / path.name
        text = path.read_text("utf-8")
        copy.write_text(re.sub(r"(?m)^(\s+)checkov:\s*$", r"\1checkov_off:", text), "utf-8")
        unskipped.append(copy)

    failing = {_finding(check) for check in checkov(*unskipped)["results"]["failed_checks"]}

    assert skipped
    assert skipped - failing == set(), "these skips no longer hide a failure: remove them"
