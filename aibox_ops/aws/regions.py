"""Regions where botocore knows an endpoint for a service (read from its data files,
without importing botocore: configuration loading must stay fast)."""

from __future__ import annotations

import json
from functools import cache

from .validate import botocore_data_dir


@cache
def endpoint_regions(service: str) -> frozenset[str]:
    """Regions botocore can resolve an endpoint for ``service`` in.

    A service listed in ``endpoints.json`` has its regions there. A newer service such as
    bedrock-agentcore-control ships only an endpoint rule set, which resolves in every
    region of every partition botocore knows, so those regions are the answer. Empty when
    botocore has no data for the service at all."""
    data_dir = botocore_data_dir()
    data = _endpoints()
    has_rule_set = any((data_dir / service).glob("*/endpoint-rule-set-1.json*"))
    regions: set[str] = set()
    for partition in data["partitions"]:
        known = set(partition.get("regions", {}))
        listed = partition.get("services", {}).get(service, {}).get("endpoints", {})
        if listed:
            regions |= known & set(listed)
        elif has_rule_set:
            regions |= known
    return frozenset(regions)


@cache
def _endpoints() -> dict:
    return json.loads((botocore_data_dir() / "endpoints.json").read_text(encoding="utf-8"))


def partition_of(region: str) -> str:
    """The partition of ``region`` (aws, aws-cn, aws-us-gov, ...) from botocore's endpoint
    data, without importing botocore; ``aws`` when no partition claims the region."""
    import re

    for partition in _endpoints()["partitions"]:
        if region in partition.get("regions", {}) or re.fullmatch(
                partition.get("regionRegex", "$^"), region):
            return partition["partition"]
    return "aws"
