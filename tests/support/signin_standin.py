"""A stand-in for the AWS Sign-In service's token endpoint (`POST /v1/token`, the
CreateOAuth2Token operation the SDKs call to refresh an `aws login` session), which moto does
not serve. It checks requests the way the service does:

- the body is JSON with `clientId` (arn:aws:signin:::devtools/same-device or cross-device,
  the one the session was issued to), `grantType` = `refresh_token` and `refreshToken`;
- the `DPoP` header is an ES256 JWS (RFC 9449): header `typ` dpop+jwt, `alg` ES256 and the
  public `jwk` of a P-256 key, which must be the key the refresh token is bound to; payload
  `htm` POST, `htu` the URL of this request, a `jti` never seen before and an `iat` within
  a minute of now; the signature verifies against that key;
- refresh tokens rotate: an answer carries a new one, bound to the same key, and the old one
  is refused from then on.

Refusals have the service's shape: a status, `x-amzn-errortype` naming the exception, and a
JSON body {"error": CODE, "message": TEXT}.

Every request is logged to --log as one JSON line, so that tests count the calls.

    python3 signin_standin.py newcache --dir DIR --session ARN --account ID --expires-in S
    python3 signin_standin.py serve --port P --log FILE --register CACHEFILE... [--answer MODE]

`newcache` writes a login cache file as the AWS CLI's `aws login` does, into DIR under the
name hex(sha256(ARN without surrounding whitespace)).json (a new P-256 key as a SEC1 PEM in
`dpopKey`), and prints its path. `serve` registers each cache file's refresh token, client id,
account and key, then answers. --answer makes every token request get one answer instead:
TOKEN_EXPIRED, USER_CREDENTIALS_CHANGED, INSUFFICIENT_PERMISSIONS (AccessDeniedException),
nonsense (200 with a body that is not JSON), hang (no answer), oversized (200 with a 16 MiB
body).
"""

import argparse
import base64
import hashlib
import json
import os
import secrets
import string
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

CLIENT_IDS = ("arn:aws:signin:::devtools/same-device", "arn:aws:signin:::devtools/cross-device")
IAT_WINDOW = 60
MAX_BODY = 64 * 1024


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def random_text(alphabet, n):
    return "".join(secrets.choice(alphabet) for _ in range(n))


def new_credentials():
    return {
        "accessKeyId": "ASIA" + random_text(string.ascii_uppercase + string.digits, 16),
        "secretAccessKey": random_text(string.ascii_letters + string.digits + "/+", 40),
        "sessionToken": random_text(string.ascii_letters + string.digits + "/+=", 200),
    }


def public_jwk(key):
    numbers = key.public_key().public_numbers()
    return (b64url(numbers.x.to_bytes(32, "big")), b64url(numbers.y.to_bytes(32, "big")))


