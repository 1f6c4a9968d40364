"""Shared by the BMC's programs: its configuration (/etc/bmc/bmc.json, written by the harness)
and the sensor files. A sensor file holds one temperature in millidegrees Celsius, as Linux hwmon's
temp*_input does; the thermal model writes it, ipmi_sim and the SNMP agent read it."""

import json
import os

CONFIG = "/etc/bmc/bmc.json"
SENSOR_DIR = "/run/bmc/sensors"
STATE_DIR = "/run/bmc/state"
TRAP_SINKS = "/run/bmc/trap-sinks"

# Threshold states, in the order of SOVH-BMC-MIB's sovhThermalState enumeration.
STATES = ["normal", "lowerNonCritical", "lowerCritical", "upperNonCritical", "upperCritical"]


def load():
    with open(CONFIG, encoding="utf-8") as handle:
        return json.load(handle)


def sensor_path(sensor):
    return os.path.join(SENSOR_DIR, sensor["key"])


def read_millidegrees(sensor):
    """The sensor's current reading, or None while no value was fed (or a feed is half written)."""
    try:
        with open(sensor_path(sensor), encoding="ascii") as handle:
            return int(handle.read().strip())
    except (OSError, ValueError):
        return None


def write_millidegrees(sensor, value):
    """Writes atomically (rename), so that no reader ever sees an empty or partial file."""
    os.makedirs(SENSOR_DIR, exist_ok=True)
    temporary = sensor_path(sensor) + ".tmp"
    with open(temporary, "w", encoding="ascii") as handle:
        handle.write(f"{int(value)}\n")
    os.replace(temporary, sensor_path(sensor))


def threshold_state(sensor, millidegrees):
    """Where a reading stands against the sensor's thresholds: outside means strictly beyond."""
    t = sensor["thresholds"]
    celsius = millidegrees / 1000
    if celsius > t["upperCritical"]:
        return "upperCritical"
    if celsius > t["upperNonCritical"]:
        return "upperNonCritical"
    if celsius < t["lowerCritical"]:
        return "lowerCritical"
    if celsius < t["lowerNonCritical"]:
        return "lowerNonCritical"
    return "normal"
