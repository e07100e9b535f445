"""A stand-in for the ECR Public API, which moto does not serve.

Answers GetAuthorizationToken with a token for user AWS and --password, valid for 12
hours, and logs each request's target and signing region to --log.

    python3 ecr_public_standin.py --port 5001 --password PW --log requests.log
"""

import argparse
import base64
import json
import re
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            target = self.headers.get("X-Amz-Target", "")
            scope = re.search(r"Credential=[^/]+/\d+/([^/]+)/([^/]+)/", self.headers.get("Authorization", ""))
            with open(args.log, "a") as log:
                log.write(f"{target} {scope.group(1) if scope else '-'} {scope.group(2) if scope else '-'}\n")
            if not target.endswith(".GetAuthorizationToken"):
                self.send_response(400)
                self.end_headers()
                return
            token = base64.b64encode(f"AWS:{args.password}".encode()).decode()
            body = json.dumps({"authorizationData": {"authorizationToken": token, "expiresAt": time.time() + 12 * 3600}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("listening", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
