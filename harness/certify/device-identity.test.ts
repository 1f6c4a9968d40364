import { describe, expect, it } from 'vitest';
import { parseTpmProperties } from './tpm-properties.ts';
import { parseUpsIdentity } from './ups-identity.ts';

/** The head of swtpm 0.7.1's `tpm2_getcap properties-fixed` (tpm2-tools 5.4). */
const swtpmProperties = `TPM2_PT_FAMILY_INDICATOR:
  raw: 0x322E3000
  value: "2.0"
TPM2_PT_LEVEL:
  raw: 0
TPM2_PT_REVISION:
  raw: 0xA4
  value: 1.64
TPM2_PT_MANUFACTURER:
  raw: 0x49424D00
  value: "IBM"
TPM2_PT_VENDOR_STRING_1:
  raw: 0x53572020
  value: "SW"
TPM2_PT_VENDOR_STRING_2:
  raw: 0x2054504D
  value: "TPM"
TPM2_PT_VENDOR_STRING_3:
  raw: 0x0
  value: ""
TPM2_PT_VENDOR_STRING_4:
  raw: 0x0
  value: ""
TPM2_PT_VENDOR_TPM_TYPE:
  raw: 0x1
TPM2_PT_FIRMWARE_VERSION_1:
  raw: 0x20191023
TPM2_PT_FIRMWARE_VERSION_2:
  raw: 0x163636
TPM2_PT_INPUT_BUFFER:
  raw: 0x400
`;

describe('what the devices say of themselves', () => {
  it("reads a TPM's manufacturer, vendor string and firmware from tpm2_getcap", () => {
    expect(parseTpmProperties(swtpmProperties)).toEqual({
      family: '2.0',
      manufacturer: 'IBM',
      vendorString: 'SW TPM',
      firmwareVersion: '8217.4131.22.13878',
      firmwareRaw: '0x20191023 0x00163636',
      revision: '1.64',
    });
  });

  it('reads an Infineon-style manufacturer and firmware 7.85', () => {
    const output = swtpmProperties
      .replace('0x49424D00', '0x49465800')
      .replace('0x20191023', '0x70055')
      .replace('0x163636', '0x0');
    expect(parseTpmProperties(output)).toMatchObject({
      manufacturer: 'IFX',
      firmwareVersion: '7.85.0.0',
    });
  });

  it('names a property the TPM did not report', () => {
    const output = swtpmProperties.replace(/TPM2_PT_MANUFACTURER:\n.*\n.*\n/, '');
    expect(() => parseTpmProperties(output)).toThrow(
      'tpm2_getcap properties-fixed did not report TPM2_PT_MANUFACTURER',
    );
  });

  it("reads a UPS's maker, model and firmware from upsc, leaving out what it lacks", () => {
    expect(
      parseUpsIdentity(
        'battery.charge: 100\ndevice.mfr: Eaton\nups.model: 5PX 1500\nups.firmware: 02.08.0010\nups.status: OL\n',
      ),
    ).toEqual({ manufacturer: 'Eaton', model: '5PX 1500', firmware: '02.08.0010' });
    expect(parseUpsIdentity('ups.status: OL\nups.mfr: \n')).toEqual({
      manufacturer: undefined,
      model: undefined,
      firmware: undefined,
    });
  });
});
