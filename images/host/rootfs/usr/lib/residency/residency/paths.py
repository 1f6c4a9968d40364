"""Where the stack keeps things. The VM disk (/var/lib/residency) survives reboots and migration."""

SITE_FILE = "/etc/residency/site.json"
DISK = "/var/lib/residency"
TPM_DIR = DISK + "/tpm"
LOG_DIR = DISK + "/log"
RESIDENCY_LOG = LOG_DIR + "/residency.log"
AUDIT_LOG = LOG_DIR + "/audit.log"
DATA_DIR = "/data/sovereign_storage"
# Volatile state: a tmpfs on real machines; never holds key material in clear.
RUN_DIR = "/run/residency"
