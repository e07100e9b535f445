"""A client of runas's credential endpoints, run by tests/serve.rs (usually as the child of
`runas -S`). One mode per argument; each prints KEY=value lines for the test to read.

    serve_client.py identity        # boto3: sts get-caller-identity, prints ARN=
    serve_client.py probe           # the ECS endpoint without, with a wrong and with the token
    serve_client.py rotate KEYS CALLS  # boto3 calls until it has seen KEYS access keys and
                                       # made CALLS calls (at most 60 s); prints KEYS=,
                                       # CALLS=, ERRORS=
    serve_client.py sleep           # prints READY, then waits for SIGTERM; exits 42 on it
    serve_client.py quick           # one request with the token; prints ELAPSED= (ms) and KEY=
    serve_client.py until-new KEY   # requests until the key is not KEY (at most 20 s); then
                                    # prints as quick does
"""

import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request

INSTALL = "python3 -m pip install --quiet boto3 awscli"


def boto3_session():
    try:
        import boto3
    except ImportError:
        print(f"boto3 is missing; install it with: {INSTALL}", file=sys.stderr)
        sys.exit(99)
    return boto3.Session()


def get(url, headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def probe():
    url = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
    token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
    print(f"URI={url}")
    for name, headers in [
        ("NONE", {}),
        ("WRONG", {"Authorization": "0" * len(token)}),
        ("RIGHT", {"Authorization": token}),
    ]:
        status, body = get(url, headers)
        print(f"{name}={status} {body}")
    sys.stdout.flush()


def rotate(wanted_keys, wanted_calls):
    session = boto3_session()
    sts = session.client("sts")
    keys, calls, errors = set(), 0, 0
    end = time.time() + 60
    while time.time() < end and (len(keys) < wanted_keys or calls < wanted_calls):
        try:
            keys.add(session.get_credentials().get_frozen_credentials().access_key)
            sts.get_caller_identity()
            calls += 1
        except Exception as e:  # every failure counts, whatever its kind
            errors += 1
            print(f"ERROR={e}", file=sys.stderr)
        time.sleep(0.1)
    print(f"KEYS={len(keys)}\nCALLS={calls}\nERRORS={errors}")


def ask():
    url = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
    token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
    start = time.monotonic()
    status, body = get(url, {"Authorization": token})
    elapsed = int((time.monotonic() - start) * 1000)
    key = json.loads(body).get("AccessKeyId", "") if status == 200 else ""
    return f"ELAPSED={elapsed} STATUS={status} KEY={key}", key


def quick():
    print(ask()[0], flush=True)


def until_new(old):
    end = time.time() + 20
    line, key = ask()
    while key == old and time.time() < end:
        time.sleep(0.1)
        line, key = ask()
    print(line, flush=True)


def sleep():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(42))
    print("READY", flush=True)
    time.sleep(60)
    sys.exit(1)


def main():
    mode = sys.argv[1]
    if mode == "identity":
        arn = boto3_session().client("sts").get_caller_identity()["Arn"]
        print(f"ARN={arn}")
    elif mode == "probe":
        probe()
    elif mode == "rotate":
        rotate(int(sys.argv[2]), int(sys.argv[3]))
    elif mode == "sleep":
        sleep()
    elif mode == "quick":
        quick()
    elif mode == "until-new":
        until_new(sys.argv[2])
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
