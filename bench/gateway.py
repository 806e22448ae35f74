"""Benchmark: the gateway while people sign in, and what the gateway adds to a request.

    ./fairpath bench gateway [--logins N] [--concurrency C] [--probes N]
                             [--connections C] [--seconds S] [--rounds R]

Starts the whole stack as `./fairpath up` does (its own nats-server, SQLite under a temporary
var dir, free loopback ports) with the demo users, then measures in one run:

- `/healthz` alone (the baseline), and `/healthz` while C sign-ins (`POST /v1/auth/token`) run at
  once: a password hash that runs on the event loop stalls every other request;
- sign-in latency (p50, p99) beside a GET of one record through the gateway with an API key.

- the gateway's cost: an authenticated GET of one record through the gateway (an API key, checked
  and rate limited, the request forwarded) beside the same request straight to the service (with
  the principal token the gateway would forward, signed with the gateway's key from the stack's
  var dir): the throughput ratio with C connections (wrk when installed, `apt-get install wrk`,
  else an asyncio load generator in a process of its own, bench/_load.py; R alternating rounds of
  S seconds, medians), and the latency the gateway adds at p50 and p99, one request at a time.

The stack runs with the gateway's rate limits raised far out of the way (they are still counted on
every request). Prints each figure and the ratios to the baseline measured in the same run (the
machine is noisy: absolute times mean little). The aim: `/healthz` p99 under 50 ms during
16 concurrent sign-ins, and at a throughput through the gateway of at least 0.8 of the service's.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from _load import RAISED_LIMITS, load_tool, percentile, rate  # bench/_load.py
from cryptography.hazmat.primitives import serialization

from fairpath.common import secrets
from fairpath.common.auth import PRINCIPAL_HEADER, Principal, sign_principal
from fairpath.common.testing.nats import free_port
from fairpath.deploy.demo import seed_demo_businesses
from fairpath.deploy.processes import SERVICES, StackConfig, build_stack
from fairpath.gateway.accounts.demo import ensure_demo_identities

ROOT = Path(__file__).resolve().parents[1]
SIGN_IN_USER = "agency"  # a role with no second factor required


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


# ---------------------------------------------------------------------------------------------
# What the gateway adds: the same GET through the gateway and straight to the service
# ---------------------------------------------------------------------------------------------


def throughput(url: str, path: str, headers: dict[str, str], args: argparse.Namespace, tmp: Path) -> float:
    """Requests/s of GET `path` on `url` with the connections and seconds asked for."""
    return rate(url, [path], headers, args.connections, args.seconds, tmp)


def principal_headers(config: StackConfig, gateway: str, api_key: str) -> dict[str, str]:
    """What the gateway forwards for this key: its principal, signed with the gateway's own key."""
    me = httpx.get(f"{gateway}/v1/me", headers={"X-API-Key": api_key}, timeout=30).json()
    principal = Principal(
        user_id=me["user_id"],
        role=me["role"],
        organization_id=(me["organization"] or {}).get("id"),
        business_id=me["business_id"],
        worker_id=me["worker_id"],
    )
    private_key = serialization.load_pem_private_key(
        secrets.principal_keypair(config.var_dir).private_pem.encode(), password=None
    )
    return {PRINCIPAL_HEADER: sign_principal(principal, private_key, ttl_seconds=3600)}


async def latencies(gateway_url: str, direct_url: str, gateway_headers: dict, direct_headers: dict, probes: int):
    """One request at a time, alternating between the two ways: (through the gateway, straight)."""
    through, straight = [], []
    async with httpx.AsyncClient(timeout=30) as client:
        for _ in range(20):  # warm up both connections
            await timed(client, "GET", gateway_url, headers=gateway_headers)
            await timed(client, "GET", direct_url, headers=direct_headers)
        for _ in range(probes):
            through.append(await timed(client, "GET", gateway_url, headers=gateway_headers))
            straight.append(await timed(client, "GET", direct_url, headers=direct_headers))
    return through, straight


def measure_gateway_cost(config: StackConfig, credentials: dict, business_id: str, args: argparse.Namespace) -> None:
    api_key = credentials["users"][SIGN_IN_USER]["api_key"]
    path = f"/v1/businesses/{business_id}"
    gateway_url, direct_url = config.gateway_url + path, config.url("vetting") + path
    gateway_headers = {"X-API-Key": api_key}
    direct_headers = principal_headers(config, config.gateway_url, api_key)

    through, straight = asyncio.run(latencies(gateway_url, direct_url, gateway_headers, direct_headers, args.probes))
    tool = load_tool()
    rates: dict[str, list[float]] = {"gateway": [], "direct": []}
    with tempfile.TemporaryDirectory(prefix="fairpath-bench-wrk-") as tmp:
        for _ in range(args.rounds):
            rates["gateway"].append(throughput(config.gateway_url, path, gateway_headers, args, Path(tmp)))
            rates["direct"].append(throughput(config.url("vetting"), path, direct_headers, args, Path(tmp)))
    gateway_rate, direct_rate = statistics.median(rates["gateway"]), statistics.median(rates["direct"])

    print(f"\nGET one business, {args.connections} connections ({tool}, {args.rounds} x {args.seconds:.0f} s, medians)")
    print(f"  through the gateway (API key)      {gateway_rate:8.0f} requests/s")
    print(f"  straight to vetting (principal)    {direct_rate:8.0f} requests/s")
    print(f"  throughput ratio gateway / direct  {gateway_rate / direct_rate:8.2f}  (the aim is at least 0.8)")
    print(f"\nGET one business, one request at a time ({args.probes} each, alternating)")
    print(f"  through the gateway                {summary(through)}")
    print(f"  straight to vetting                {summary(straight)}")
    added_p50 = percentile(through, 0.5) - percentile(straight, 0.5)
    added_p99 = percentile(through, 0.99) - percentile(straight, 0.99)
    print(f"  added by the gateway               p50 {added_p50 * 1000:7.1f} ms   p99 {added_p99 * 1000:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logins", type=int, default=160, help="sign-ins in all (default 160)")
    parser.add_argument("--concurrency", type=int, default=16, help="sign-ins at once (default 16)")
    parser.add_argument("--probes", type=int, default=300, help="requests per latency sample (default 300)")
    parser.add_argument("--connections", type=int, default=16, help="connections for the throughput (default 16)")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per throughput round (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="throughput rounds each way (default 3)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="fairpath-bench-gateway-") as tmp:
        config = StackConfig(
            var_dir=Path(tmp) / "var",
            ports={name: free_port() for name in SERVICES},
            nats_port=free_port(),
            cwd=ROOT,
            extra_env=RAISED_LIMITS,
        )
        credentials = ensure_demo_identities(config.var_dir, config.gateway_url)
        supervisor = build_stack(config)
        supervisor.start()
        try:
            demo = seed_demo_businesses(config.gateway_url, credentials)
            print(f"stack ready in {supervisor.ready_after:.1f} s; gateway {config.gateway_url}\n")
            asyncio.run(measure(config.gateway_url, credentials, demo["recruitment_agency"], args))
            measure_gateway_cost(config, credentials, demo["recruitment_agency"], args)
        finally:
            supervisor.stop()


if __name__ == "__main__":
    main()
