"""moto's server behind the strict STS layer, with a request log and optional latency.

Serves moto's own WSGI application (what `moto_server` serves) behind `strict_sts.StrictSts`,
which refuses what real STS refuses (--lenient turns it off, to show what moto alone does).
Appends one JSON line per request to --log: the service and API action, the region the
request was signed for, the caller's access key id, whether it was signed with session
credentials, the STS parameters that matter (duration, session name, role, MFA serial and
code: test values only), the HTTP status of the answer and when it arrived. --latency-ms
delays every answer, so that round trips cost on loopback what they cost against AWS.

    python3 moto_logged.py --port 5000 --log requests.log [--latency-ms 50] [--lenient]
"""

import argparse
import io
import json
import os
import sys
import re
import threading
import time
import urllib.parse

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strict_sts import StrictSts, parse_form  # noqa: E402

SCOPE = re.compile(r"Credential=([^/]+)/\d+/([^/]+)/([^/]+)/")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--lenient", action="store_true")
    args = parser.parse_args()
    run_simple(args.host, args.port, logged_app(args.log, args.latency_ms, args.lenient), threaded=True)


def logged_app(log_path, latency_ms=0, lenient=False):
    """moto's WSGI application, behind the strict layer unless `lenient`, logging to `log_path`."""
    app = DomainDispatcherApplication(create_backend_app)
    if not lenient:
        app = StrictSts(app)
    lock = threading.Lock()

    def logged(environ, start_response):
        arrived = time.time()
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        form = parse_form(body)
        action = environ.get("HTTP_X_AMZ_TARGET", "").rsplit(".", 1)[-1]
        if not action:
            action = form.get("Action", "-")
        else:
            form = {}
        if "Action" in form:
            environ["runas.form"] = form
        match = SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        key, region, service = match.groups() if match else ("-", "-", "-")
        status = []

        def recording(code, headers, exc_info=None):
            status.append(int(code.split(" ", 1)[0]))
            return start_response(code, headers, exc_info)

        if latency_ms:
            time.sleep(latency_ms / 1000)
        answer = app(environ, recording)
        record = {
            "service": service,
            "action": action,
            "region": region,
            "key": key,
            "session": "HTTP_X_AMZ_SECURITY_TOKEN" in environ,
            "duration": form.get("DurationSeconds"),
            "session_name": form.get("RoleSessionName"),
            "role": form.get("RoleArn"),
            "serial": form.get("SerialNumber"),
            "code": form.get("TokenCode"),
            "status": status[0] if status else 0,
            "at": round(arrived, 3),
        }
        with lock, open(log_path, "a") as log:
            log.write(json.dumps(record) + "\n")
        return answer

    return logged


if __name__ == "__main__":
    main()
