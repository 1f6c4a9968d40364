"""The stack's two logs: the residency log (events, errors) and the residency audit log
(security-relevant records such as the TPM primary key's qualified name). Both live on the VM disk
and are copied to stderr so that the engine's log shows them too."""

import datetime
import os
import sys

from . import paths


def append_line(path, line):
    """Appends one line and forces it to the disk (raises OSError when the disk refuses)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def stamp():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


def event(message):
    line = f"{stamp()} residency: {message}"
    append_line(paths.RESIDENCY_LOG, line)
    print(line, file=sys.stderr, flush=True)


def audit(record):
    line = f"{stamp()} {record}"
    append_line(paths.AUDIT_LOG, line)
    print(f"{stamp()} audit: {record}", file=sys.stderr, flush=True)
