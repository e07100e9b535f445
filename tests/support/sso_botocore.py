"""botocore against the IAM Identity Center stand-in (sso_standin.py), with HOME's profile
files and token cache, AWS_ENDPOINT_URL_SSO_OIDC and AWS_ENDPOINT_URL_SSO pointing at it.

    sso_botocore.py login SESSION      signs in with botocore's sso-oidc client as the AWS CLI
                                       does (authorization code with PKCE, redirect followed by
                                       hand) and leaves the token file the CLI would
    sso_botocore.py credentials PROFILE  role credentials through botocore's SSO credential
                                       provider and its SSOTokenProvider (which refreshes an
                                       expired token); prints the access key id and the token
                                       file's refresh token afterwards
"""

import base64
import datetime
import hashlib
import json
import os
import secrets
import sys
import urllib.parse
import urllib.request

import botocore.session
from botocore.utils import SSOTokenLoader, JSONFileCache

CACHE = os.path.expanduser("~/.aws/sso/cache")


def stamp(when):
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def login(session_name):
    session = botocore.session.Session()
    config = session.full_config["sso_sessions"][session_name]
    region = config["sso_region"]
    scopes = [s.strip() for s in config.get("sso_registration_scopes", "").split(",") if s.strip()]
    oidc = session.create_client("sso-oidc", region_name=region)
    reg = oidc.register_client(clientName="botocore-test", clientType="public",
                               grantTypes=["authorization_code", "refresh_token"],
                               redirectUris=["http://127.0.0.1/oauth/callback"],
                               issuerUrl=config["sso_start_url"], scopes=scopes or ["sso:account:access"])
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    redirect = "http://127.0.0.1:9/oauth/callback"
    state = secrets.token_hex(16)
    url = oidc.meta.endpoint_url.rstrip("/") + "/authorize?" + urllib.parse.urlencode({
        "response_type": "code", "client_id": reg["clientId"], "redirect_uri": redirect, "state": state,
        "code_challenge_method": "S256", "code_challenge": challenge, "scopes": " ".join(scopes)})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(url)
        raise SystemExit("no redirect from /authorize")
    except urllib.error.HTTPError as e:
        location = e.headers["Location"]
    query = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)
    assert query["state"] == [state], query
    token = oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                              grantType="authorization_code", code=query["code"][0],
                              redirectUri=redirect, codeVerifier=verifier)
    now = datetime.datetime.now(datetime.timezone.utc)
    blob = {"startUrl": config["sso_start_url"], "region": region, "accessToken": token["accessToken"],
            "expiresAt": stamp(now + datetime.timedelta(seconds=token["expiresIn"])),
            "clientId": reg["clientId"], "clientSecret": reg["clientSecret"],
            "registrationExpiresAt": stamp(datetime.datetime.fromtimestamp(reg["clientSecretExpiresAt"],
                                                                           datetime.timezone.utc))}
    if "refreshToken" in token:
        blob["refreshToken"] = token["refreshToken"]
    SSOTokenLoader(JSONFileCache(CACHE)).save_token(config["sso_start_url"], blob, session_name)
    print(json.dumps({"file": hashlib.sha1(session_name.encode()).hexdigest() + ".json"}))


def credentials(profile):
    session = botocore.session.Session(profile=profile)
    creds = session.get_credentials().get_frozen_credentials()
    config = session.full_config["profiles"][profile]
    name = config.get("sso_session") or session.full_config["profiles"][profile]["sso_start_url"]
    path = os.path.join(CACHE, hashlib.sha1(name.encode()).hexdigest() + ".json")
    with open(path) as f:
        token = json.load(f)
    print(json.dumps({"accessKeyId": creds.access_key, "refreshToken": token.get("refreshToken"),
                      "accessToken": token["accessToken"]}))


if __name__ == "__main__":
    {"login": login, "credentials": credentials}[sys.argv[1]](sys.argv[2])
