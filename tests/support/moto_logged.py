"""moto's server with a request log, and optionally latency, for the tests and benchmarks.

Serves moto's own WSGI application (what `moto_server` serves) and appends one line per
request to --log: the API action, the region the request was signed for, the caller's
access key id, and the time it arrived. --latency-ms delays every answer, so that round
trips cost on loopback what they cost against AWS.

    python3 moto_logged.py --port 5000 --log requests.log [--latency-ms 50]
"""

import argparse
import io
import re
import threading
import time
import urllib.parse

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

SCOPE = re.compile(r"Credential=([^/]+)/\d+/([^/]+)/([^/]+)/")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--latency-ms", type=float, default=0)
    args = parser.parse_args()

    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def logged(environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        action = environ.get("HTTP_X_AMZ_TARGET", "").rsplit(".", 1)[-1]
        if not action:
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            action = form.get("Action", ["-"])[0]
        match = SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        key, region, service = match.groups() if match else ("-", "-", "-")
        with lock, open(args.log, "a") as log:
            log.write(f"{service} {action} {region} {key} {time.time():.3f}\n")
        if args.latency_ms:
            time.sleep(args.latency_ms / 1000)
        return app(environ, start_response)

    run_simple(args.host, args.port, logged, threaded=True)


if __name__ == "__main__":
    main()
