import type { Readings, SensorKey } from './thermal-model.ts';

/**
 * The BMC's temperature sensors, as both protocols number them: the IPMI sensor number is also
 * the ENTITY-SENSOR-MIB index (sims/bmc/image/doc/SOVH-BMC-MIB.txt).
 */
export interface BmcSensor {
  key: SensorKey;
  index: number;
  /** The IPMI SDR's ID string, which `ipmitool sdr` prints. */
  name: string;
  /** IPMI entity id: 55 air inlet, 3 processor, 7 system board. */
  entity: number;
}

export const bmcSensors: readonly BmcSensor[] = [
  { key: 'inlet', index: 1, name: 'Inlet Temp', entity: 55 },
  { key: 'cpu', index: 2, name: 'CPU Temp', entity: 3 },
  { key: 'exhaust', index: 3, name: 'Exhaust Temp', entity: 7 },
];

/** ENTITY-SENSOR-MIB::entPhySensorValue, in tenths of a degree (precision 1). */
export const entPhySensorValueOid = '.1.3.6.1.2.1.99.1.1.1.4';
/** SOVH-BMC-MIB::sovhThermalThresholdCrossed. */
export const thresholdCrossedTrapOid = '.1.3.6.1.4.1.8072.9999.9999.5.0.1';

export function sensorValueOid(sensor: BmcSensor): string {
  return `${entPhySensorValueOid}.${sensor.index}`;
}

/** The published reading: the model's temperature to the sensor's 0.1 C, in millidegrees. */
export function publishedMillidegrees(celsius: number): number {
  return Math.round(celsius * 10) * 100;
}

/**
 * What IPMI reports for a published reading: its SDR converts raw * 0.5 C, and ipmi_sim's file
 * poller (div=500) rounds to the nearest raw step (measured: 27249 mC reads 27.0, 27251 reads 27.5).
 */
export function ipmiCelsius(millidegrees: number): number {
  return Math.round(millidegrees / 500) * 0.5;
}

/** What SNMP reports for a published reading: entPhySensorValue in tenths. */
export function snmpCelsius(millidegrees: number): number {
  return Math.round(millidegrees / 100) / 10;
}

export const ipmiResolutionC = 0.5;
export const snmpResolutionC = 0.1;

export function publishedReadings(readings: Readings): Readings {
  return {
    inlet: publishedMillidegrees(readings.inlet),
    cpu: publishedMillidegrees(readings.cpu),
    exhaust: publishedMillidegrees(readings.exhaust),
  };
}
