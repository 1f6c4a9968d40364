"""The stack's two logs: the residency log (events, errors) and the residency audit log
(security-relevant records such as the TPM primary key's qualified name). Both live on the VM disk
and are copied to stderr so that the engine's log shows them too."""

import datetime
import os
import sys

from . import paths


def _append(path, line):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _stamp():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


def event(message):
    line = f"{_stamp()} residency: {message}"
    _append(paths.RESIDENCY_LOG, line)
    print(line, file=sys.stderr, flush=True)


def audit(record):
    line = f"{_stamp()} {record}"
    _append(paths.AUDIT_LOG, line)
    print(f"{_stamp()} audit: {record}", file=sys.stderr, flush=True)
