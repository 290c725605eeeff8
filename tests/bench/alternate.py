#!/usr/bin/env python3
"""Runs load generators against one target in alternating rounds and prints ratios.

  alternate.py --rounds N --target-pid PID \
      --tool NAME PARSER CMD [--tool NAME PARSER CMD ...]

CMD is one shell command line. Each round runs every tool once, in the given order on
even rounds and reversed on odd ones, so drift of a shared machine (another process, CPU
frequency, the target's GC pacing) does not favour whichever tool runs first. For each run
it records the successful requests per second as the tool reports them (PARSER reads the
tool's output), the tool's CPU time per request and peak RSS (under /usr/bin/time; prefix
CMD with `exec` so that the shell is replaced by the tool) and the target's CPU per request
(PID's utime+stime from /proc over the run): a generator that makes the target work
harder per request shows there.

The first tool is the one compared: per round, the ratio of its rate to every other
tool's, then the median of the rounds' ratios (with min..max), the median CPU per request
of each, and the ratios of those medians.

PARSER is one of
  leakgate          `leakgate load --json` on stdout (ok, rps)
  leakgate-run:DIR  `leakgate run --out DIR`: DIR/result.json, phases[0] ok over DURATION
                    (--duration, seconds)
  wrk               wrk's text output
  h2load            h2load's text output
  ghz               `ghz --format json` on stdout
  vegeta            `vegeta report -type=json` on stdout
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def target_cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def parse(parser, out, duration):
    """(successful requests, requests per second) from a tool's output."""
    if parser == "leakgate":
        j = json.loads(out)
        return j["ok"], float(j["rps"])
    if parser.startswith("leakgate-run:"):
        j = json.load(open(os.path.join(parser.split(":", 1)[1], "result.json")))
        ok = j["phases"][0]["ok"]
        return ok, ok / duration
    if parser == "wrk":
        total = int(re.search(r"(\d+) requests in", out).group(1))
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        ok = total - (int(non2xx.group(1)) if non2xx else 0)
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # over wrk's own elapsed time
        return ok, rps * ok / max(total, 1)
    if parser == "h2load":
        ok = int(re.search(r"requests: .*? (\d+) succeeded", out).group(1))
        secs = float(re.search(r"finished in ([\d.]+)s", out).group(1))
        return ok, ok / secs
    if parser == "vegeta":
        j = json.loads(out)
        ok = round(j["requests"] * j["success"])
        return ok, float(j["throughput"])
    if parser == "ghz":
        j = json.loads(out)
        ok = j.get("statusCodeDistribution", {}).get("OK", 0)
        return ok, ok / (j["total"] / 1e9)
    raise SystemExit(f"unknown parser {parser}")


def run(tool, pid, duration):
    name, parser, cmd = tool
    if parser.startswith("leakgate-run:"):
        shutil.rmtree(parser.split(":", 1)[1], ignore_errors=True)
    t0 = target_cpu(pid)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err, \
            tempfile.NamedTemporaryFile("r") as rss:
        # /usr/bin/time reports the tool's peak RSS (its own rusage would carry the forked
        # Python's); its CPU, waited for, is in /usr/bin/time's rusage.
        p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss.name, "sh", "-c", cmd], stdout=out, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)  # its rusage (and of the children it waited for)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
        rss_kib = int(rss.read().split()[-1])
    t1 = target_cpu(pid)
    cpu = usage.ru_utime + usage.ru_stime
    try:
        ok, rate = parse(parser, stdout, duration)
    except Exception as e:  # a tool that failed: show why
        raise SystemExit(f"{name}: cannot read its result ({e}); exit {p.returncode}\n{stdout[-2000:]}\n{stderr[-2000:]}")
    ok = max(ok, 1)
    return {"rate": rate, "cpu_us": cpu * 1e6 / ok, "target_us": (t1 - t0) * 1e6 / ok, "rss_kib": rss_kib}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--target-pid", type=int, required=True)
    ap.add_argument("--duration", type=float, default=0, help="seconds, for leakgate-run:DIR")
    ap.add_argument("--pause", type=float, default=0.5, help="seconds between runs")
    ap.add_argument("--tool", nargs=3, action="append", metavar=("NAME", "PARSER", "CMD"), required=True)
    a = ap.parse_args()
    names = [t[0] for t in a.tool]
    results = {n: [] for n in names}
    for r in range(a.rounds):
        order = a.tool if r % 2 == 0 else list(reversed(a.tool))
        for tool in order:
            results[tool[0]].append(run(tool, a.target_pid, a.duration))
            time.sleep(a.pause)
        first = results[names[0]][-1]["rate"]
        line = "  ".join(f"{n} {results[n][-1]['rate']:.0f}/s" for n in names)
        ratios = "  ".join(f"{names[0]}/{n} {first / results[n][-1]['rate']:.2f}x" for n in names[1:])
        print(f"round {r + 1}: {line}   {ratios}", flush=True)
    keys = ("rate", "cpu_us", "target_us", "rss_kib")
    med = {n: {k: statistics.median(x[k] for x in results[n]) for k in keys} for n in names}
    print(f"\n{'tool':<16} {'req/s (median)':>15} {'CPU µs/req':>11} {'target CPU µs/req':>18} {'peak RSS KiB':>13}")
    for n in names:
        m = med[n]
        print(f"{n:<16} {m['rate']:>15.0f} {m['cpu_us']:>11.2f} {m['target_us']:>18.2f} {m['rss_kib']:>13.0f}")
    print()
    for n in names[1:]:
        per_round = [x["rate"] / y["rate"] for x, y in zip(results[names[0]], results[n])]
        print(f"{names[0]}/{n}: req/s {statistics.median(per_round):.2f}x (rounds {min(per_round):.2f}..{max(per_round):.2f}), "
              f"CPU/req {med[names[0]]['cpu_us'] / med[n]['cpu_us']:.2f}x, "
              f"target CPU/req {med[names[0]]['target_us'] / med[n]['target_us']:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
