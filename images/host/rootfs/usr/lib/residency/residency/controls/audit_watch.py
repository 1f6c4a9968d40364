"""Audit watch control: installs the manual's audit rule and, when the site names the machine's
audit service, waits until that service has loaded it, so that no store write happens unwatched.
Its start part runs Log-Or-Die: when the audit disk cannot take records, the graceful shutdown
wipes the keys and halts the sovereign services."""

import threading

from .. import audit_watch, log, shutdown
from . import Refusal

ACTIVE_TIMEOUT_S = 30


def boot(state):
    audit_watch.install_watch()
    if "audit" in state.site:
        if not audit_watch.await_watch_active(ACTIVE_TIMEOUT_S):
            raise Refusal(
                "AUDIT_WATCH_INACTIVE",
                f"the machine's audit service did not load '{audit_watch.RULE}' within {ACTIVE_TIMEOUT_S}s",
            )
        log.event(f"audit watch active: {audit_watch.RULE}")
    state.audit_trail = audit_watch.AuditTrail(lambda reason: shutdown.graceful(state, f"Log-Or-Die: {reason}"))


def start(state):
    thread = threading.Thread(target=state.audit_trail.watch, name="log-or-die", daemon=True)
    thread.start()
    shutdown.on_stop(state, "log-or-die", state.audit_trail.stop)
