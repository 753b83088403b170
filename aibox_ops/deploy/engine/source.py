"""The build source: a deterministic zip of the staged context, uploaded to the account's
CodeBuild source bucket.

The bucket name is predictable (``bedrock-agentcore-codebuild-sources-ACCOUNT-REGION``), so
someone else could own a bucket of that name: every request on it carries
``ExpectedBucketOwner`` (S3 refuses it with 403 when another account owns the bucket), and
a 403 on the first read stops the deploy before anything is uploaded.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from ...aws import AwsSession
from ...aws.calls import call
from ...aws.reads import error_code
from ...errors import AwsError, FileError
from ...files import atomic_write_bytes

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed: the same files give the same bytes
MISSING = ("404", "NoSuchBucket", "NotFound")


def zip_files(files: dict[str, Path], target: Path) -> Path:
    """Write ``files`` (archive path -> file) into the zip ``target`` atomically; the same
    files give byte-identical zips (sorted entries, fixed times and modes)."""
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel in sorted(files):
            info = zipfile.ZipInfo(rel, ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            try:
                data = files[rel].read_bytes()
            except OSError as exc:
                raise FileError(f"{files[rel]}: cannot be read ({exc.strerror or exc})"
                                ) from None
            archive.writestr(info, data)
    atomic_write_bytes(target, buffer.getvalue())
    return target


def ensure_source_bucket(session: AwsSession, bucket: str, account: str, region: str,
                         note: Callable[[str], None]) -> bool:
    """Make sure ``bucket`` exists and belongs to ``account``; True when it was created
    (private, objects expire after 7 days)."""
    try:
        call(session, "s3", "HeadBucket", f"read S3 bucket {bucket}", Bucket=bucket,
             ExpectedBucketOwner=account)
        return False
    except AwsError as error:
        if error_code(error) in ("403", "AccessDenied"):
            raise AwsError(f"S3 bucket {bucket} exists but is not readable as account "
                           f"{account}'s own bucket (403)",
                           hint="Another account may own a bucket of that name, or your "
                                "credentials lack s3:ListBucket on it; nothing was uploaded.",
                           code="BucketNotOwned") from None
        if error_code(error) not in MISSING:
            raise
    note(f"creating S3 bucket {bucket}")
    params = {} if region == "us-east-1" else {
        "CreateBucketConfiguration": {"LocationConstraint": region}}
    call(session, "s3", "CreateBucket", f"create S3 bucket {bucket}", Bucket=bucket,
         ObjectOwnership="BucketOwnerEnforced", **params)
    call(session, "s3", "PutPublicAccessBlock", f"block public access to {bucket}",
         Bucket=bucket, ExpectedBucketOwner=account, PublicAccessBlockConfiguration={
             "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
             "RestrictPublicBuckets": True})
    call(session, "s3", "PutBucketLifecycleConfiguration", f"set the lifecycle of {bucket}",
         Bucket=bucket, ExpectedBucketOwner=account, LifecycleConfiguration={"Rules": [
             {"ID": "DeleteOldBuilds", "Status": "Enabled", "Filter": {},
              "Expiration": {"Days": 7}}]})
    return True


def upload(session: AwsSession, path: Path, bucket: str, key: str, account: str) -> None:
    """Put the file at ``key``, only into ``account``'s bucket (keys are per content or
    fixed per agent: no version id is needed to name what was sent)."""
    with path.open("rb") as body:
        call(session, "s3", "PutObject", f"upload s3://{bucket}/{key}", Bucket=bucket,
             Key=key, Body=body, ExpectedBucketOwner=account)
