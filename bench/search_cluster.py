"""An OpenSearch cluster of the embedded nodes on loopback, for the checks that need more than one node
(bench/cluster.py, bench/topology.py).

Each node is scripts/search-engine.sh (the jars of search/engine/target) with its own home and free
ports, finding the others through ``discovery.seed_hosts`` and bootstrapping with
``cluster.initial_cluster_manager_nodes``. The nodes leave the cluster's default number of
replicas alone (``--default-replicas keep``; a lone node sets it to 0, as scripts/with-search-engine.sh
does): with ``SEARCH_INDEX_REPLICAS`` unset the service gives each index 1 replica when the cluster
has more than one data node (docs/operations.md "Search cluster").
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.loadgen import free_port

ROOT = Path(__file__).resolve().parent.parent
HEAP = "512m"
# What one node takes beside its heap (JVM, off-heap buffers, page cache it leans on), in MiB: a
# node of HEAP 512m settles near 1 GiB resident on this machine.
NODE_MEMORY_MIB = 1024


class Node:
    """One node of the cluster ``cluster``; ``start`` runs it, ``kill`` and ``stop`` end it."""

    def __init__(self, cluster: Cluster, name: str, transport_port: int) -> None:
        self.cluster, self.name, self.transport_port = cluster, name, transport_port
        self.home = cluster.folder / name
        self.http_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def start(self) -> None:
        env = dict(os.environ, SEARCH_ENGINE="opensearch", SEARCH_ENGINE_HOME=str(self.home))
        env.update(SEARCH_ENGINE_PORT=str(self.http_port), SEARCH_ENGINE_HEAP=HEAP)
        names = [node.name for node in self.cluster.nodes]
        command = [
            str(ROOT / "scripts/search-engine.sh"),
            "--cluster-name", self.cluster.name, "--node-name", self.name,
            "--transport-port", str(self.transport_port),
            "--default-replicas", "keep" if len(names) > 1 else "0",
            "--parent-pid", str(os.getpid()),
            "-E", "discovery.type=zen", "-E", f"discovery.seed_hosts={self.cluster.seeds}",
            "-E", f"cluster.initial_cluster_manager_nodes={','.join(names)}",
        ]  # fmt: skip
        log = (self.cluster.folder / f"{self.name}.log").open("ab")
        # search-engine.sh execs the JVM: the process is the node itself, so SIGKILL kills the node.
        self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)  # noqa: S603

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)


class Cluster:
    """``size`` nodes named ``{name}-node-1`` ... with homes and logs under ``folder``."""

    def __init__(self, name: str, size: int, folder: Path) -> None:
        self.name, self.folder = name, folder
        transport_ports = [free_port() for _ in range(size)]
        self.seeds = ",".join(f"127.0.0.1:{port}" for port in transport_ports)
        self.nodes = [Node(self, f"{name}-node-{number}", port) for number, port in enumerate(transport_ports, 1)]

    def start(self) -> None:
        subprocess.run([ROOT / "scripts/search-engine.sh", "--build"], check=True)  # noqa: S603
        for node in self.nodes:
            node.start()

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def health(self) -> dict:
        return get(f"{self.nodes[0].url}/_cluster/health")


def memory_available_mib() -> int | None:
    """MemAvailable from /proc/meminfo, in MiB (None where there is no such file)."""
    try:
        lines = Path("/proc/meminfo").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) // 1024
    return None


def get(url: str, timeout: float = 65) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our own loopback node
        return json.load(response)


def wait_green(url: str, nodes: int, limit: float = 300) -> float:
    """Seconds until the cluster has ``nodes`` nodes and is green."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        try:
            health = get(f"{url}/_cluster/health?wait_for_status=green&wait_for_nodes={nodes}&timeout=5s", 10)
            if health["status"] == "green" and health["number_of_nodes"] == nodes and not health["timed_out"]:
                return time.perf_counter() - started
        except OSError:
            time.sleep(0.5)
    sys.exit(f"the cluster was not green with {nodes} nodes within {limit:.0f} s")
