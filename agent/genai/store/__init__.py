"""DynamoDB-backed settings and session stores."""
