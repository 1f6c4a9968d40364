"""Routing control: with BGP peers in the site file, fail-closed routes first, then BIRD and the
watch that reports revocations. It runs at boot, not with the services: routing must fail closed
even on a host whose sovereign services stay down."""

from .. import bgp, log
from . import Refusal


def boot(state):
    if not bgp.peers(state.site):
        return
    try:
        bgp.install_fail_closed_routes(state.site)
        bgp.start_bird(state.site)
    except bgp.RoutingError as error:
        raise Refusal("ROUTING_ERROR", str(error)) from error
    bgp.start_watch(state.site)
    log.event(f"routing: BGP with {', '.join(p['name'] for p in bgp.peers(state.site))}; domestic routes only, fail closed")
