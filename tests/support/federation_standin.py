"""A stand-in for the AWS console federation endpoint (signin.aws.amazon.com/federation),
which no local server plays. It checks requests as AWS does and logs each one to --log
as a JSON line:

- getSigninToken: POST, form-encoded; Session a JSON document of exactly sessionId,
  sessionKey and sessionToken, all non-empty (AWS refuses long-term keys, which have no
  token);
  SessionDuration, when sent, a whole number of seconds from 900 to 43200. When --sts is
  given, the keys must be ones that STS there knows: GetCallerIdentity with them (by
  botocore) must succeed, and the caller's ARN is logged. Answers {"SigninToken": ...}.
- login: GET with Action=login, Issuer, Destination and SigninToken; each token signs in
  once (302 to Destination), a second use is refused (400).
- oauth?Action=logout: 302 to redirect_uri.

    python3 federation_standin.py --port 5003 --log requests.log [--sts http://127.0.0.1:5000]
"""

import argparse
import json
import secrets
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SESSION_KEYS = {"sessionId", "sessionKey", "sessionToken"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--sts")
    args = parser.parse_args()
    tokens = {}
    lock = threading.Lock()

    def caller(session):
        if not args.sts:
            return None
        import botocore.session

        client = botocore.session.Session().create_client(
            "sts",
            region_name="us-east-1",
            endpoint_url=args.sts,
            aws_access_key_id=session["sessionId"],
            aws_secret_access_key=session["sessionKey"],
            aws_session_token=session["sessionToken"],
        )
        return client.get_caller_identity()["Arn"]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_):
            pass

        def answer(self, status, body=b"", headers=()):
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def refuse(self, entry, why):
            entry["refused"] = why
            self.record(entry)
            self.answer(400, json.dumps({"error": why}).encode())

        def record(self, entry):
            with lock, open(args.log, "a") as log:
                log.write(json.dumps(entry) + "\n")

        def do_POST(self):
            url = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length", "0"))
            form = urllib.parse.parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            entry = {"method": "POST", "path": url.path, "query": url.query, "form": sorted(form)}
            if url.path != "/federation":
                return self.refuse(entry, "not the federation endpoint")
            if url.query:
                return self.refuse(entry, "parameters in the URL")
            if self.headers.get("Content-Type", "").split(";")[0] != "application/x-www-form-urlencoded":
                return self.refuse(entry, "not a form")
            if form.get("Action") != ["getSigninToken"]:
                return self.refuse(entry, "Action is not getSigninToken")
            try:
                session = json.loads(form["Session"][0])
            except (KeyError, ValueError):
                return self.refuse(entry, "no Session document")
            entry["session"] = session
            if not isinstance(session, dict) or set(session) != SESSION_KEYS:
                return self.refuse(entry, "the Session document's keys are not the three STS issues")
            if not all(isinstance(v, str) and v for v in session.values()):
                # Long-term keys have no token. (AWS also tells them by their AKIA prefix,
                # but moto hands out AKIA ids for temporary credentials too.)
                return self.refuse(entry, "long-term keys cannot sign in to the console")
            if "SessionDuration" in form:
                duration = form["SessionDuration"][0]
                entry["SessionDuration"] = duration
                if not duration.isdigit() or not 900 <= int(duration) <= 43200:
                    return self.refuse(entry, "SessionDuration out of range")
            try:
                entry["caller"] = caller(session)
            except Exception as error:  # what STS said, for the test's message
                return self.refuse(entry, f"STS does not know these keys: {error}")
            token = secrets.token_urlsafe(48)
            with lock:
                tokens[token] = False
            self.record(entry)
            self.answer(200, json.dumps({"SigninToken": token}).encode(),
                        [("Content-Type", "application/json")])

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(url.query)
            entry = {"method": "GET", "path": url.path, "params": sorted(query)}
            if url.path == "/oauth" and query.get("Action") == ["logout"]:
                entry["redirect_uri"] = query.get("redirect_uri", [""])[0]
                self.record(entry)
                return self.answer(302, headers=[("Location", entry["redirect_uri"])])
            if url.path != "/federation" or query.get("Action") != ["login"]:
                return self.refuse(entry, "not a login")
            if "Session" in query:
                return self.refuse(entry, "a session document in a URL")
            for name in ("Issuer", "Destination", "SigninToken"):
                if len(query.get(name, [])) != 1:
                    return self.refuse(entry, f"no {name}")
            entry["Destination"] = query["Destination"][0]
            token = query["SigninToken"][0]
            with lock:
                known, used = token in tokens, tokens.get(token)
                if known:
                    tokens[token] = True
            if not known:
                return self.refuse(entry, "unknown sign-in token")
            if used:
                return self.refuse(entry, "sign-in token already used")
            self.record(entry)
            self.answer(302, headers=[("Location", entry["Destination"])])

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("listening", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
