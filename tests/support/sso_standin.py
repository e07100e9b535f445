"""A stand-in for IAM Identity Center on one loopback port: the OIDC service
(RegisterClient, StartDeviceAuthorization, CreateToken with the authorization_code,
device_code and refresh_token grants), its /authorize page, and the portal
(GetRoleCredentials, Logout). No local server plays them, so this one checks requests as
the service does: client secrets and their expiry, the PKCE verifier against the S256
challenge given at /authorize, the redirect URI, one-time authorization codes, device codes
that are pending until approved, rotating refresh tokens (a used one is refused), and the
bearer token the portal is given.

Every request is one JSON line in --log: {"op": ..., "t": seconds, ...}, so tests count them.

    python3 sso_standin.py --port P --log requests.log [--deny] [--device pending,pending,slow_down]
                           [--interval 1] [--token-seconds 3600]

--deny makes /authorize send the browser back with error=access_denied. --device is what
successive device-code polls get before the user's approval counts.
"""

import argparse
import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

AUTH_GRANTS = {"authorization_code", "refresh_token"}
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SLOW_DOWN_SECONDS = 5


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--deny", action="store_true")
    parser.add_argument("--device", default="")
    parser.add_argument("--interval", type=int, default=1)
    parser.add_argument("--token-seconds", type=int, default=3600)
    parser.add_argument("--registration-seconds", type=int, default=90 * 86400)
    args = parser.parse_args()
    state = State(args)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def reply(self, status, body=None, headers=()):
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def fail(self, status, kind, error, description):
            # The OIDC service's errors: the type in x-amzn-ErrorType, OAuth's code in the body.
            self.reply(status, {"error": error, "error_description": description},
                       [("x-amzn-ErrorType", f"{kind}:http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/")])

        def body(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b"{}"
            try:
                body = json.loads(raw)
            except ValueError:
                return None
            return body if isinstance(body, dict) else None

        def log(self, op, **fields):
            with lock, open(args.log, "a") as log:
                log.write(json.dumps({"op": op, "t": time.time(), **fields}) + "\n")

        def do_POST(self):
            path = urllib.parse.urlparse(self.path).path
            body = self.body()
            if body is None:
                self.log("BadRequest", path=path)
                return self.fail(400, "InvalidRequestException", "invalid_request", "not JSON")
            with lock:
                if path == "/client/register":
                    answer = state.register(body)
                elif path == "/device_authorization":
                    answer = state.start_device(body)
                elif path == "/token":
                    answer = state.create_token(body)
                elif path == "/logout":
                    answer = state.logout(self.headers.get("x-amz-sso_bearer_token"))
                else:
                    answer = ("Unknown", 404, None)
            op, status, payload = answer[0], answer[1], answer[2]
            self.log(op, **(answer[3] if len(answer) > 3 else {}))
            if status == 200:
                self.reply(200, payload)
            else:
                kind, error, description = payload or ("NotFound", "not_found", path)
                self.fail(status, kind, error, description)

        def do_GET(self):
            url = urllib.parse.urlparse(self.path)
            query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
            if url.path == "/authorize":
                with lock:
                    op, status, location, fields = state.authorize(query)
                self.log(op, **fields)
                if status == 302:
                    self.send_response(302)
                    self.send_header("Location", location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self.reply(status, {"message": location})
                return
            if url.path == "/federation/credentials":
                with lock:
                    op, status, payload, fields = state.role_credentials(
                        query, self.headers.get("x-amz-sso_bearer_token"))
                self.log(op, **fields)
                if status == 200:
                    self.reply(200, payload)
                else:
                    self.reply(status, {"message": payload},
                               [("x-amzn-ErrorType", "UnauthorizedException")])
                return
            self.log("Unknown", path=url.path)
            self.reply(404, {"message": "not found"})

        def log_message(self, *_):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("listening", flush=True)
    server.serve_forever()


def s256(verifier):
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class State:
    def __init__(self, args):
        self.args = args
        self.clients = {}  # clientId -> registration
        self.codes = {}  # authorization code -> what /authorize was given
        self.devices = {}  # deviceCode -> {"client", "script", "last", "interval", "expires", "scopes"}
        self.access = {}  # access token -> expiry (epoch seconds)
        self.refresh = {}  # refresh token -> {"client", "scopes", "used"}

    def client(self, body):
        """The registration a request names, or the error to answer with."""
        reg = self.clients.get(body.get("clientId"))
        if reg is None or reg["secret"] != body.get("clientSecret"):
            return None, ("InvalidClientException", "invalid_client", "unknown client or wrong secret")
        if reg["expires"] < time.time():
            return None, ("InvalidClientException", "invalid_client", "the client registration expired")
        return reg, None

    def register(self, body):
        if body.get("clientType") != "public" or not body.get("clientName"):
            return "RegisterClient", 400, ("InvalidRequestException", "invalid_request", "clientName and clientType public"), {}
        grants = body.get("grantTypes")
        if grants is not None and "authorization_code" in grants:
            # An authorization-code client names where codes may go and who issues them.
            uris = body.get("redirectUris") or []
            if not uris or not body.get("issuerUrl"):
                return "RegisterClient", 400, ("InvalidRequestException", "invalid_request", "redirectUris and issuerUrl"), {}
        client_id = "client-" + secrets.token_hex(8)
        secret = "secret-" + secrets.token_hex(16)
        expires = int(time.time()) + self.args.registration_seconds
        self.clients[client_id] = {"secret": secret, "expires": expires, "grants": grants,
                                   "redirects": body.get("redirectUris") or [],
                                   "scopes": body.get("scopes") or []}
        return "RegisterClient", 200, {"clientId": client_id, "clientSecret": secret,
                                        "clientIdIssuedAt": int(time.time()),
                                        "clientSecretExpiresAt": expires}, \
            {"grantTypes": grants, "scopes": body.get("scopes")}

    def start_device(self, body):
        reg, error = self.client(body)
        if error:
            return "StartDeviceAuthorization", 400, error, {}
        if not body.get("startUrl"):
            return "StartDeviceAuthorization", 400, ("InvalidRequestException", "invalid_request", "startUrl"), {}
        device = "device-" + secrets.token_hex(16)
        user_code = "ABCD-EFGH"
        self.devices[device] = {"client": body["clientId"], "last": None, "interval": self.args.interval,
                                "script": [s for s in self.args.device.split(",") if s],
                                "expires": time.time() + 600, "scopes": reg["scopes"]}
        url = "https://device.sso.example/"
        return "StartDeviceAuthorization", 200, {
            "deviceCode": device, "userCode": user_code, "verificationUri": url,
            "verificationUriComplete": url + "?user_code=" + user_code,
            "expiresIn": 600, "interval": self.args.interval}, {}

    def authorize(self, query):
        fields = {"client_id": query.get("client_id"), "redirect_uri": query.get("redirect_uri")}
        reg = self.clients.get(query.get("client_id"))
        if reg is None:
            return "Authorize", 400, "unknown client_id", fields
        redirect = query.get("redirect_uri") or ""
        parsed = urllib.parse.urlparse(redirect)
        registered = [urllib.parse.urlparse(u) for u in reg["redirects"]]
        # Loopback redirect URIs match whatever the port (RFC 8252 7.3).
        if not any(parsed.scheme == r.scheme and parsed.hostname == r.hostname and parsed.path == r.path
                   for r in registered):
            return "Authorize", 400, "redirect_uri was not registered", fields
        if query.get("response_type") != "code" or query.get("code_challenge_method") != "S256" \
                or not query.get("code_challenge") or not query.get("state"):
            return "Authorize", 400, "response_type=code, S256 challenge and state are required", fields
        params = {"state": query["state"]}
        if self.args.deny:
            params["error"] = "access_denied"
            params["error_description"] = "The user denied access"
        else:
            code = "code-" + secrets.token_hex(16)
            self.codes[code] = {"client": query["client_id"], "redirect": redirect,
                                "challenge": query["code_challenge"], "expires": time.time() + 300}
            params["code"] = code
        return "Authorize", 302, redirect + "?" + urllib.parse.urlencode(params), \
            {**fields, "denied": self.args.deny}

    def issue(self, client_id, scopes):
        token = "access-" + secrets.token_hex(20)
        self.access[token] = time.time() + self.args.token_seconds
        answer = {"accessToken": token, "tokenType": "Bearer", "expiresIn": self.args.token_seconds}
        # As the service does: a refresh token only for a client registered with scopes.
        if scopes:
            refresh = "refresh-" + secrets.token_hex(20)
            self.refresh[refresh] = {"client": client_id, "scopes": scopes, "used": False}
            answer["refreshToken"] = refresh
        return answer

    def create_token(self, body):
        grant = body.get("grantType")
        fields = {"grantType": grant}
        reg, error = self.client(body)
        if error:
            return "CreateToken", 400, error, fields
        if grant == "authorization_code":
            return self.code_grant(body, reg, fields)
        if grant == DEVICE_GRANT:
            return self.device_grant(body, reg, fields)
        if grant == "refresh_token":
            used = self.refresh.get(body.get("refreshToken"))
            if used is None or used["used"] or used["client"] != body["clientId"]:
                return "CreateToken", 400, ("InvalidGrantException", "invalid_grant", "refresh token unknown or used"), fields
            used["used"] = True  # rotation: the old one is refused from now on
            return "CreateToken", 200, self.issue(body["clientId"], used["scopes"]), fields
        return "CreateToken", 400, ("UnsupportedGrantTypeException", "unsupported_grant_type", str(grant)), fields

    def code_grant(self, body, reg, fields):
        if reg["grants"] is None or "authorization_code" not in reg["grants"]:
            return "CreateToken", 400, ("UnauthorizedClientException", "unauthorized_client", "client has no authorization_code grant"), fields
        code = self.codes.pop(body.get("code"), None)  # one use, right or wrong
        bad = ("InvalidGrantException", "invalid_grant", "code unknown, used or expired")
        if code is None or code["expires"] < time.time() or code["client"] != body["clientId"]:
            return "CreateToken", 400, bad, fields
        if body.get("redirectUri") != code["redirect"]:
            return "CreateToken", 400, ("InvalidGrantException", "invalid_grant", "redirectUri differs"), fields
        if s256(body.get("codeVerifier") or "") != code["challenge"]:
            return "CreateToken", 400, ("InvalidGrantException", "invalid_grant", "PKCE verification failed"), fields
        return "CreateToken", 200, self.issue(body["clientId"], reg["scopes"]), fields

    def device_grant(self, body, reg, fields):
        device = self.devices.get(body.get("deviceCode"))
        if device is None or device["client"] != body["clientId"]:
            return "CreateToken", 400, ("InvalidGrantException", "invalid_grant", "unknown device code"), fields
        if device["expires"] < time.time():
            return "CreateToken", 400, ("ExpiredTokenException", "expired_token", "device code expired"), fields
        now = time.time()
        fields["sinceLast"] = None if device["last"] is None else now - device["last"]
        device["last"] = now
        if device["script"]:
            step = device["script"].pop(0)
            if step == "pending":
                return "CreateToken", 400, ("AuthorizationPendingException", "authorization_pending", "pending"), fields
            if step == "slow_down":
                return "CreateToken", 400, ("SlowDownException", "slow_down", "slow down"), fields
            if step == "expired":
                return "CreateToken", 400, ("ExpiredTokenException", "expired_token", "expired"), fields
        del self.devices[body["deviceCode"]]
        return "CreateToken", 200, self.issue(body["clientId"], reg["scopes"]), fields

    def live(self, bearer):
        return bearer is not None and self.access.get(bearer, 0) > time.time()

    def role_credentials(self, query, bearer):
        fields = {"account_id": query.get("account_id"), "role_name": query.get("role_name")}
        if not self.live(bearer):
            return "GetRoleCredentials", 401, "Session token not found or invalid", fields
        if not query.get("account_id") or not query.get("role_name"):
            return "GetRoleCredentials", 400, "account_id and role_name", fields
        return "GetRoleCredentials", 200, {"roleCredentials": {
            "accessKeyId": "ASIA" + secrets.token_hex(8).upper(),
            "secretAccessKey": secrets.token_urlsafe(30)[:40],
            "sessionToken": "sso-" + query["account_id"] + "-" + query["role_name"] + "-" + secrets.token_hex(20),
            "expiration": int((time.time() + 3600) * 1000)}}, fields

    def logout(self, bearer):
        if not self.live(bearer):
            return "Logout", 401, ("UnauthorizedException", "unauthorized", "Session token not found or invalid"), {}
        del self.access[bearer]
        return "Logout", 200, {}, {}


if __name__ == "__main__":
    main()
