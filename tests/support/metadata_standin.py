"""A stand-in for the EC2 instance metadata service (IMDSv2), the ECS container
credentials endpoint and the SSO portal's GetRoleCredentials, which no local server plays. Both hand out the same key pair, valid
for an hour (/ecs-broken: a document cut short after the secret); every request is logged
to --log.

    python3 metadata_standin.py --port 5002 --key AKIA... --secret ... --log requests.log
"""

import argparse
import datetime
import json
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "imds-session-token"
ROLE = "instance-role"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()

    def credentials():
        expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
        return {
            "Code": "Success",
            "Type": "AWS-HMAC",
            "AccessKeyId": args.key,
            "SecretAccessKey": args.secret,
            # Instance and task credentials are always a session: a token comes with them.
            "Token": "IQoJb3JpZ2luX2VjEJr" + "x" * 40,
            "Expiration": expiry.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "LastUpdated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    class Handler(BaseHTTPRequestHandler):
        def answer(self, status, body, content_type="text/plain", headers=()):
            data = body.encode()
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log(self):
            with open(args.log, "a") as log:
                log.write(f"{self.command} {self.path}\n")

        def do_PUT(self):
            self.log()
            if self.path == "/latest/api/token":
                self.answer(200, TOKEN, headers=[("x-aws-ec2-metadata-token-ttl-seconds", "21600")])
            else:
                self.answer(404, "")

        def do_GET(self):
            self.log()
            if self.path == "/ecs-credentials":
                self.answer(200, json.dumps(credentials()), "application/json")
                return
            if self.path.startswith("/federation/credentials"):
                query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                if self.headers.get("x-amz-sso_bearer_token") != "sso-access-token":
                    self.answer(401, json.dumps({"message": "Session token not found or invalid"}), "application/json")
                    return
                body = {"roleCredentials": {"accessKeyId": args.key, "secretAccessKey": args.secret,
                                            "sessionToken": f"sso-{query['account_id'][0]}-{query['role_name'][0]}",
                                            "expiration": int((time.time() + 3600) * 1000)}}
                self.answer(200, json.dumps(body), "application/json")
                return
            if self.path == "/ecs-broken":
                # Cut off mid-document, the secret already sent.
                self.answer(200, json.dumps(credentials())[:-40], "application/json")
                return
            if self.headers.get("x-aws-ec2-metadata-token") != TOKEN:
                self.answer(401, "")
            elif self.path == "/latest/meta-data/iam/security-credentials/":
                self.answer(200, ROLE)
            elif self.path == f"/latest/meta-data/iam/security-credentials/{ROLE}":
                self.answer(200, json.dumps(credentials()), "application/json")
            else:
                self.answer(404, "")

        def log_message(self, *_):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("listening", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
