"""Envelope relay control: fetches the zone's envelope keys (when the site names a key service)
and serves the relay (envelope_relay.py) beside the store. A key service that does not answer is
logged; the relay then seals nothing and opens nothing, which fails closed."""

import threading

from .. import envelope_relay, log, shutdown, zone_keys


def boot(state):
    zone = zone_keys.envelope_zone(state.site)
    try:
        keyring = zone_keys.fetch_keyring(state.site)
    except zone_keys.ZoneKeyError as error:
        log.event(f"ENVELOPE_NO_KEY: {error}; envelopes will be neither sealed nor opened")
        keyring = zone_keys.ZoneKeyring()
    current = keyring.current()
    log.event(f"envelope zone {zone['zone']}: {'key ' + current.key_id if current else 'no key held'}")
    state.relay = envelope_relay.Relay(state.store, keyring, zone)


def start(state):
    server = envelope_relay.make_server(state.relay)
    thread = threading.Thread(target=envelope_relay.serve, args=(state.relay, server), name="envelope-relay", daemon=True)
    thread.start()
    state.services.append(thread)
    shutdown.on_stop(state, "envelope-relay", lambda: _stop(server))


def _stop(server):
    server.shutdown()
    server.server_close()
