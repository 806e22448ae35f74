"""A TCP proxy on loopback that a test controls: it forwards to a real server until `cut()`, which makes the
server unreachable (every open connection is reset, and new ones are accepted but never answered, as a
database host that went away looks to a client), until `restore()` forwards again."""

import asyncio
import contextlib
import socket


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.reachable = True
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task] = set()

    async def start(self) -> "TcpProxy":
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def url_for(self, database_url: str) -> str:
        """The same database URL with the proxy's address in place of the server's."""
        host, port = self.target
        return database_url.replace(f"@{host}:{port}/", f"@127.0.0.1:{self.port}/")

    def cut(self) -> None:
        self.reachable = False
        for writer in list(self._writers):
            _reset(writer)
        self._writers.clear()

    def restore(self) -> None:
        """Forward again; what was accepted while cut is closed (its client has given up on it)."""
        for writer in list(self._writers):
            _reset(writer)
        self._writers.clear()
        self.reachable = True

    async def stop(self) -> None:
        """Stop listening and close every connection; each connection's task ends on its own."""
        if self._server is not None:
            self._server.close()
        self.cut()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        if self._server is not None:
            await self._server.wait_closed()

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        server_writer: asyncio.StreamWriter | None = None
        try:
            self._writers.add(client_writer)
            if not self.reachable:
                await client_reader.read()  # held silent until the client or `restore` closes it
                return
            try:
                server_reader, server_writer = await asyncio.open_connection(*self.target)
            except OSError:
                _reset(client_writer)
                return
            self._writers.add(server_writer)
            if not self.reachable:  # cut while connecting
                _reset(server_writer)
                _reset(client_writer)
                return
            await asyncio.gather(
                _pipe(client_reader, server_writer), _pipe(server_reader, client_writer), return_exceptions=True
            )
            _reset(server_writer)
            _reset(client_writer)
        finally:
            self._writers.discard(client_writer)
            if server_writer is not None:
                self._writers.discard(server_writer)
            self._tasks.discard(task)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()
    with contextlib.suppress(OSError):
        writer.write_eof()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close at once with a RST (SO_LINGER 0), as a dropped connection looks to the other end."""
    sock = writer.get_extra_info("socket")
    with contextlib.suppress(OSError):
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    writer.transport.abort()
