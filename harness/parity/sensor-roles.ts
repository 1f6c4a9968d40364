import { bmcSensors, sensorValueOid, snmpResolutionC } from '../../sims/bmc/bmc-sensors.ts';
import type { SensorKey } from '../../sims/bmc/thermal-model.ts';
import { realBmcSensors, type RealBmcProfile } from '../devices/device-profile.ts';

/**
 * The sensors the stack reads, per role (inlet, cpu, exhaust), as each side names them: the
 * simulator by its own SDR names and OIDs, the real BMC by the profile's `sensors` map (each
 * field defaulting to the simulator's, as the hosts' site file does). Parity compares a role's
 * two sensors, whatever their names.
 */
export interface SensorRole {
  key: SensorKey;
  simulator: { name: string; snmpOid: string; snmpScale: number };
  /** As the hosts read the real BMC; the SNMP fields only when the profile gives it `snmp`. */
  real: { name: string; snmpOid?: string; snmpScale?: number };
  /** What the profile's `sensors.<key>` gives itself (for the messages: whose name is read). */
  given: { name?: string; snmpOid?: string; snmpScale?: number };
}

export function sensorRoles(bmc: RealBmcProfile): SensorRole[] {
  return realBmcSensors(bmc).map((real) => {
    const sim = bmcSensors.find((s) => s.key === real.key);
    if (sim === undefined) throw new Error(`the BMC simulator has no sensor ${real.key}`);
    const { key, ...named } = real;
    // The walk prints OIDs with a leading dot; a profile may write them without.
    if (named.snmpOid !== undefined && !named.snmpOid.startsWith('.'))
      named.snmpOid = `.${named.snmpOid}`;
    return {
      key,
      // The simulator's entPhySensorValue is in tenths of a degree: its resolution is its scale.
      simulator: { name: sim.name, snmpOid: sensorValueOid(sim), snmpScale: snmpResolutionC },
      real: named,
      given: { ...bmc.sensors?.[key] },
    };
  });
}

/** Where the real side's name of a role comes from, for the messages. */
export function nameSource(role: SensorRole): string {
  return role.given.name === undefined
    ? `the simulator's name: the profile gives no sensors.${role.key}.name`
    : `the profile's sensors.${role.key}.name`;
}
