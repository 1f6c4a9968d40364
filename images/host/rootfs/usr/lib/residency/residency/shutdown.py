"""The graceful residency shutdown: what the stack does when the machine is about to lose power
(UPS low battery or forced shutdown) or to overheat. Its order is a race against the thermal
inertia of a room whose cooling has stopped: first every clear key in memory is overwritten and
freed (key holders refuse any use after that), then key material on tmpfs is overwritten and
removed, then the sovereign services stop; only then may the machine go down. The process stays
up afterwards (the machine halts; the power will end it), so the keys are gone from a process
that still exists, which is what an outside memory scan can verify."""

import os
import threading
import time

from . import log, paths
from .key_vault import VAULT

# Where any key material that must sit on tmpfs lives (see CONTRACT.md); removed on shutdown.
KEY_TMPFS_DIR = paths.RUN_DIR + "/keys"

_lock = threading.Lock()


def register_key_holder(state, holder):
    """A holder of clear keys (anything with wipe()) that the shutdown must wipe."""
    state.__dict__.setdefault("key_holders", []).append(holder)


def on_stop(state, name, stopper):
    """A sovereign service's stop action, run by the shutdown after the keys are gone."""
    state.__dict__.setdefault("stoppers", []).append((name, stopper))


def is_shut_down(state):
    return getattr(state, "shut_down", False)


def _key_holders(state):
    holders = list(getattr(state, "key_holders", []))
    data_key = getattr(state, "data_key", None)
    if data_key is not None and data_key not in holders:
        holders.insert(0, data_key)
    return holders


def wipe_keys(state):
    """Overwrites and frees every clear key the process holds: each registered holder's, then
    every key in the vault (zone keys, ...), which is sealed; returns how many keys."""
    holders = _key_holders(state)
    for holder in holders:
        holder.wipe()
    return len(holders) + VAULT.wipe("graceful residency shutdown")


def remove_tmpfs_keys():
    """Overwrites, then unlinks, every file under the tmpfs key directory; returns how many."""
    removed = 0
    for directory, _, files in os.walk(KEY_TMPFS_DIR, topdown=False):
        for name in files:
            path = os.path.join(directory, name)
            try:
                size = os.path.getsize(path)
                with open(path, "r+b") as handle:
                    handle.write(bytes(size))
                    handle.flush()
                os.remove(path)
                removed += 1
            except OSError as error:
                log.event(f"KEY_FILE_NOT_REMOVED path={path}: {error}")
    return removed


STOP_TIMEOUT_S = 5


def stop_services(state):
    """Stops every sovereign service at once (each server's stop waits for its loop to notice),
    and returns the names of those that stopped in time."""
    stopped, threads = [], []

    def stop(name, stopper):
        try:
            stopper()
            stopped.append(name)
        except Exception as error:  # noqa: BLE001 (one service's failure must not stop the rest)
            log.event(f"SERVICE_STOP_FAILED service={name}: {error}")

    for name, stopper in getattr(state, "stoppers", []):
        thread = threading.Thread(target=stop, args=(name, stopper), name=f"stop-{name}", daemon=True)
        thread.start()
        threads.append((name, thread))
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for name, thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            log.event(f"SERVICE_STOP_FAILED service={name}: still running after {STOP_TIMEOUT_S} s")
    return [name for name, _ in threads if name in stopped]


def graceful(state, reason):
    """Runs the shutdown once; later calls (power and thermal may both ask) return False."""
    with _lock:
        if is_shut_down(state):
            return False
        state.shut_down = True
    started = time.monotonic()
    log.event(f"RESIDENCY_SHUTDOWN_BEGIN reason={reason}")
    keys = wipe_keys(state)
    files = remove_tmpfs_keys()
    wiped_ms = (time.monotonic() - started) * 1000
    log.event(f"KEYS_WIPED keys={keys} tmpfs_files={files} elapsed_ms={wiped_ms:.1f}")
    stopped = stop_services(state)
    log.event(
        f"RESIDENCY_SHUTDOWN_COMPLETE reason={reason} services_stopped={','.join(stopped) or '-'}: "
        "keys wiped, sovereign services stopped; the machine may power off"
    )
    return True
