"""Benchmark: the gateway while people sign in.

    ./fairpath bench gateway [--logins N] [--concurrency C] [--probes N]

Starts the whole stack as `./fairpath up` does (its own nats-server, SQLite under a temporary
var dir, free loopback ports) with the demo users, then measures in one run:

- `/healthz` alone (the baseline), and `/healthz` while C sign-ins (`POST /v1/auth/token`) run at
  once: a password hash that runs on the event loop stalls every other request;
- sign-in latency (p50, p99) beside a GET of one record through the gateway with an API key.

Prints each figure and the ratios to the baseline measured in the same run (the machine is
noisy: absolute times mean little). The issue aims at `/healthz` p99 under 50 ms during 16
concurrent sign-ins.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from fairpath.common.testing.nats import free_port
from fairpath.deploy.demo import seed_demo_businesses
from fairpath.deploy.processes import SERVICES, StackConfig, build_stack
from fairpath.gateway.accounts.demo import ensure_demo_identities

ROOT = Path(__file__).resolve().parents[1]
SIGN_IN_USER = "agency"  # a role with no second factor required


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary(samples: list[float]) -> str:
    return f"p50 {percentile(samples, 0.5) * 1000:7.1f} ms   p99 {percentile(samples, 0.99) * 1000:7.1f} ms"


async def timed(client: httpx.AsyncClient, method: str, url: str, **kwargs) -> float:
    started = time.perf_counter()
    response = await client.request(method, url, **kwargs)
    elapsed = time.perf_counter() - started
    if response.status_code >= 400:
        raise RuntimeError(f"{method} {url}: HTTP {response.status_code} {response.text[:200]}")
    return elapsed


async def probe_health(client: httpx.AsyncClient, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        samples.append(await timed(client, "GET", "/healthz"))
        await asyncio.sleep(0.005)
    return samples


async def sign_in_loop(client: httpx.AsyncClient, password: str, until: asyncio.Event, samples: list[float]) -> None:
    form = {"grant_type": "password", "username": SIGN_IN_USER, "password": password}
    while not until.is_set():
        samples.append(await timed(client, "POST", "/v1/auth/token", data=form))


async def measure(gateway: str, credentials: dict, business_id: str, args: argparse.Namespace) -> None:
    user = credentials["users"][SIGN_IN_USER]
    limits = httpx.Limits(max_connections=args.concurrency + 4)
    async with httpx.AsyncClient(base_url=gateway, timeout=60, limits=limits) as client:
        await probe_health(client, 20)  # warm up
        alone = await probe_health(client, args.probes)

        get_one = []
        for _ in range(args.probes):
            get_one.append(
                await timed(client, "GET", f"/v1/businesses/{business_id}", headers={"X-API-Key": user["api_key"]})
            )

        sign_ins: list[float] = []
        done = asyncio.Event()
        signing = [
            asyncio.create_task(sign_in_loop(client, user["password"], done, sign_ins)) for _ in range(args.concurrency)
        ]
        while len(sign_ins) < args.concurrency:  # every sign-in loop under way before probing
            await asyncio.sleep(0.01)
        during = await probe_health(client, args.probes)
        while len(sign_ins) < args.logins:
            await asyncio.sleep(0.05)
        done.set()
        await asyncio.gather(*signing)

    print(f"/healthz alone                       {summary(alone)}")
    print(f"/healthz during {args.concurrency:2d} sign-ins at once  {summary(during)}")
    print(f"GET one business (API key)           {summary(get_one)}")
    print(f"sign-in ({len(sign_ins)} in all)                {summary(sign_ins)}")
    print()
    p99_alone, p99_during = percentile(alone, 0.99), percentile(during, 0.99)
    print(f"/healthz p99 during sign-ins / alone: {p99_during / p99_alone:6.1f}x  "
          f"({p99_during * 1000:.1f} ms; the aim is under 50 ms)")  # fmt: skip
    print(f"sign-in p50 / GET one record p50:     {statistics.median(sign_ins) / statistics.median(get_one):6.1f}x")
    print(f"sign-in p99 / GET one record p99:     {percentile(sign_ins, 0.99) / percentile(get_one, 0.99):6.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logins", type=int, default=160, help="sign-ins in all (default 160)")
    parser.add_argument("--concurrency", type=int, default=16, help="sign-ins at once (default 16)")
    parser.add_argument("--probes", type=int, default=300, help="requests per latency sample (default 300)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="fairpath-bench-gateway-") as tmp:
        config = StackConfig(
            var_dir=Path(tmp) / "var", ports={name: free_port() for name in SERVICES}, nats_port=free_port(), cwd=ROOT
        )
        credentials = ensure_demo_identities(config.var_dir, config.gateway_url)
        supervisor = build_stack(config)
        supervisor.start()
        try:
            demo = seed_demo_businesses(config.gateway_url, credentials)
            print(f"stack ready in {supervisor.ready_after:.1f} s; gateway {config.gateway_url}\n")
            asyncio.run(measure(config.gateway_url, credentials, demo["recruitment_agency"], args))
        finally:
            supervisor.stop()


if __name__ == "__main__":
    main()
