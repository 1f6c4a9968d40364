"""GeoIP gate control: when the site puts sovereign APIs behind the gate, the gate's database is
generated and pinned at boot and HAProxy serves it with the sovereign services. A database or
backend that breaks the fence refuses the boot with GEOGRAPHIC_FENCE_ERROR."""

from .. import geo_gate, geoip, shutdown
from . import Refusal


def boot(state):
    state.gate = None
    if not geo_gate.backends(state.site):
        return
    try:
        state.gate = geo_gate.Gate(state.site)
    except geoip.GeoIpError as error:
        raise Refusal(geo_gate.FENCE, str(error)) from error


def start(state):
    if state.gate is not None:
        geo_gate.start_in_thread(state.gate, state.services)
        shutdown.on_stop(state, "geo-gate", state.gate.stop)
