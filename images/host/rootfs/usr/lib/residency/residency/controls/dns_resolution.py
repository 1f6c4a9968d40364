"""DNS control: resolv.conf names the site's sovereign resolvers only, and is immutable."""

from .. import immutable, log, resolver_config


def boot(state):
    content = resolver_config.render(state.site)
    try:
        immutable.write_locked(resolver_config.RESOLV_CONF, content)
    except immutable.ImmutabilityError as error:
        log.event(f"IMMUTABILITY_UNAVAILABLE: {error}")
    for rejected in resolver_config.rejected_resolvers(state.site):
        log.event(f"DNS_SERVER_REJECTED: {rejected['name']} ({rejected['address']}) is outside the domestic CIDRs")
    servers = [s["address"] for s in resolver_config.sovereign_resolvers(state.site)]
    log.event(f"resolv.conf: sovereign resolvers {', '.join(servers) or '(none: lookups fail closed)'}")
