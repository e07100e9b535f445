"""Starts moto servers (moto_logged.py's, behind the strict STS layer) in milliseconds.

Importing moto takes a second or more of CPU, and a test suite starts dozens of servers.
This process imports it once, then forks one fresh server per request: a child of a
process that never served anything has moto's state empty, as a new server would. It
reads one request per line on stdin and answers each on stdout:

    start PORT LATENCY_MS MODE DIR  ->  ready PID    (listening when the answer comes; the
                                                      request log is DIR/requests.log)
    stop PID                        ->  stopped PID  (the server is gone, and its DIR)

MODE is `strict` (behind the strict STS layer, standing for AWS) or `lenient` (moto alone,
standing for an STS-compatible service such as LocalStack or MinIO).

When stdin closes (the tests ended, however they ended) it stops every server it started,
removes their directories and exits. A server also dies with this process
(PR_SET_PDEATHSIG), so that none outlives it.
"""

import ctypes
import os
import shutil
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moto_logged  # noqa: E402  (imports moto's server)

# The services the tests call, imported here once rather than on each server's first request.
import moto.ecr.urls  # noqa: E402,F401
import moto.iam.urls  # noqa: E402,F401
import moto.sts.urls  # noqa: E402,F401
from werkzeug.serving import make_server  # noqa: E402

# What each server's first STS or ECR request would load, loaded here once: the service's
# botocore model (which moto caches; 50 ms or more of CPU per server otherwise) and its
# response module. Neither holds anything of a server's state.
import moto.ecr.responses  # noqa: E402,F401
import moto.sts.responses  # noqa: E402,F401
from moto.core.utils import get_service_model  # noqa: E402

for service in ("sts", "ecr"):
    get_service_model(service)

PR_SET_PDEATHSIG = 1


def serve(port, latency_ms, lenient, directory, ready):
    """The child: listen, say so on `ready`, serve until killed."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    server = make_server("127.0.0.1", port, moto_logged.logged_app(os.path.join(directory, "requests.log"), latency_ms, lenient), threaded=True)
    os.write(ready, b"ready")
    os.close(ready)
    server.serve_forever()


def stop(pid, servers):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    directory = servers.pop(pid, None)
    if directory:
        shutil.rmtree(directory, ignore_errors=True)


def main():
    # The signals that end the tests are for the tests: this process lives to clean up.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(sig, signal.SIG_IGN)
    servers = {}
    for line in sys.stdin:
        words = line.rstrip("\n").split(" ", 4)
        if words[0] == "start" and len(words) == 5 and words[3] in ("strict", "lenient"):
            port, latency_ms, directory = int(words[1]), float(words[2]), words[4]
            lenient = words[3] == "lenient"
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(read)
                try:
                    serve(port, latency_ms, lenient, directory, write)
                finally:
                    os._exit(1)
            os.close(write)
            said = os.read(read, 16)
            os.close(read)
            if said == b"ready":
                servers[pid] = directory
                print(f"ready {pid}", flush=True)
            else:
                os.waitpid(pid, 0)
                print(f"failed to listen on 127.0.0.1:{port}", flush=True)
        elif words[0] == "stop" and len(words) == 2:
            pid = int(words[1])
            stop(pid, servers)
            print(f"stopped {pid}", flush=True)
        else:
            print(f"unknown request: {line.strip()}", flush=True)
    for pid in list(servers):
        stop(pid, servers)


if __name__ == "__main__":
    main()
