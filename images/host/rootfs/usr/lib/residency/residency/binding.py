"""Boot binding (the seed manual's step 1): the key-encryption key (KEK) is sealed by this
machine's TPM to the PCRs that measure the boot chain. It unseals only on the machine that sealed
it and only while the boot chain is unchanged; anything else is a LOCALIZATION_MISMATCH."""

import os
import secrets

from . import log, paths
from .tpm import PRIMARY_HANDLE, TpmError

KEK_PUBLIC = paths.TPM_DIR + "/kek.pub"
KEK_PRIVATE = paths.TPM_DIR + "/kek.priv"
PRIMARY_RECORD = paths.TPM_DIR + "/primary.qname"
KEK_BYTES = 32


class LocalizationMismatch(Exception):
    """This disk is not on the machine, or not in the boot state, it was provisioned for."""


def _pcr_selection(site):
    return "sha256:" + ",".join(str(pcr) for pcr in site["tpm"].get("pcrs", [7]))


def is_provisioned():
    return os.path.exists(PRIMARY_RECORD)


def provision(tpm, site):
    """First boot: make the storage primary key, record its qualified name, seal a new KEK."""
    os.makedirs(paths.TPM_DIR, exist_ok=True)
    os.makedirs(paths.RUN_DIR, exist_ok=True)
    if PRIMARY_HANDLE not in tpm.persistent_handles():
        context = paths.RUN_DIR + "/primary.ctx"
        tpm.run("tpm2_createprimary", "-C", "o", "-g", "sha256", "-G", "ecc256", "-c", context)
        tpm.run("tpm2_evictcontrol", "-C", "o", "-c", context, PRIMARY_HANDLE)
        os.remove(context)
    name, qualified_name = tpm.read_names(PRIMARY_HANDLE)
    log.audit(
        f"TPM_PRIMARY_KEY handle={PRIMARY_HANDLE} name={name} qualified_name={qualified_name} "
        f"host={site['host']}"
    )
    seal_kek(tpm, site)
    with open(PRIMARY_RECORD, "w", encoding="utf-8") as handle:
        handle.write(qualified_name + "\n")
    log.event(f"provisioned: KEK sealed to {_pcr_selection(site)} under {PRIMARY_HANDLE}")


def seal_kek(tpm, site):
    policy = paths.RUN_DIR + "/pcr.policy"
    tpm.run("tpm2_createpolicy", "--policy-pcr", "-l", _pcr_selection(site), "-L", policy)
    kek = bytearray(secrets.token_bytes(KEK_BYTES))
    try:
        tpm.run(
            "tpm2_create", "-C", PRIMARY_HANDLE, "-L", policy, "-i", "-",
            "-u", KEK_PUBLIC, "-r", KEK_PRIVATE,
            input_bytes=bytes(kek),
        )
    finally:
        kek[:] = bytes(len(kek))
    os.remove(policy)


def verify_machine(tpm):
    """The TPM's primary key must be the one recorded at provisioning: same machine."""
    with open(PRIMARY_RECORD, encoding="utf-8") as handle:
        recorded = handle.read().strip()
    try:
        _, current = tpm.read_names(PRIMARY_HANDLE)
    except TpmError as error:
        raise LocalizationMismatch(
            f"no storage primary key at {PRIMARY_HANDLE} in this machine's TPM "
            f"(recorded qualified name {recorded}): this disk was provisioned on another machine"
        ) from error
    if current != recorded:
        raise LocalizationMismatch(
            f"TPM primary key qualified name {current} differs from the recorded {recorded}: "
            "this disk was provisioned on another machine"
        )


def unseal_kek(tpm, site):
    """Returns the KEK as a bytearray the caller wipes; raises LocalizationMismatch on refusal."""
    context = paths.RUN_DIR + "/kek.ctx"
    os.makedirs(paths.RUN_DIR, exist_ok=True)
    try:
        tpm.run("tpm2_load", "-C", PRIMARY_HANDLE, "-u", KEK_PUBLIC, "-r", KEK_PRIVATE, "-c", context)
        kek = bytearray(tpm.run("tpm2_unseal", "-c", context, "-p", "pcr:" + _pcr_selection(site)))
    except TpmError as error:
        raise LocalizationMismatch(
            f"the KEK did not unseal under {_pcr_selection(site)}: the boot chain differs from "
            f"the one it was sealed to ({error})"
        ) from error
    finally:
        if os.path.exists(context):
            os.remove(context)
    if len(kek) != KEK_BYTES:
        raise LocalizationMismatch(f"the unsealed KEK has {len(kek)} bytes, not {KEK_BYTES}")
    return kek
