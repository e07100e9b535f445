"""botocore as a client of the sign-in stand-in (tests/support/signin_standin.py), to prove
the stand-in checks what the service checks, and that runas and botocore share a login cache.

    python3 signin_client.py botocore PROFILE
        The credentials botocore's own login provider gives for PROFILE (with the profile
        files, AWS_LOGIN_CACHE_DIRECTORY and AWS_ENDPOINT_URL_SIGNIN of the environment),
        refreshing them first when the cache says they expire: JSON with the access key id
        and account id.
    python3 signin_client.py tampered URL CACHEFILE
        Sends token requests with proofs made by botocore's DPoP code and then spoiled (a
        signature of another key, another htu, an altered payload, a stale iat), then a
        good one, its replay, and a new proof with the spent refresh token: JSON with the
        status and error code of each.
"""

import base64
import json
import sys
import time
import urllib.error
import urllib.request


def with_botocore(profile):
    import botocore.session

    session = botocore.session.Session(profile=profile)
    credentials = session.get_credentials()
    frozen = credentials.get_frozen_credentials()
    print(json.dumps({"access_key": frozen.access_key, "account_id": frozen.account_id}))


def tampered(url, cache_file):
    from awscrt.crypto import EC, ECType
    from botocore.credentials import LoginCredentialFetcher, _build_dpop_header

    with open(cache_file) as f:
        token = json.load(f)
    key = LoginCredentialFetcher._load_private_key(token)
    other = EC.new_generate(ECType.P_256)
    body = json.dumps(
        {"clientId": token["clientId"], "grantType": "refresh_token", "refreshToken": token["refreshToken"]}
    ).encode()

    def post(proof):
        request = urllib.request.Request(
            url, data=body, method="POST", headers={"Content-Type": "application/json", "DPoP": proof}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return f"{answer.status}"
        except urllib.error.HTTPError as e:
            return f"{e.code} {json.loads(e.read()).get('error')}"

    def altered(proof):
        header, payload, signature = proof.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["htm"] = "GET"
        payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return f"{header}.{payload}.{signature}"

    def foreign_signature(proof):
        header, payload, _ = proof.split(".")
        signature = _build_dpop_header(other, url).split(".")[2]
        return f"{header}.{payload}.{signature}"

    good = _build_dpop_header(key, url)
    statuses = {
        "other key": post(_build_dpop_header(other, url)),
        "foreign signature": post(foreign_signature(_build_dpop_header(key, url))),
        "other htu": post(_build_dpop_header(key, url + "x")),
        "altered payload": post(altered(_build_dpop_header(key, url))),
        "stale iat": post(_build_dpop_header(key, url, ts=int(time.time()) - 600)),
        "good": post(good),
        "replayed jti": post(good),
        "spent refresh token": post(_build_dpop_header(key, url)),
    }
    print(json.dumps(statuses))


def main():
    if sys.argv[1] == "botocore":
        with_botocore(sys.argv[2])
    else:
        tampered(sys.argv[2], sys.argv[3])


if __name__ == "__main__":
    main()
