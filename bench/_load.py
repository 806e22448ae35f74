"""What the benchmarks share: the gateway's rate limits raised out of the way, percentiles, and the request
rate of GETs with C connections for S seconds, from wrk when it is installed (`apt-get install wrk`), else from
an asyncio + httpx load generator in a process of its own (this file, run as a script):

    python bench/_load.py URL PATHS_FILE HEADERS_JSON CONNECTIONS SECONDS    prints requests/s
"""

import asyncio
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

# The gateway's limits, out of the benchmark's way (they are still counted on every request).
RAISED_LIMITS = {
    "FAIRPATH_GATEWAY_RATE_LIMIT_PER_ADDRESS": "100000000/minute",
    "FAIRPATH_GATEWAY_RATE_LIMIT_PER_API_KEY": "100000000/minute",
    "FAIRPATH_GATEWAY_RATE_LIMIT_PER_USER": "100000000/minute",
    "FAIRPATH_GATEWAY_SIGN_IN_FAILURES_PER_ACCOUNT": "100000000/minute",
    "FAIRPATH_GATEWAY_SIGN_IN_FAILURES_PER_ADDRESS": "100000000/minute",
}


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def load_tool() -> str:
    return "wrk" if shutil.which("wrk") else "an asyncio/httpx load generator (no wrk on PATH)"


# ---------------------------------------------------------------------------------------------
# wrk
# ---------------------------------------------------------------------------------------------

_WRK_SCRIPT = """
local paths = {%s}
local i = 0
%s
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def wrk_rate(url: str, paths: list[str], headers: dict[str, str], connections: int, seconds: float, tmp: Path) -> float:
    """GETs of `paths` in turn on `url` with `connections` connections for `seconds`; requests/s, any non-2xx fails."""
    script = tmp / "bench-load.lua"
    header_lines = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items())
    script.write_text(_WRK_SCRIPT % (", ".join(f'"{p}"' for p in paths), header_lines))
    threads = max(1, min(connections, 2))
    out = subprocess.run(  # noqa: S603 - wrk from the system, our arguments
        [shutil.which("wrk"), f"-t{threads}", f"-c{connections}", f"-d{seconds:.0f}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} failed responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


# ---------------------------------------------------------------------------------------------
# Without wrk: asyncio + httpx, in a process of its own
# ---------------------------------------------------------------------------------------------


async def asyncio_rate(url: str, paths: list[str], headers: dict[str, str], connections: int, seconds: float) -> float:
    """`connections` keep-alive clients in one asyncio loop, `paths` in turn, for `seconds`; requests/s."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30) as client:
        done = 0
        deadline = time.perf_counter() + seconds

        async def one(offset: int) -> None:
            nonlocal done
            i = offset
            while time.perf_counter() < deadline:
                r = await client.get(paths[i % len(paths)])
                if r.status_code != 200:
                    raise RuntimeError(f"{r.status_code} {r.text[:200]}")
                done += 1
                i += connections

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(connections)))
        return done / (time.perf_counter() - started)


def rate(url: str, paths: list[str], headers: dict[str, str], connections: int, seconds: float, tmp: Path) -> float:
    """Requests/s of GETs of `paths` in turn on `url`: wrk when installed, else the asyncio generator in a process
    of its own (never in the benchmark's process, whose own loop would compete with it)."""
    if shutil.which("wrk"):
        return wrk_rate(url, paths, headers, connections, seconds, tmp)
    paths_file = tmp / "bench-load-paths.json"
    paths_file.write_text(json.dumps(paths))
    argv = [sys.executable, __file__, url, str(paths_file), json.dumps(headers), str(connections), str(seconds)]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout  # noqa: S603
    return float(out.strip().splitlines()[-1])


if __name__ == "__main__":
    base, paths_path, headers_json, conns, secs = sys.argv[1:6]
    found = asyncio.run(
        asyncio_rate(base, json.loads(Path(paths_path).read_text()), json.loads(headers_json), int(conns), float(secs))
    )
    print(f"{found:.1f}")
