"""moto's ECR for the credential-helper benchmark, on two listeners of one server state.

`docker-credential-ecr-login` has no endpoint setting (it ignores AWS_ENDPOINT_URL), so it
is given what it expects: https://api.ecr.REGION.amazonaws.com, which the benchmark's
namespace maps to 127.0.0.1, served here on port 443 with a certificate from a CA the
benchmark makes (ecr-login trusts it through AWS_CA_BUNDLE). runas reaches the same moto over plain HTTP on --port.

moto dates every token 2015-01-01, which would make any token cache miss; here the
answer's expiresAt is moved to 12 hours from now, as ECR's own would be. Each request's
action and signing key go to --log.

    python3 bench/ecr_api.py --port 5001 --cert cert.pem --key key.pem --log ecr.log
"""

import argparse
import io
import json
import re
import threading
import time

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

SCOPE = re.compile(r"Credential=([^/]+)/\d+/([^/]+)/([^/]+)/")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def served(environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        action = environ.get("HTTP_X_AMZ_TARGET", "-").rsplit(".", 1)[-1]
        match = SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        with lock, open(args.log, "a") as log:
            log.write(f"{action} {match.group(1) if match else '-'} {time.time():.3f}\n")
        status = {}

        def capture(s, headers, exc_info=None):
            status["line"], status["headers"] = s, headers
            return lambda _: None

        answer = b"".join(app(environ, capture))
        if action == "GetAuthorizationToken" and status["line"].startswith("200"):
            data = json.loads(answer)
            for entry in data.get("authorizationData", []):
                entry["expiresAt"] = time.time() + 12 * 3600
            answer = json.dumps(data).encode()
        headers = [(k, v) for k, v in status["headers"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(answer))))
        start_response(status["line"], headers)
        return [answer]

    tls = make_server("127.0.0.1", 443, served, threaded=True, ssl_context=(args.cert, args.key))
    threading.Thread(target=tls.serve_forever, daemon=True).start()
    make_server("127.0.0.1", args.port, served, threaded=True).serve_forever()


if __name__ == "__main__":
    main()
