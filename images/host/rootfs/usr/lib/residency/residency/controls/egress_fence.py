"""Egress fence control: the firewall (firewall.py) is loaded before anything else of the stack
runs, and the drop recorder (ulogd) before the firewall, so that no packet leaves unrecorded. The
rules file is made immutable; a filesystem that cannot keep the flag is logged, not fatal."""

from .. import firewall, immutable, log, messages
from . import Refusal


def boot(state):
    try:
        messages.link_system_path()
        firewall.start_drop_logger(messages.MESSAGES_LOG)
        firewall.load(firewall.render_rules(state.site))
        firewall.load6(firewall.render_rules(state.site, 6), state.site)
    except (OSError, firewall.FirewallError) as error:
        raise Refusal("EGRESS_FENCE_ERROR", str(error)) from error
    try:
        immutable.lock(firewall.RULES_FILE)
        immutable.lock(firewall.RULES_FILE_V6)
    except immutable.ImmutabilityError as error:
        log.event(f"IMMUTABILITY_UNAVAILABLE: {error}")
