"""Where the stack keeps things. The VM disk (/var/lib/residency) survives reboots and migration."""

SITE_FILE = "/etc/residency/site.json"
DISK = "/var/lib/residency"
TPM_DIR = DISK + "/tpm"
LOG_DIR = DISK + "/log"
RESIDENCY_LOG = LOG_DIR + "/residency.log"
AUDIT_LOG = LOG_DIR + "/audit.log"
# The HSM's secure log; /var/log/hsm is a link to this directory on the VM disk.
HSM_LOG_DIR = LOG_DIR + "/hsm"
KEYS_DIR = DISK + "/keys"
# KMS client configuration, written from the site file at boot (the manual's client.conf).
KMS_CLIENT_CONF = "/etc/key-management/client.conf"
# The audit watch: rules for the machine's audit daemon, and the audit disk it writes to.
AUDIT_RULES_DIR = "/etc/audit/rules.d"
AUDIT_RULES_FILE = AUDIT_RULES_DIR + "/residency.rules"
AUDIT_DISK = "/var/log/audit"
AUDIT_ACTIVE_RULES = AUDIT_DISK + "/rules.active"
STORE_AUDIT_TRAIL = AUDIT_DISK + "/residency-store.log"
DATA_DIR = "/data/sovereign_storage"
# Volatile state: a tmpfs on real machines; never holds key material in clear.
RUN_DIR = "/run/residency"
