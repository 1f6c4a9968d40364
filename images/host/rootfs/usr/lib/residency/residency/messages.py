"""The host's messages log (/var/log/messages), where a Linux host's daemons and kernel write: the
firewall's drop records (ulogd), the routing watch's "BGP Route Revocation" lines. It lives on the
VM disk, so it outlives a boot and can be read from outside the VM."""

import datetime
import os
import socket
import sys

from . import log, paths

MESSAGES_LOG = paths.LOG_DIR + "/messages"
SYSTEM_PATH = "/var/log/messages"


def link_system_path():
    """Makes /var/log/messages the log on the VM disk, as a host's syslog would keep it."""
    os.makedirs(paths.LOG_DIR, exist_ok=True)
    if os.path.islink(SYSTEM_PATH) or os.path.exists(SYSTEM_PATH):
        if os.path.realpath(SYSTEM_PATH) == os.path.realpath(MESSAGES_LOG):
            return
        os.remove(SYSTEM_PATH)
    os.symlink(MESSAGES_LOG, SYSTEM_PATH)


def write(tag, message):
    """One syslog-style line: `Nov 26 15:20:01 vm1 tag: message`, also on stderr."""
    when = datetime.datetime.now().strftime("%b %d %H:%M:%S")
    line = f"{when} {socket.gethostname()} {tag}: {message}"
    log.append_line(MESSAGES_LOG, line)
    print(line, file=sys.stderr, flush=True)
