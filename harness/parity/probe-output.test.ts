import { describe, expect, it } from 'vitest';
import {
  parsePcrBanks,
  parsePersistentHandles,
  parseSdrTemperature,
  parseSensorThresholds,
  parseSnmpWalk,
  parseTpmAlgorithms,
  parseUpsVariables,
} from './probe-output.ts';

// Samples as the tools printed them against the project's swtpm, NUT upsd and BMC simulator.
const algorithms = `rsa:
  value:      0x1
  asymmetric: 1
  symmetric:  0
tdes:
  value:      0x3
  asymmetric: 0
sha256:
  value:      0xB
  hash:       1
`;

const pcrs = `selected-pcrs:
  - sha1: [ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23 ]
  - sha256: [ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23 ]
  - sha384: [ ]
`;

const upsc = `Init SSL without certificate database
battery.charge: 100
battery.runtime: 600
device.mfr: Stand-in Power
driver.parameter.port: /run/nut/labups.dev
ups.model: Lab UPS 1000
ups.status: OL
`;

const sdr = `Unable to Get Channel Cipher Suites
Inlet Temp       | 01h | ok  | 55.1 | 22 degrees C
CPU Temp         | 02h | ok  |  3.1 | 46 degrees C
Exhaust Temp     | 03h | ns  |  7.1 | No Reading
`;

const sensorGet = `Locating sensor record...
Sensor ID              : Inlet Temp (0x1)
 Entity ID             : 55.1
 Sensor Type (Threshold)  : Temperature
 Sensor Reading        : 22 (+/- 0) degrees C
 Status                : ok
 Lower Non-Recoverable : na
 Lower Critical        : 15.000
 Lower Non-Critical    : 18.000
 Upper Non-Critical    : 27.000
 Upper Critical        : 32.000
 Upper Non-Recoverable : na
 Positive Hysteresis   : Unspecified

Sensor ID              : CPU Temp (0x2)
 Upper Critical        : 95.000
`;

describe('probe output', () => {
  it('reads the algorithms of tpm2_getcap algorithms, not their fields', () => {
    expect(parseTpmAlgorithms(algorithms)).toEqual(['rsa', 'sha256', 'tdes']);
    expect(() => parseTpmAlgorithms('ERROR: connection refused')).toThrow(/no algorithm/);
  });

  it('reads each PCR bank with its selected PCRs, an empty selection too', () => {
    const banks = parsePcrBanks(pcrs);
    expect(Object.keys(banks)).toEqual(['sha1', 'sha256', 'sha384']);
    expect(banks.sha256).toHaveLength(24);
    expect(banks.sha256?.[7]).toBe(7);
    expect(banks.sha384).toEqual([]);
    expect(() => parsePcrBanks('')).toThrow(/selected-pcrs/);
  });

  it('reads persistent handles, and none from an empty answer', () => {
    expect(parsePersistentHandles('- 0x81000001\n- 0x81010001\n')).toEqual([
      '0x81000001',
      '0x81010001',
    ]);
    expect(parsePersistentHandles('')).toEqual([]);
  });

  it("reads upsc's variables and skips its other lines", () => {
    const variables = parseUpsVariables(upsc);
    expect(variables['ups.status']).toBe('OL');
    expect(variables['ups.model']).toBe('Lab UPS 1000');
    expect(Object.keys(variables)).toHaveLength(6);
    expect(() => parseUpsVariables('Error: Connection failure')).toThrow(/no "variable: value"/);
  });

  it('reads the temperature sensors with number and unit, and one without a reading', () => {
    expect(parseSdrTemperature(sdr)).toEqual([
      { name: 'Inlet Temp', number: '01h', unit: 'degrees C' },
      { name: 'CPU Temp', number: '02h', unit: 'degrees C' },
      { name: 'Exhaust Temp', number: '03h', unit: '' },
    ]);
  });

  it('reads the thresholds per sensor, leaving out the unset ones', () => {
    expect(parseSensorThresholds(sensorGet)).toEqual({
      'Inlet Temp': {
        'Lower Critical': 15,
        'Lower Non-Critical': 18,
        'Upper Non-Critical': 27,
        'Upper Critical': 32,
      },
      'CPU Temp': { 'Upper Critical': 95 },
    });
  });

  it('reads an snmpwalk by numeric OID, without its end-of-view lines', () => {
    expect(
      parseSnmpWalk(
        '.1.3.6.1.2.1.99.1.1.1.1.1 8\n.1.3.6.1.2.1.99.1.1.1.4.1 218\n.1.3.6.1.2.1.47.1.1.1.1.7.1 "Inlet Temp"\n.1.3.6.1.2.1.99.1.1.1.5 No more variables left in this MIB View\n',
      ),
    ).toEqual({
      '.1.3.6.1.2.1.99.1.1.1.1.1': '8',
      '.1.3.6.1.2.1.99.1.1.1.4.1': '218',
      '.1.3.6.1.2.1.47.1.1.1.1.7.1': 'Inlet Temp',
    });
  });
});
