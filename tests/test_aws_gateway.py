"""The gateway rule: only aibox_ops/aws/ imports boto3 or botocore (issue 20, step 1).

The agent/ folder at the repository's root is a separate program shipped in the image, with
its own dependencies: not part of this rule."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "aibox_ops"
AWS_LIBRARIES = ("boto3", "botocore")


def aws_imports(path: Path) -> list[str]:
    """``line: module`` for every boto3/botocore import in the file (lazy ones included)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [f"{node.lineno}: {n}" for n in names if n.split(".")[0] in AWS_LIBRARIES]
    return found


def test_only_the_aws_package_imports_boto3_or_botocore():
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("aws/"):
            continue
        if found := aws_imports(path):
            offenders[relative] = found
    assert offenders == {}, "call aibox_ops.aws instead of importing boto3/botocore"


def test_the_checker_sees_lazy_imports(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    from botocore.exceptions import ClientError\n"
                      "    import boto3.session\n")
    assert aws_imports(sample) == ["2: botocore.exceptions", "3: boto3.session"]
    assert aws_imports(PACKAGE / "aws" / "session.py")  # the gateway itself does
