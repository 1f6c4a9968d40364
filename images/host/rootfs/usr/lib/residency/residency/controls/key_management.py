"""Key management control: writes the KMS client's configuration (/etc/key-management/client.conf)
from the site file's `kms` section and refuses a KMS outside the domestic CIDRs: data keys come
only from a KMS inside the jurisdiction. A site with no `kms` section skips this control."""

from .. import kmip_client, log
from . import Refusal


def boot(state):
    if "kms" not in state.site:
        return
    settings = kmip_client.write_client_conf(state.site)
    try:
        kmip_client.require_domestic(settings, state.site["domesticCidrs"])
    except kmip_client.ForeignKms as error:
        raise Refusal("GEOGRAPHIC_FENCE_ERROR", f"{error}: no data key will be taken from it") from error
    log.event(f"kmip-client configured: KMIP_SERVER_ADDRESS={settings['KMIP_SERVER_ADDRESS']}")
