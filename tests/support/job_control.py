"""Ctrl-Z and fg as a person types them, for tests/serve.rs: an interactive bash on a
pseudo-terminal runs COMMAND (which must print `CHILD=<pid> PARENT=<pid>` first), then
gets Ctrl-Z, `fg` and Ctrl-C. Prints one line per step with the state letters of both
processes (T: stopped), waiting for each change rather than for a fixed time.

    job_control.py COMMAND
"""

import os
import pty
import re
import select
import sys
import time


def state(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def main():
    command = sys.argv[1]
    pid, fd = pty.fork()
    if pid == 0:
        env = dict(os.environ, PS1="$ ", HISTFILE="/dev/null")
        os.execvpe("bash", ["bash", "--norc", "--noprofile", "-i"], env)
    seen = ""

    def read_until(pattern, limit=20):
        nonlocal seen
        end = time.time() + limit
        while time.time() < end:
            match = re.search(pattern, seen)
            if match:
                return match
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    seen += os.read(fd, 4096).decode(errors="replace")
                except OSError:
                    break
        sys.exit(f"no {pattern!r} in:\n{seen}")

    def until(pids, wanted, limit=10):
        end = time.time() + limit
        while time.time() < end and not all(wanted(state(p)) for p in pids):
            time.sleep(0.02)
        return " ".join(state(p) for p in pids)

    os.write(fd, command.encode() + b"\n")
    match = read_until(r"CHILD=(\d+) PARENT=(\d+)")
    pids = match.groups()
    os.write(fd, b"\x1a")
    read_until(r"Stopped")
    print(f"STOPPED={until(pids, lambda s: s == 'T')}", flush=True)
    os.write(fd, b"fg\n")
    print(f"RESUMED={until(pids, lambda s: s != 'T')}", flush=True)
    os.write(fd, b"\x03")
    print(f"INTERRUPTED={until(pids, lambda s: s in ('gone', 'Z'))}", flush=True)
    os.write(fd, b"exit\n")
    os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
