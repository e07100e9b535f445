"""Turns bench/run's measurements into the markdown table it prints."""

import json
import os
import platform
import sys
import time

out = sys.argv[1]


def median_ms(name):
    with open(os.path.join(out, f"{name}.json")) as f:
        return json.load(f)["results"][0]["median"] * 1000


def number(name):
    with open(os.path.join(out, name)) as f:
        return int(f.read().strip() or 0)


def ms(value):
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def verdict(ok):
    return "**met**" if ok else "**missed**"


cpu = "unknown CPU"
try:
    with open("/proc/cpuinfo") as f:
        cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
except (OSError, StopIteration):
    pass

true, warm = median_ms("true"), median_ms("warm")
awsume, awscli = median_ms("awsume"), median_ms("awscli")
cold1, cold3 = median_ms("cold1"), median_ms("cold3")
big_warm, big_list = median_ms("big-warm"), median_ms("big-list")
rss_kib = number("rss")

rows = []
rows.append(("1. warm `runas prod -- true`", ms(warm), f"bare `true` {ms(true)}: +{ms(warm - true)}",
             "≤ +3 ms over `true`", verdict(warm - true <= 3)))
rows.append(("1. warm vs `awsume prod --show-commands`", ms(awsume), f"runas {awsume / warm:.0f}× faster",
             "≥ 100× faster", verdict(awsume / warm >= 100)))
rows.append(("1. warm vs `aws sts get-caller-identity --profile prod`", ms(awscli), f"runas {awscli / warm:.0f}× faster",
             "—", "—"))
for name, label, hops in (("cold1", "2. cold: one AssumeRole (50 ms/answer)", 1),
                          ("cold3", "2. cold: three-hop chain (50 ms/answer)", 3)):
    requests = number(f"{name}.requests")
    rows.append((label, ms(median_ms(name)), f"{requests} STS request{'s' if requests != 1 else ''} per run",
                 f"exactly {hops} request{'s' if hops != 1 else ''}", verdict(requests == hops)))
for n, label, regions in (("one", "1 registry", 1), ("ten", "10 registries, 3 regions, 2 accounts", 3)):
    runas_ms, pipe_ms = median_ms(f"ecr-{n}"), median_ms(f"pipeline-{n}")
    calls, pipe_calls = number(f"ecr-{n}.requests"), number(f"pipeline-{n}.requests")
    spread = number(f"ecr-{n}.spread")
    rows.append((f"3. `runas ecr login`, {label}", ms(runas_ms),
                 f"{calls} GetAuthorizationToken, {spread} ms apart; pipeline loop {ms(pipe_ms)} "
                 f"({pipe_calls} calls): runas {pipe_ms / runas_ms:.1f}× faster",
                 f"{regions} call{'s' if regions != 1 else ''}, concurrent" + (", ≥ 10× faster" if n == "ten" else ""),
                 verdict(calls == regions and spread < 50 and (n == "one" or pipe_ms / runas_ms >= 10))))
rows.append(("4. warm `runas p9999 -- true`, 10,000 profiles", ms(big_warm), "", "< 10 ms", verdict(big_warm < 10)))
rows.append(("4. `runas list profiles`, 10,000 profiles", ms(big_list), "", "—", "—"))
serve_rows = []
if os.path.exists(os.path.join(out, "serve-warm.ms")):  # written by bench/serve
    def text(name):
        with open(os.path.join(out, name)) as f:
            return f.read().strip()
    serve_ms, serve_p99, concurrent = float(text("serve-warm.ms")), float(text("serve-warm-p99.ms")), text("serve-concurrent")
    serve_rows = [
        ("6. `runas -S`: warm endpoint request (new connection each)", f"{serve_ms:.2f} ms",
         f"p99 {serve_p99:.2f} ms", "< 2 ms", verdict(serve_ms < 2)),
        ("6. `runas -S`: 200 concurrent requests", concurrent, "", "all succeed", verdict(concurrent == "200/200")),
    ]
rows.append(("5. peak RSS, warm path", f"{rss_kib / 1024:.1f} MiB", "", "< 10 MiB", verdict(rss_kib < 10 * 1024)))
helper_warm, ecr_login_warm = median_ms("helper-warm"), median_ms("ecr-login-warm")
helper_cold, ecr_login_cold = median_ms("helper-cold"), median_ms("ecr-login-cold")
warm_calls = number("helper-warm.requests")
helper_rows = []
helper_rows.append(("7. warm `docker-credential-runas get`", ms(helper_warm),
             f"warm `docker-credential-ecr-login get` {ms(ecr_login_warm)}: runas {ecr_login_warm / helper_warm:.1f}× faster; "
             f"{warm_calls} ECR calls in 620 warm gets of both",
             "< 10 ms, no call", verdict(helper_warm < 10 and warm_calls == 0)))
helper_rows.append(("7. cold `docker-credential-runas get` (AssumeRole + token)", ms(helper_cold),
             f"`docker-credential-ecr-login get`, cache off (token only) {ms(ecr_login_cold)}", "—", "—"))

print(f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}.")
print("Medians of hyperfine runs; moto answers after 50 ms in rows 2 and 3, at once in row 7.\n")
print("| measurement | median | compared | target | |")
print("|---|---|---|---|---|")
for row in rows + serve_rows + helper_rows:
    print("| " + " | ".join(row) + " |")
