"""Times runas's credential endpoint from inside `runas -S` (bench/serve runs it).

    runas -S prod python3 bench/endpoint.py OUT_DIR

Writes OUT_DIR/serve-warm.ms (median of 2000 sequential requests, each on a new
connection, as SDKs make them), OUT_DIR/serve-warm-p99.ms, OUT_DIR/serve-concurrent
("OK/N": 200 requests started at once, each on its own connection, that came back 200 with
credentials), and OUT_DIR/serve-crowded.ms and serve-crowded-max.ms (median and slowest of
50 requests made while 1,000 connections that send nothing are held open).
"""

import http.client
import json
import os
import resource
import socket
import statistics
import sys
import threading
import time
import urllib.parse

out = sys.argv[1]
uri = urllib.parse.urlsplit(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]


def fetch():
    connection = http.client.HTTPConnection(uri.hostname, uri.port, timeout=10)
    try:
        connection.request("GET", uri.path, headers={"Authorization": token})
        response = connection.getresponse()
        body = response.read()
        return response.status == 200 and "SecretAccessKey" in json.loads(body)
    finally:
        connection.close()


def warm(n):
    fetch()  # the first request may refresh; the rest are warm
    times = []
    for _ in range(n):
        start = time.perf_counter()
        assert fetch(), "a warm request failed"
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99)]


def concurrent(n):
    barrier = threading.Barrier(n)
    results = [False] * n

    def one(i):
        barrier.wait()
        try:
            results[i] = fetch()
        except Exception as e:  # every failure counts, whatever its kind
            print(f"request {i}: {e}", file=sys.stderr)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(results)


def crowded(idle, n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, idle + 256)), hard))
    held = [socket.create_connection((uri.hostname, uri.port), timeout=5) for _ in range(idle)]
    times = []
    for _ in range(n):
        start = time.perf_counter()
        assert fetch(), "a request among idle connections failed"
        times.append((time.perf_counter() - start) * 1000)
    for s in held:
        s.close()
    return statistics.median(times), max(times)


median, p99 = warm(2000)
ok = concurrent(200)
crowded_median, crowded_max = crowded(1000, 50)
for name, value in (("serve-warm.ms", f"{median:.3f}"), ("serve-warm-p99.ms", f"{p99:.3f}"),
                    ("serve-concurrent", f"{ok}/200"), ("serve-crowded.ms", f"{crowded_median:.3f}"),
                    ("serve-crowded-max.ms", f"{crowded_max:.3f}")):
    with open(os.path.join(out, name), "w") as f:
        f.write(value + "\n")
print(f"warm request: median {median:.3f} ms, p99 {p99:.3f} ms; concurrent: {ok}/200 succeeded; "
      f"with 1000 idle connections: median {crowded_median:.3f} ms, max {crowded_max:.3f} ms")
