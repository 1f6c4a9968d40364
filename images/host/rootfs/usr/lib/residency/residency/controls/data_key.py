"""Data key control: opens the data encryption key, then wipes the KEK.

With a KMS and an HSM in the site file (the key-custody design, custody.py) the data key comes
from the KMS and is unwrapped by the cell's HSM, gated by the TPM-sealed KEK. A site with neither
(boot binding alone) keeps a local data key sealed under the KEK (keys.py). One without the other
is a configuration error: the stack will not guess which half to trust."""

from .. import kmip_client, log, shutdown
from ..custody import EnvelopeDataKey, KeyNotActive, start_watch
from ..hsm import DEVICE_NOT_FOUND, HsmUnavailable, secure_log
from ..keys import LocalDataKey, wipe
from . import Refusal


def _envelope(state):
    try:
        return EnvelopeDataKey(state.site, state.kek)
    except HsmUnavailable as error:
        secure_log(f"{DEVICE_NOT_FOUND}: {error}; the data key cannot be unwrapped")
        raise Refusal(DEVICE_NOT_FOUND, str(error)) from error
    except kmip_client.KmsError as error:
        raise Refusal("KMS_UNAVAILABLE", str(error)) from error
    except KeyNotActive as error:
        raise Refusal("KEY_NOT_ACTIVE", str(error)) from error


def boot(state):
    site = state.site
    try:
        if "kms" in site and "hsm" in site:
            state.data_key = _envelope(state)
        elif "kms" in site or "hsm" in site:
            present, missing = ("kms", "hsm") if "kms" in site else ("hsm", "kms")
            raise Refusal("SITE_FILE_ERROR", f"the site file names a {present} but no {missing}; key custody needs both")
        else:
            state.data_key = LocalDataKey(state.kek)
    finally:
        wipe(state.kek)
        state.kek = None


def start(state):
    if isinstance(state.data_key, EnvelopeDataKey):
        start_watch(state.data_key)
        shutdown.on_stop(state, "hsm-watch", state.data_key.stop)
        log.event("watching the HSM link (fail closed on loss, recover on return)")
