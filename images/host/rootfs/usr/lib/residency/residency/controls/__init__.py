"""The residency controls of the reference stack, in boot order. Each control is a module with
`boot(state)` (may raise Refusal) and optionally `start(state)` for its long-running part."""


class Refusal(Exception):
    """A control refuses to let the sovereign services start; `code` is the manual's error name."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


from . import tpm_binding, key_management, data_key, tls_client, geo_gate, audit_watch, store_service, envelope_relay  # noqa: E402,E501 (Refusal must exist first)
from . import power_watch, thermal_watch  # noqa: E402
from . import network_tuning, egress_fence, dns_resolution, bgp_routing, monitoring_agent  # noqa: E402

BOOT_ORDER = [
    # The network controls come first: the host is fenced before anything of it runs, and stays
    # fenced when a later control refuses to start the sovereign services.
    network_tuning,
    egress_fence,
    dns_resolution,
    bgp_routing,
    tpm_binding,
    key_management,
    data_key,
    tls_client,
    geo_gate,
    audit_watch,
    store_service,
    envelope_relay,
    power_watch,
    thermal_watch,
    monitoring_agent,
]
