"""Power watch: NUT's upsmon, as a secondary monitor of the UPS named in the site file (`ups`),
reports power events to the agent (NOTIFYCMD and SHUTDOWNCMD call residency-event). On battery
(ONBATT) the stack prepares: it flushes its writes to disk. On low battery (LOWBATT), a forced
shutdown (FSD) or upsmon's own shutdown call, it runs the graceful residency shutdown
(shutdown.py), which wipes the keys before anything else. When power returns later, nothing is
restored from memory or disk: keys come back only at the next boot, through the TPM."""

import os
import subprocess

from .. import control_socket, log, shutdown

NUT_DIR = "/etc/nut"
EVENT_COMMAND = "/usr/local/sbin/residency-event power"
NOTIFY_EVENTS = ["ONLINE", "ONBATT", "LOWBATT", "FSD", "COMMOK", "COMMBAD", "SHUTDOWN", "NOCOMM"]
CRITICAL_EVENTS = {"LOWBATT", "FSD", "SHUTDOWN"}


def upsmon_conf(ups):
    poll = int(ups.get("pollFrequencyS", 1))
    lines = [
        f"MONITOR {ups['name']}@{ups['address']}:{ups['port']} 1 {ups['user']} {ups['password']} secondary",
        "MINSUPPLIES 1",
        f'SHUTDOWNCMD "{EVENT_COMMAND} SHUTDOWN"',
        # Quoted: upsmon takes NOTIFYCMD's first word alone otherwise, and drops the topic.
        f'NOTIFYCMD "{EVENT_COMMAND}"',
        f"POLLFREQ {poll}",
        f"POLLFREQALERT {poll}",
        # A secondary waits this long for the primary's FSD before deciding alone; the stack does
        # not wait: it acts on LOWBATT itself.
        "HOSTSYNC 5",
        "DEADTIME 15",
        "FINALDELAY 0",
        "RUN_AS_USER root",
        "POWERDOWNFLAG /run/residency/killpower",
    ]
    lines += [f"NOTIFYFLAG {event} SYSLOG+EXEC" for event in NOTIFY_EVENTS]
    return "\n".join(lines) + "\n"


def boot(state):
    ups = state.site.get("ups")
    if ups is None:
        return
    os.makedirs(NUT_DIR, exist_ok=True)
    with open(os.path.join(NUT_DIR, "nut.conf"), "w", encoding="utf-8") as handle:
        handle.write("MODE=netclient\n")
    path = os.path.join(NUT_DIR, "upsmon.conf")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(upsmon_conf(ups))
    os.chmod(path, 0o600)
    state.power_ups = f"{ups['name']}@{ups['address']}:{ups['port']}"


def handle_event(state, event):
    if event == "ONBATT":
        log.event(f"POWER_ON_BATTERY ups={state.power_ups}: preparing for a graceful residency shutdown")
        os.sync()
    elif event in CRITICAL_EVENTS:
        log.event(f"POWER_CRITICAL event={event} ups={state.power_ups}")
        shutdown.graceful(state, f"power:{event}")
    elif event == "ONLINE":
        log.event(f"POWER_ONLINE ups={state.power_ups}")
    else:
        log.event(f"POWER_EVENT event={event} ups={state.power_ups}")


def start(state):
    if getattr(state, "power_ups", None) is None:
        return
    control_socket.on("power", lambda event: handle_event(state, event))
    os.makedirs("/run/nut", exist_ok=True)
    # -F: stay in the foreground as the agent's child; -p: one process (the container has no nut user split).
    state.upsmon = subprocess.Popen(["/lib/nut/upsmon", "-F", "-p"], stdin=subprocess.DEVNULL)
    log.event(f"power watch: upsmon monitoring {state.power_ups}")
