"""Network tuning (the manual's hardening advice): a listen backlog of 4096 (net.core.somaxconn),
strict reverse-path filtering and martian logging (rp_filter, log_martians), no source routing."""

from .. import log, sysctl
from . import Refusal

SETTINGS = {
    "net.core.somaxconn": "4096",
    "net.ipv4.conf.all.rp_filter": "1",
    "net.ipv4.conf.default.rp_filter": "1",
    "net.ipv4.conf.all.log_martians": "1",
    "net.ipv4.conf.default.log_martians": "1",
    "net.ipv4.conf.all.accept_source_route": "0",
}


def boot(state):
    applied = []
    for key, value in SETTINGS.items():
        try:
            applied.append(f"{key}={sysctl.set_value(key, value)}")
        except sysctl.SysctlError as error:
            raise Refusal("KERNEL_TUNING_ERROR", str(error)) from error
    log.event("network tuning: " + " ".join(applied))
