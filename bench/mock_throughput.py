"""Mock throughput: small uploads per second, then GET file per second, 16 concurrent clients, on loopback.

The mock runs in its own process (`python -m ingest_conformance mock --quiet`, store cap raised so nothing
uploaded is evicted). The load generator is wrk (Debian package `wrk`: `apt-get install wrk`): written in C,
it needs a fraction of a core for 16 connections, where a Python generator would take a core of its own
from the mock (the two share the machine's 2 cores either way; the table shows both processes' CPU seconds).
1. POST /v1/ingest/uploads for `--seconds`: one fixed multipart body holding a small valid PNG and an info
   part; a Lua hook writes every status and returned file id.
2. the mock's background processing is let finish (bounded), then GET /v1/ingest/files/{id} for `--seconds`,
   cycling over every returned id; a Lua hook writes every status and the id in the answer.
3. every id the GET phase did not read back with 200 is read once more here: a file still unreadable is lost.
Targets: >= 1,500 requests/s in each phase, no 5xx, no socket error, no lost file. Exits 1 on a miss
(`--report-only`: never).

    .venv/bin/python bench/mock_throughput.py [--seconds 10] [--connections 16] [--mock-arg=--workers=2]
        [--report-only]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil
from mock_oversize import PeakRss  # bench/ is on sys.path when run as a script

from ingest_conformance.mock.process import MockProcess
from ingest_conformance.strategies import MultipartBody, Part, SampleFilename, _images

KEY = "mock-api-key-a"
TARGET_RPS = 1500.0

SETUP_LUA = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
"""

POST_LUA = (
    SETUP_LUA
    + """
local out
function init(args)
  local f = io.open(args[1], "rb"); wrk.body = f:read("*a"); f:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = args[2]
  wrk.headers["x-api-key"] = args[3]
  out = io.open(args[4] .. "." .. tostring(tid), "w"); out:setvbuf("line")
end
function response(status, headers, body)
  out:write(status, " ", string.match(body, '"files":%[{"id":"(%x+)"') or "-", "\\n")
end
"""
)

GET_LUA = (
    SETUP_LUA
    + """
local out, ids, i = nil, {}, 0
function init(args)
  for line in io.lines(args[1]) do ids[#ids + 1] = line end
  wrk.headers["x-api-key"] = args[2]
  out = io.open(args[3] .. "." .. tostring(tid), "w"); out:setvbuf("line")
end
function request()
  i = i % #ids + 1
  return wrk.format("GET", "/v1/ingest/files/" .. ids[i])
end
function response(status, headers, body)
  out:write(status, " ", string.match(body, '"id":"(%x+)"') or "-", "\\n")
end
"""
)


def wrk(url: str, script: Path, args: list[str], seconds: int, connections: int) -> tuple[str, float]:
    """Run wrk (one thread: the generator's CPU stays small); its output and its CPU seconds."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url, "--", *args]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, _, usage = os.wait4(proc.pid, 0)
    return output, usage.ru_utime + usage.ru_stime


def lines(prefix: Path) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for path in prefix.parent.glob(prefix.name + ".*"):
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            status, _, ident = line.partition(" ")
            out.append((int(status), ident))
    return out


def wait_idle(pid: int, limit_s: float = 120.0) -> float:
    """Wait until the mock's background work is done (under 5% CPU for a second); the seconds waited."""
    process = psutil.Process(pid)
    started = time.monotonic()
    process.cpu_percent(None)
    while time.monotonic() - started < limit_s:
        if process.cpu_percent(interval=1.0) < 5.0:
            break
    return time.monotonic() - started


