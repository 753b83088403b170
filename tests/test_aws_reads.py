"""Reads by declaration (aibox_ops.aws.reads) against the moto server: not-found is None,
listings span every page through botocore's paginators."""

import json

import pytest

from aibox_ops.aws import aws_errors, open_session
from aibox_ops.aws.reads import find_first, paginate, read_or_none
from aibox_ops.errors import AiboxError, AwsError

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def _roles(iam, count: int) -> list[str]:
    names = [f"agentcore-test-{i:02d}" for i in range(count)]
    for name in names:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
    return names


def test_not_found_is_none_by_declaration_and_other_errors_propagate(aws):
    iam = open_session("ap-southeast-1").client("iam", max_attempts=1)

    def read(name: str):
        with aws_errors(f"read role {name}"):
            return iam.get_role(RoleName=name)

    assert read_or_none(lambda: read("ghost"), not_found=("NoSuchEntity",)) is None
    assert read_or_none(lambda: iam.get_role(RoleName="ghost"),  # a raw ClientError too
                        not_found=("NoSuchEntity",)) is None
    with pytest.raises(AwsError) as info:  # not declared: still an error, still named
        read_or_none(lambda: read("ghost"))
    assert info.value.code == "NoSuchEntity" and "read role ghost" in info.value.message
    _roles(iam, 1)
    assert read_or_none(lambda: read("agentcore-test-00"),
                        not_found=("NoSuchEntity",))["Role"]["RoleName"] == "agentcore-test-00"


def test_paginate_reads_every_page_and_find_first_stops_early(aws):
    iam = open_session("ap-southeast-1").client("iam")
    names = _roles(iam, 7)
    sent: list[str] = []
    iam.meta.events.register("before-send.iam.ListRoles", lambda **_: sent.append("page"))
    listed = [r["RoleName"] for r in paginate(iam, "ListRoles", "Roles",
                                              PaginationConfig={"PageSize": 2})]
    assert sorted(listed) == names and len(sent) == 4  # 2 + 2 + 2 + 1
    sent.clear()
    found = find_first(iam, "ListRoles", "Roles", lambda r: r["RoleName"] == listed[2],
                       PaginationConfig={"PageSize": 2})  # the third: on the second page
    assert found["RoleName"] == listed[2] and len(sent) == 2
    sent.clear()
    assert len(list(paginate(iam, "ListRoles", "Roles", max_pages=2,
                             PaginationConfig={"PageSize": 3}))) == 6 and len(sent) == 2
    with pytest.raises(AiboxError, match="no paginator for GetRole"):
        list(paginate(iam, "GetRole", "Role", RoleName="x"))


def test_iam_library_lists_roles_across_pages(aws):
    from aibox_ops.aws import calls
    from aibox_ops.iam import role

    session = open_session("ap-southeast-1")
    names = _roles(session.client("iam"), 5)
    assert role._candidates(session) == names
    listed = calls.pages(session, "iam", "ListRoles", "list roles", "Roles",
                         PaginationConfig={"PageSize": 2})
    assert sorted(r["RoleName"] for r in listed) == names
