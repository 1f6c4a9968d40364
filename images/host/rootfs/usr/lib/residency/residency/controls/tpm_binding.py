"""Boot binding control: provision on first boot, then require this machine's TPM and boot chain
to release the KEK (see binding.py)."""

from .. import binding, log
from ..tpm import Tpm
from . import Refusal


def boot(state):
    tpm = Tpm(state.site["tpm"]["tcti"])
    tpm.wait_ready()
    tpm.startup()
    if not binding.is_provisioned():
        binding.provision(tpm, state.site)
    try:
        binding.verify_machine(tpm)
        state.kek = binding.unseal_kek(tpm, state.site)
    except binding.LocalizationMismatch as error:
        raise Refusal("LOCALIZATION_MISMATCH", str(error)) from error
    log.event("KEK unsealed: boot chain and machine match the sealed state")