def newcache(args):
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    expires = datetime.now(timezone.utc) + timedelta(seconds=args.expires_in)
    token = {
        "accessToken": dict(
            new_credentials(),
            accountId=args.account,
            expiresAt=expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        ),
        "tokenType": "aws_sigv4",
        "refreshToken": "rt-" + secrets.token_urlsafe(48),
        "idToken": "id-" + secrets.token_urlsafe(32),
        "clientId": args.client_id,
        "dpopKey": pem,
    }
    name = hashlib.sha256(args.session.strip().encode()).hexdigest() + ".json"
    path = os.path.join(args.dir, name)
    os.makedirs(args.dir, mode=0o700, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(token, out, indent=4)
    print(path)


class Refused(Exception):
    def __init__(self, status, exception, code, message):
        super().__init__(message)
        self.status, self.exception, self.code, self.message = status, exception, code, message


def invalid(message):
    return Refused(400, "ValidationException", "INVALID_REQUEST", message)


class Sessions:
    """Refresh tokens, what they are bound to, and every jti seen."""

    def __init__(self, expires_in):
        self.lock = threading.Lock()
        self.live = {}
        self.spent = set()
        self.jtis = set()
        self.expires_in = expires_in

    def register(self, path):
        with open(path) as f:
            token = json.load(f)
        key = serialization.load_pem_private_key(token["dpopKey"].encode(), None)
        self.live[token["refreshToken"]] = {
            "jwk": public_jwk(key),
            "clientId": token["clientId"],
            "accountId": token["accessToken"]["accountId"],
        }

    def refresh(self, body, proof, url):
        if not isinstance(body, dict):
            raise invalid("The request body is not a JSON object")
        client_id, grant, refresh = body.get("clientId"), body.get("grantType"), body.get("refreshToken")
        if client_id not in CLIENT_IDS:
            raise invalid("clientId is missing or not a client of this service")
        if grant != "refresh_token":
            raise invalid("grantType must be refresh_token")
        if not isinstance(refresh, str) or not 1 <= len(refresh) <= 2048:
            raise invalid("refreshToken is missing")
        jwk, claims = verify_proof(proof, url)
        with self.lock:
            if claims["jti"] in self.jtis:
                raise invalid("The DPoP proof's jti was used before")
            self.jtis.add(claims["jti"])
            if refresh in self.spent:
                raise Refused(400, "AccessDeniedException", "TOKEN_EXPIRED", "The refresh token was already used")
            session = self.live.get(refresh)
            if session is None:
                raise Refused(400, "AccessDeniedException", "TOKEN_EXPIRED", "The refresh token is not valid")
            if session["clientId"] != client_id:
                raise invalid("clientId does not match the refresh token")
            if session["jwk"] != jwk:
                raise invalid("The DPoP proof's key is not the key of the refresh token")
            del self.live[refresh]
            self.spent.add(refresh)
            new_refresh = "rt-" + secrets.token_urlsafe(48)
            self.live[new_refresh] = session
        return {
            "accessToken": new_credentials(),
            "tokenType": "aws_sigv4",
            "expiresIn": self.expires_in,
            "refreshToken": new_refresh,
        }, session["accountId"]


def verify_proof(proof, url):
    """The proof's key (x, y) and claims, once every check of RFC 9449 §4.3 passed."""
    if not proof:
        raise invalid("The DPoP header is missing")
    parts = proof.split(".")
    if len(parts) != 3:
        raise invalid("The DPoP proof is not a JWS")
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except ValueError:
        raise invalid("The DPoP proof is not a JWS")
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise invalid("The DPoP proof is not a JWS")
    if header.get("typ") != "dpop+jwt" or header.get("alg") != "ES256":
        raise invalid("The DPoP proof must be typ dpop+jwt with alg ES256")
    jwk = header.get("jwk")
    if not isinstance(jwk, dict) or jwk.get("kty") != "EC" or jwk.get("crv") != "P-256" or "d" in jwk:
        raise invalid("The DPoP proof's jwk must be a public P-256 key")
    try:
        x, y = b64url_decode(jwk["x"]), b64url_decode(jwk["y"])
        if len(x) != 32 or len(y) != 32:
            raise ValueError("coordinate length")
        public = ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
        ).public_key()
    except (KeyError, TypeError, ValueError):
        raise invalid("The DPoP proof's jwk is not a point of P-256")
    if len(signature) != 64:
        raise invalid("The DPoP proof's signature is not 64 bytes")
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        public.verify(der, f"{parts[0]}.{parts[1]}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise invalid("The DPoP proof's signature does not verify")
    if claims.get("htm") != "POST":
        raise invalid("The DPoP proof's htm is not POST")
    if claims.get("htu") != url:
        raise invalid(f"The DPoP proof's htu is not {url}")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise invalid("The DPoP proof has no jti")
    iat = claims.get("iat")
    if not isinstance(iat, int) or isinstance(iat, bool) or abs(time.time() - iat) > IAT_WINDOW:
        raise invalid("The DPoP proof's iat is not within a minute of now")
    return (jwk["x"], jwk["y"]), claims


def serve(args):
    sessions = Sessions(args.expires_in)
    for path in args.register:
        sessions.register(path)
    log_lock = threading.Lock()

    def log(entry):
        entry["at"] = time.time()
        with log_lock, open(args.log, "a") as f:
            f.write(json.dumps(entry) + "\n")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def send(self, status, body, headers=()):
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def refuse(self, refused, entry):
            entry.update(status=refused.status, error=refused.code, why=refused.message)
            log(entry)
            body = json.dumps({"error": refused.code, "message": refused.message}).encode()
            self.send(
                refused.status,
                body,
                [("Content-Type", "application/json"), ("x-amzn-errortype", refused.exception)],
            )

        def do_GET(self):
            log({"method": "GET", "path": self.path, "status": 404})
            self.send(404, b"")

        def do_POST(self):
            entry = {"method": "POST", "path": self.path}
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self.refuse(invalid("The request body is too large"), entry)
            raw = self.rfile.read(length)
            if self.path != "/v1/token":
                entry["status"] = 404
                log(entry)
                return self.send(404, b"")
            if args.answer in ("TOKEN_EXPIRED", "USER_CREDENTIALS_CHANGED", "INSUFFICIENT_PERMISSIONS"):
                return self.refuse(Refused(400, "AccessDeniedException", args.answer, "Refused as told"), entry)
            if args.answer == "hang":
                entry["status"] = "hang"
                log(entry)
                time.sleep(600)
                return
            if args.answer == "nonsense":
                entry["status"] = 200
                log(entry)
                return self.send(200, b"<html>not json</html>", [("Content-Type", "text/html")])
            if args.answer == "oversized":
                entry["status"] = 200
                log(entry)
                return self.send(200, b'{"accessToken":"' + b"A" * (16 << 20) + b'"}', [("Content-Type", "application/json")])
            try:
                if (self.headers.get("Content-Type") or "").split(";")[0].strip() != "application/json":
                    raise invalid("Content-Type must be application/json")
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise invalid("The request body is not JSON")
                url = f"http://{self.headers.get('Host')}{self.path}"
                answer, account = sessions.refresh(body, self.headers.get("DPoP"), url)
            except Refused as refused:
                return self.refuse(refused, entry)
            time.sleep(args.latency_ms / 1000)
            entry.update(status=200, account=account)
            log(entry)
            self.send(200, json.dumps(answer).encode(), [("Content-Type", "application/json")])

        def log_message(self, *_):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print("listening", flush=True)
    server.serve_forever()


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    new = commands.add_parser("newcache")
    new.add_argument("--dir", required=True)
    new.add_argument("--session", required=True)
    new.add_argument("--account", required=True)
    new.add_argument("--expires-in", type=int, required=True)
    new.add_argument("--client-id", default=CLIENT_IDS[0])
    run = commands.add_parser("serve")
    run.add_argument("--port", type=int, required=True)
    run.add_argument("--log", required=True)
    run.add_argument("--register", nargs="*", default=[])
    run.add_argument("--answer", default="ok")
    run.add_argument("--expires-in", type=int, default=900)
    run.add_argument("--latency-ms", type=int, default=0)
    args = parser.parse_args()
    {"newcache": newcache, "serve": serve}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