def phase_row(
    name: str, output: str, results: list[tuple[int, str]], seconds: int, gen_cpu: float, mock_cpu: float
) -> tuple[str, bool]:
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    socket_errors = sum(int(n) for n in errors.groups()) if errors else 0
    p99 = re.search(r"\s99%\s+(\S+)", output)
    rps = len(results) / seconds
    statuses = Counter(status for status, _ in results)
    fives = sum(n for status, n in statuses.items() if status >= 500)
    ok = rps >= TARGET_RPS and fives == 0 and socket_errors == 0
    shown = " ".join(f"{status}x{n}" for status, n in sorted(statuses.items()))
    return (
        f"{name:<11} {len(results):>8} {rps:>8.0f} {p99.group(1) if p99 else '-':>8} {fives:>4} "
        f"{socket_errors:>6} {gen_cpu:>7.1f} {mock_cpu:>7.1f}  {shown}  {'ok' if ok else 'MISSED'}"
    ), ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="duration of each phase (default: %(default)s)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients (default: %(default)s)")
    parser.add_argument(
        "--mock-arg", action="append", default=[], metavar="ARG", help="one extra argument for the mock (repeatable)"
    )
    parser.add_argument("--report-only", action="store_true", help="print figures; never fail on a target")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    proc = MockProcess(["--max-stored-imports", "10000000", *args.mock_arg])
    base_url = proc.base_url
    mock = psutil.Process(proc.pid)
    body = MultipartBody(
        [
            Part(
                "files", _images.render_png((17, 13), "RGB", "0" * 16), SampleFilename.plain("bench.png"), "image/png"
            ),
            Part.json("info", {"clientData": {"bench": "throughput"}}),
        ]
    )
    ok_all = True
    try:
        with tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp_name, PeakRss(proc.pid) as rss:
            tmp = Path(tmp_name)
            (tmp / "body").write_bytes(body.to_bytes())
            (tmp / "post.lua").write_text(POST_LUA)
            (tmp / "get.lua").write_text(GET_LUA)
            print(
                f"mock {base_url} pid {proc.pid}; wrk -t1 -c{args.connections} -d{args.seconds}s; "
                f"upload body {len(body.to_bytes())} bytes (one {body.parts[0].source.size}-byte PNG + info)"
            )
            print(
                f"{'phase':<11} {'requests':>8} {'req/s':>8} {'p99':>8} {'5xx':>4} {'sockerr':>6} {'gen CPU':>7} "
                f"{'mock CPU':>7}  statuses  verdict"
            )
            cpu0 = mock.cpu_times()
            output, gen_cpu = wrk(
                base_url + "/v1/ingest/uploads",
                tmp / "post.lua",
                [str(tmp / "body"), body.content_type, KEY, str(tmp / "out-post")],
                args.seconds,
                args.connections,
            )
            cpu1 = mock.cpu_times()
            posted = lines(tmp / "out-post")
            row, ok = phase_row(
                "POST upload", output, posted, args.seconds, gen_cpu, cpu1.user + cpu1.system - cpu0.user - cpu0.system
            )
            print(row)
            ok_all &= ok
            ids = [ident for status, ident in posted if status in (200, 201) and ident != "-"]
            waited = wait_idle(proc.pid)
            (tmp / "ids").write_text("\n".join(ids) + "\n")
            cpu0 = mock.cpu_times()
            output, gen_cpu = wrk(
                base_url + "/v1/ingest/files/x",
                tmp / "get.lua",
                [str(tmp / "ids"), KEY, str(tmp / "out-get")],
                args.seconds,
                args.connections,
            )
            cpu1 = mock.cpu_times()
            got = lines(tmp / "out-get")
            row, ok = phase_row(
                "GET file", output, got, args.seconds, gen_cpu, cpu1.user + cpu1.system - cpu0.user - cpu0.system
            )
            print(row)
            ok_all &= ok
            unconfirmed = set(ids) - {ident for status, ident in got if status == 200}
            lost = []
            with httpx.Client(base_url=base_url, headers={"x-api-key": KEY}, timeout=10) as client:
                for ident in sorted(unconfirmed):
                    if client.get(f"/v1/ingest/files/{ident}").status_code != 200:
                        lost.append(ident)
            ok_all &= not lost and len(set(ids)) == len(ids)
            print(
                f"ids returned {len(ids)} (distinct {len(set(ids))}); read back 200 during GET phase "
                f"{len(ids) - len(unconfirmed)}, afterwards {len(unconfirmed) - len(lost)}; lost {len(lost)}; "
                f"background backlog drained in {waited:.1f} s; mock peak RSS {rss.peak / 1e6:.0f} MB"
            )
    finally:
        proc.stop()
    print(
        f"target: >= {TARGET_RPS:.0f} req/s per phase, no 5xx, no socket error, no lost file: "
        f"{'ok' if ok_all else 'MISSED'}"
    )
    return 0 if ok_all or args.report_only else 1


if __name__ == "__main__":
    sys.exit(main())
