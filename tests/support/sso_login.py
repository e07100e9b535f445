"""Leaves the token `aws sso login` would leave in HOME/.aws/sso/cache, named by the
SHA-1 of IDENTIFIER (the sso-session name, or the start URL of a profile without one).

usage: sso_login.py HOME IDENTIFIER
"""
import hashlib
import json
import os
import sys

home, identifier = sys.argv[1], sys.argv[2]
cache = os.path.join(home, ".aws", "sso", "cache")
os.makedirs(cache, exist_ok=True)
name = hashlib.sha1(identifier.encode()).hexdigest() + ".json"
# As the AWS CLI writes it: readable by its owner alone.
with os.fdopen(os.open(os.path.join(cache, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
    json.dump(
        {
            "accessToken": "sso-access-token",
            "expiresAt": "2099-01-01T00:00:00Z",
            "region": "eu-west-1",
            "startUrl": "https://corp.awsapps.com/start",
        },
        out,
    )
