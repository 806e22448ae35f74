"""The gateway on a real socket (uvicorn on loopback), for what only shows on the wire: requests no HTTP client
library would send (a GET with a body, a Content-Length too large to read), a streamed body refused before
it is all sent, and the headers both servers write (`date`, `server`) appearing once."""

import asyncio
import json

import pytest
import uvicorn

from fairpath.common.testing.nats import free_port, wait_until
from fairpath.gateway.app import create_app

from .conftest import gateway_settings

MAX_BODY = 64 * 1024


@pytest.fixture(scope="module")
async def wire_gateway(gateway_app, demo_credentials, echo_upstream, common_settings, keypair):
    """The gateway served by uvicorn as `./fairpath up` serves it: (port, an API key)."""
    settings = gateway_settings(
        common_settings,
        keypair,
        gateway_app.state.settings.database_url,
        events_enabled=False,
        vetting_urls=echo_upstream,
        contracts_urls=echo_upstream,
        registry_urls=echo_upstream,
        max_body_bytes=MAX_BODY,
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_config=None, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started, timeout=30, interval=0.01, message="the test server to start")
    yield port, demo_credentials[1]["users"]["agency"]["api_key"]
    # A test server: the connections a test left open (an upload cut short) are not waited for.
    server.should_exit = server.force_exit = True
    await task


async def read_response(reader: asyncio.StreamReader) -> tuple[int, list[tuple[str, str]], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = [
        (name.strip().lower(), value.strip()) for name, _, value in (line.partition(":") for line in lines if line)
    ]
    length = int(dict(headers).get("content-length", "0"))
    return int(status_line.split()[1]), headers, await reader.readexactly(length)


async def exchange(port: int, request: bytes, timeout: float = 10.0) -> tuple[int, list[tuple[str, str]], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        return await asyncio.wait_for(read_response(reader), timeout)
    finally:
        writer.close()


def head(method: str, target: str, key: str, *extra: str) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: gateway", f"X-API-Key: {key}", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def problem_type(body: bytes) -> str:
    return json.loads(body)["type"]


async def test_a_forwarded_answer_carries_one_date_and_one_server_header(wire_gateway):
    port, key = wire_gateway
    status, headers, _ = await exchange(port, head("GET", "/v1/workers", key))
    names = [name for name, _ in headers]
    assert status == 200
    assert names.count("date") == 1 and names.count("server") == 1


@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_a_get_or_delete_with_a_body_is_a_problem_not_a_500(wire_gateway, method):
    port, key = wire_gateway
    request = head(method, "/v1/workers/x", key, "Content-Type: application/json", "Content-Length: 8") + b'{"a": 1}'
    status, headers, body = await exchange(port, request)
    assert status == 400 and dict(headers)["content-type"] == "application/problem+json"
    assert problem_type(body) == "urn:fairpath:problem:body_not_allowed"


@pytest.mark.parametrize("target", ["/v1/workers/%00", "/v1/businesses/a%1Fb", "/v1/contracts/%7F?x=1"])
async def test_a_path_with_a_control_character_is_a_problem_not_a_500(wire_gateway, target):
    port, key = wire_gateway
    status, _, body = await exchange(port, head("GET", target, key))
    assert status == 400 and problem_type(body) == "urn:fairpath:problem:invalid_path"


async def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_sent(wire_gateway):
    port, key = wire_gateway
    request = head("POST", "/v1/workers", key, "Content-Type: application/json", f"Content-Length: {60 * 1024 * 1024}")
    status, _, body = await exchange(port, request, timeout=5.0)  # not a byte of the 60 MB is sent
    assert status == 413 and problem_type(body) == "urn:fairpath:problem:too_large"


async def test_a_streamed_body_is_refused_as_soon_as_it_passes_the_limit(wire_gateway):
    port, key = wire_gateway
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    chunk = b"x" * 16384
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent, most = 0, 8 * 1024 * 1024
    try:
        writer.write(head("POST", "/v1/workers", key, "Content-Type: text/plain", "Transfer-Encoding: chunked"))
        answer = asyncio.create_task(read_response(reader))
        while not answer.done() and sent < most:
            writer.write(frame)
            await writer.drain()
            sent += len(chunk)
            await asyncio.sleep(0)  # let the server read what has come
        status, _, body = await asyncio.wait_for(answer, 10.0)
    finally:
        writer.close()
    assert status == 413 and problem_type(body) == "urn:fairpath:problem:too_large"
    assert sent < most  # answered long before the whole body was sent
