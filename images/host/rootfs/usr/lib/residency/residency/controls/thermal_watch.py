"""Thermal watch: the stack PULLS its machine's temperatures from the BMC named in the site file
(`bmc`), over SNMP (ENTITY-SENSOR-MIB) or IPMI over LAN, every `thermal.pollIntervalMs`; nothing
listens for a push. It raises THERMAL_ALARM when a sensor of `thermal.rangeSensors` leaves the
operating range (the manual's 18-27 C), THERMAL_ALARM_CLEARED when it returns, and at a critical
limit (`thermal.criticalC`) takes the configured critical action: the graceful residency
shutdown (shutdown.py), or only the alarm."""

import os
import subprocess
import threading
import time

from .. import log, shutdown

TIMEOUT_S = 5


class ReadError(Exception):
    pass


def snmp_login(snmp):
    """snmpget's login: a community for v1/v2c; for v3 the user, with authentication and, when the
    site gives a privacy password, privacy (net-snmp's default protocols)."""
    if snmp["version"] != "3":
        return ["-c", snmp["community"]]
    login = ["-u", snmp["user"], "-A", snmp["authPassword"]]
    if snmp.get("privPassword"):
        return ["-l", "authPriv", *login, "-X", snmp["privPassword"]]
    return ["-l", "authNoPriv", *login]


def read_snmp(bmc):
    snmp = bmc["snmp"]
    sensors = bmc["sensors"]
    command = [
        "snmpget", "-v", snmp["version"], *snmp_login(snmp), "-On", "-Oqv", "-t", "1", "-r", "1",
        f"{bmc['address']}:{snmp['port']}", *[sensor["snmpOid"] for sensor in sensors],
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    values = result.stdout.split()
    if result.returncode != 0 or len(values) != len(sensors):
        raise ReadError(f"snmpget exited {result.returncode}: {result.stderr.strip() or result.stdout.strip()}")
    try:
        return {sensor["key"]: int(value) * sensor["snmpScale"] for sensor, value in zip(sensors, values)}
    except ValueError as error:
        raise ReadError(f"snmpget gave a non-numeric reading: {result.stdout.strip()}") from error


def ipmi_command(bmc):
    """ipmitool's command and environment: IPMI 1.5 (`lan`, with the site's authType) or IPMI 2.0
    (`lanplus` with the site's cipher suite, so that ipmitool does not first ask the BMC for its
    list; the password goes in ipmitool's environment, never on its command line)."""
    ipmi = bmc["ipmi"]
    if ipmi["interface"] == "lanplus":
        command = [
            "ipmitool", "-I", "lanplus", "-C", str(ipmi.get("cipherSuite", 3)), "-H", bmc["address"],
            "-p", str(ipmi["port"]), "-U", ipmi["user"], "-E", "-c", "sdr", "type", "Temperature",
        ]
        return command, {**os.environ, "IPMI_PASSWORD": ipmi["password"]}
    command = [
        "ipmitool", "-I", ipmi["interface"], "-A", ipmi["authType"], "-H", bmc["address"],
        "-p", str(ipmi["port"]), "-U", ipmi["user"], "-P", ipmi["password"], "-c", "sdr", "type", "Temperature",
    ]
    return command, None


def read_ipmi(bmc):
    command, env = ipmi_command(bmc)
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False, env=env)
    if result.returncode != 0:
        raise ReadError(f"ipmitool exited {result.returncode}: {result.stderr.strip()}")
    by_name = {}
    for line in result.stdout.splitlines():
        fields = line.split(",")
        if len(fields) >= 2:
            by_name[fields[0]] = fields[1]
    readings = {}
    for sensor in bmc["sensors"]:
        try:
            readings[sensor["key"]] = float(by_name[sensor["name"]])
        except (KeyError, ValueError) as error:
            raise ReadError(f"ipmitool gave no reading for {sensor['name']}: {result.stdout.strip()}") from error
    return readings


READERS = {"snmp": read_snmp, "ipmi": read_ipmi}


class ThermalWatch:
    def __init__(self, state, bmc, policy):
        self.state = state
        self.bmc = bmc
        self.policy = policy
        self.alarmed = set()
        self.critical = set()
        self.failing = False
        protocol = policy.get("protocol", "snmp")
        # The other protocol is the fallback when the chosen one does not answer.
        # A protocol the site gives the BMC no section for (a real BMC without SNMP) is not tried.
        offered = [p for p in READERS if p in bmc]
        self.readers = [READERS[p] for p in [protocol, *[p for p in offered if p != protocol]] if p in offered]

    def read(self):
        errors = []
        for reader in self.readers:
            try:
                return reader(self.bmc)
            except (ReadError, subprocess.TimeoutExpired) as error:
                errors.append(str(error))
        raise ReadError("; ".join(errors))

    def evaluate(self, readings):
        low = self.policy["operatingRangeC"]["min"]
        high = self.policy["operatingRangeC"]["max"]
        for key in self.policy.get("rangeSensors", ["inlet"]):
            reading = readings.get(key)
            if reading is None:
                continue
            outside = reading < low or reading > high
            if outside and key not in self.alarmed:
                self.alarmed.add(key)
                side = "high" if reading > high else "low"
                log.event(f"THERMAL_ALARM sensor={key} reading={reading:.1f} range={low}-{high} side={side}")
            elif not outside and key in self.alarmed:
                self.alarmed.discard(key)
                log.event(f"THERMAL_ALARM_CLEARED sensor={key} reading={reading:.1f} range={low}-{high}")
        for key, limit in self.policy.get("criticalC", {}).items():
            reading = readings.get(key)
            if reading is None or reading < limit or key in self.critical:
                continue
            self.critical.add(key)
            action = self.policy.get("criticalAction", "residency-shutdown")
            log.event(f"THERMAL_CRITICAL sensor={key} reading={reading:.1f} limit={limit} action={action}")
            if action == "residency-shutdown":
                shutdown.graceful(self.state, f"thermal:{key}")

    def run(self):
        interval_s = self.policy.get("pollIntervalMs", 500) / 1000
        while True:
            started = time.monotonic()
            try:
                self.evaluate(self.read())
                if self.failing:
                    log.event("THERMAL_READINGS_RESTORED")
                self.failing = False
            except ReadError as error:
                if not self.failing:
                    log.event(f"THERMAL_READINGS_UNAVAILABLE bmc={self.bmc['address']}: {error}")
                self.failing = True
            time.sleep(max(0.0, interval_s - (time.monotonic() - started)))


def boot(state):
    bmc = state.site.get("bmc")
    policy = state.site.get("thermal")
    if bmc is None or policy is None:
        return
    state.thermal_watch = ThermalWatch(state, bmc, policy)


def start(state):
    watch = getattr(state, "thermal_watch", None)
    if watch is None:
        return
    threading.Thread(target=watch.run, name="thermal-watch", daemon=True).start()
    log.event(
        f"thermal watch: polling {watch.bmc['address']} every {watch.policy.get('pollIntervalMs', 500)} ms "
        f"over {watch.policy.get('protocol', 'snmp')}"
    )
