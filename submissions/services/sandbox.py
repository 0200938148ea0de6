"""Run costly work on a stranger's file in a child process with a CPU, memory and wall-clock budget.

Decoding an image or unpacking a Word document can cost far more than the file's size suggests;
the checks in ``services.files`` refuse what the headers already betray, and what remains runs here.
Why a child process and not a thread or a timer: only the kernel can stop a C decoder (Pillow,
lxml) that allocates or loops; ``resource.setrlimit`` in the child bounds its address space
(``RLIMIT_AS``: an allocation over it fails with ``MemoryError``) and CPU time (``RLIMIT_CPU``:
SIGXCPU, then SIGKILL), and the parent kills it when the wall-clock budget is over. The worker that
asked keeps its own memory: the decoded pixels live and die in the child.

The child is forked (no imports to redo, about 5 ms): it must only compute on the bytes it was
given and return bytes — never touch the database connection or files it inherited — and it leaves
with ``os._exit`` (multiprocessing's fork start method does), so no inherited cleanup runs twice.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import resource
from collections.abc import Callable
from typing import Any

from submissions.services.files import FileProblem


class LimitExceeded(FileProblem):
    """The work needed more time or memory than its budget."""

    def __init__(self, message: str) -> None:
        super().__init__("too_costly", message)


def _address_space() -> int:
    """Bytes of virtual memory the process maps now (its libraries, thread stacks, heap)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _map_large_allocations() -> None:
    """Make every allocation over 128 KB a new mapping, so that it counts against ``RLIMIT_AS``.

    glibc raises its mmap threshold after large blocks are freed, and then takes large blocks from
    the heap's top, growing it without a new mapping check of the same kind. Fixing the threshold
    (mallopt M_MMAP_THRESHOLD) makes buffers beyond the heap's free space count against the limit.
    Free space the forked worker's heap already holds is still usable without counting: budgets
    that must be exact are checked before the child starts (``convert.clean_image_limited``).
    Elsewhere than glibc nothing changes.
    """
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(M_MMAP_THRESHOLD, 128 * 1024)
    except (OSError, AttributeError):
        pass


M_MMAP_THRESHOLD = -3  # glibc's malloc.h


def _child(connection: Any, func: Callable, args: tuple, cpu_seconds: int, memory_bytes: int) -> None:
    _map_large_allocations()
    # The budget is on top of what the forked copy of the worker maps already (shared, not copied).
    limit = _address_space() + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    outcome: tuple[Any, ...]  # the kind of outcome, then what run_limited needs to answer it
    try:
        outcome = ("ok", func(*args))
    except FileProblem as problem:
        outcome = ("problem", problem.code, problem.message)
    except MemoryError:
        outcome = ("memory",)
    except Exception as exc:  # any other failure of a decoder on hostile input
        # C parsers (lxml, zlib) report a failed allocation as their own error ("Memory allocation
        # failed"), not as MemoryError: under RLIMIT_AS that is the budget running out.
        described = f"{type(exc).__name__}: {exc}"
        outcome = ("memory",) if "memory" in described.lower() else ("error", described[:300])
    try:
        connection.send(outcome)
    except MemoryError:
        connection.send(("memory",))
    connection.close()


def run_limited(func: Callable, *args: Any, cpu_seconds: int, memory_bytes: int, wall_seconds: float) -> Any:
    """``func(*args)`` in a forked child within the budget; its result, or ``FileProblem``.

    ``func`` must be a pure function of its arguments: it runs in a copy of this process.
    ``FileProblem`` raised by ``func`` comes back as itself; running out of time or memory is
    ``LimitExceeded``; any other failure is ``FileProblem("invalid_file", ...)``.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, func, args, cpu_seconds, memory_bytes), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(wall_seconds):
            raise LimitExceeded(f"Processing the file took longer than {wall_seconds:.0f} seconds.")
        try:
            outcome = receiver.recv()
        except EOFError:  # killed by the kernel: over its CPU time, or no memory even to answer
            raise LimitExceeded("Processing the file needed more time or memory than allowed.") from None
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()
        process.close()
    if outcome[0] == "ok":
        return outcome[1]
    if outcome[0] == "problem":
        raise FileProblem(outcome[1], outcome[2])
    if outcome[0] == "memory":
        raise LimitExceeded(f"Processing the file needed more than {memory_bytes / 2**20:.0f} MB of memory.")
    raise FileProblem("invalid_file", f"The file cannot be processed ({outcome[1]}).")
