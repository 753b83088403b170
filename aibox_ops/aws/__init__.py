"""The only package that imports boto3/botocore: sessions, clients, and error translation."""

from .profile import check_profile, effective_profile
from .session import AwsSession, aws_errors, open_session

__all__ = ["AwsSession", "aws_errors", "check_profile", "effective_profile", "open_session"]
