"""The KMS watch: while the store serves, the stack asks its KMS every second whether the data key
is still ACTIVE (KMIP Get Attributes, State), over one connection kept open (opened anew after a
failure). A key the KMS no longer calls ACTIVE (revoked, compromised, destroyed) is dropped at once
and not used again in this boot. A KMS that does not answer changes nothing for the key already in
memory, but no unwrap happens without the KMS's word (custody.py asks it before each one)."""

from . import kmip_client, log

KMS_WATCH_INTERVAL_S = 1.0
# A question asked before an unwrap waits this long for the KMS: a KMS that is gone must not hold
# the HSM watch (and the store's recovery) for the 90 s a boot waits.
QUICK_CONNECT_S = 2


def key_state(settings, uid):
    """The data key's state, asked anew; raises kmip_client.KmsError when the KMS does not answer."""
    with kmip_client.KmipClient(settings, connect_timeout_s=QUICK_CONNECT_S) as kms:
        return kms.state(uid)


def usable(state):
    return state == "ACTIVE"


class KmsWatch:
    def __init__(self, settings, uid, on_not_active, stop_event):
        self._settings = settings
        self._uid = uid
        self._on_not_active = on_not_active
        self._stop = stop_event

    def run(self):
        client = None
        problem = None
        while not self._stop.wait(KMS_WATCH_INTERVAL_S):
            try:
                if client is None:
                    client = kmip_client.KmipClient(self._settings, connect_timeout_s=0).__enter__()
                state = client.state(self._uid)
            except Exception as error:  # noqa: BLE001 (a dead watcher would never see a revocation)
                if client is not None:
                    try:
                        client.__exit__(None, None, None)
                    except Exception:  # noqa: BLE001
                        pass
                client = None
                if str(error) != problem:
                    problem = str(error)
                    log.event(
                        f"KMS_UNAVAILABLE: KMS {self._settings['KMIP_SERVER_ADDRESS']} does not answer ({error}); "
                        "the data key in memory stays, but it is not unwrapped again without the KMS"
                    )
                continue
            if problem is not None:
                problem = None
                log.event(f"KMS {self._settings['KMIP_SERVER_ADDRESS']} answers again: data key {self._uid} is {state}")
            if not usable(state):
                self._on_not_active(state)
                break
        if client is not None:
            client.__exit__(None, None, None)
