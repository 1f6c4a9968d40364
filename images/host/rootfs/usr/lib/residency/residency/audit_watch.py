"""The audit watch and Log-Or-Die (the seed manual's audit section).

Watch: the stack installs the manual's rule for the machine's audit daemon, in
/etc/audit/rules.d/residency.rules. Kernel audit is one per machine and not namespaced, so on a
machine that runs several hosts the audit daemon is the machine's (the harness's `audit`
simulator): it loads each host's rules against that host's disks and writes the host's records to
its audit disk (/var/log/audit/audit.log), and lists the rules it loaded in rules.active. When the
site file names an audit service, the store does not start before the rule is active.

Log-Or-Die: before the store accepts a write it checks that the audit disk still has room for the
records of that write (its own trail line and the kernel's records, which the machine's audit
daemon writes to the same disk), appends the write's record to its trail and forces it there
(fsync). If any of that fails, the write is refused and the sovereign services halt: no write is
accepted that could go unaudited. The check runs at each write, not only in the background watch:
an append into the free tail of the trail's last block succeeds on a full disk, and a watch that
polls lets writes through between the fill and its next look."""

import os
import threading
import time

from . import log, paths

RULE = "-w /data/sovereign_storage -p wa -k residency_audit"
MIN_FREE_BYTES = 16 * 1024
WATCH_INTERVAL_S = 0.5


class AuditUnwritable(Exception):
    """The audit trail could not be written: the write it was for must not happen."""


def install_watch():
    os.makedirs(paths.DATA_DIR, exist_ok=True)
    os.makedirs(paths.AUDIT_RULES_DIR, exist_ok=True)
    with open(paths.AUDIT_RULES_FILE, "w", encoding="utf-8") as handle:
        handle.write("# The residency audit watch (the manual's rule).\n")
        handle.write(RULE + "\n")
    log.event(f"audit watch installed: {RULE}")


def watch_active():
    try:
        with open(paths.AUDIT_ACTIVE_RULES, encoding="utf-8") as handle:
            return any(line.strip() == RULE for line in handle)
    except OSError:
        return False


def await_watch_active(timeout_s):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if watch_active():
            return True
        time.sleep(0.2)
    return watch_active()


class AuditTrail:
    """The store's audit trail and the Log-Or-Die switch: `halt` is called once, when audit
    can no longer be written."""

    def __init__(self, halt):
        self._halt = halt
        self._failed = None
        self._lock = threading.Lock()
        self._stop = threading.Event()

    @property
    def failed(self):
        return self._failed

    def record(self, line):
        """Appends and forces one record; raises AuditUnwritable (and halts) if it cannot."""
        if self._failed is not None:
            raise AuditUnwritable(self._failed)
        problem = self._room_problem()
        if problem is not None:
            self.fail(problem)
            raise AuditUnwritable(self._failed)
        try:
            log.append_line(paths.STORE_AUDIT_TRAIL, f"{log.stamp()} residency_audit pid={os.getpid()} {line}")
        except OSError as error:
            self.fail(f"the audit trail {paths.STORE_AUDIT_TRAIL} cannot be written: {error}")
            raise AuditUnwritable(self._failed) from error

    def fail(self, reason):
        with self._lock:
            if self._failed is not None:
                return
            self._failed = reason
        log.event(f"AUDIT_LOG_UNWRITABLE: {reason}; Log-Or-Die: sovereign services halted")
        self._halt(reason)

    @staticmethod
    def _room_problem():
        """Why the audit disk cannot take more records now, or None when it can."""
        try:
            stats = os.statvfs(paths.AUDIT_DISK)
        except OSError as error:
            return f"the audit disk {paths.AUDIT_DISK} cannot be read: {error}"
        free = stats.f_bavail * stats.f_frsize
        if free < MIN_FREE_BYTES:
            return f"the audit disk {paths.AUDIT_DISK} has {free} bytes free (below {MIN_FREE_BYTES})"
        return None

    def watch(self):
        """Halts soon after the audit disk has no room left, even when no write comes."""
        while not self._stop.wait(WATCH_INTERVAL_S) and self._failed is None:
            problem = self._room_problem()
            if problem is not None:
                self.fail(problem)
                return

    def stop(self):
        self._stop.set()
