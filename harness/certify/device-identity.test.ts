import { describe, expect, it } from 'vitest';
import { describeBmcIdentity, parseBmcIdentity } from './bmc-identity.ts';
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

/**
 * `ipmitool -I lanplus mc info` (ipmitool 1.8.19, Debian bookworm) against OpenIPMI's ipmi_sim as
 * sims/bmc configures it; trailing spaces kept as ipmitool prints them.
 */
const ipmiSimMcInfo = `Device ID                 : 0
Device Revision           : 3
Firmware Revision         : 9.08
IPMI Version              : 2.0
Manufacturer ID           : 4753
Manufacturer Name         : MontaVista Software, Inc.
Product ID                : 3842 (0x0f02)
Product Name              : Unknown (0xF02)
Device Available          : yes
Provides Device SDRs      : yes
Additional Device Support :
    Sensor Device
    SDR Repository Device
    SEL Device
    FRU Inventory Device
    IPMB Event Receiver
    Chassis Device
Aux Firmware Rev Info     : 
    0x00
    0x00
    0x00
    0x00
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

  it("reads a BMC's manufacturer, product, firmware and IPMI version from mc info", () => {
    const identity = parseBmcIdentity(ipmiSimMcInfo);
    expect(identity).toEqual({
      manufacturerId: 4753,
      manufacturerName: 'MontaVista Software, Inc.',
      productId: 0x0f02,
      firmwareRevision: '9.08',
      ipmiVersion: '2.0',
      deviceId: 0,
      deviceRevision: 3,
    });
    // ipmitool did not know the product ("Unknown (0xF02)"): the id is kept, the name left out.
    expect(identity).not.toHaveProperty('productName');
    expect(describeBmcIdentity(identity)).toBe(
      'MontaVista Software, Inc. (4753) product 0x0f02, firmware 9.08, IPMI 2.0',
    );
  });

  it('keeps a product name ipmitool knows, and takes ids in hex', () => {
    const output = ipmiSimMcInfo
      .replace('Product Name              : Unknown (0xF02)', 'Product Name              : X11DPi')
      .replace('Device ID                 : 0', 'Device ID                 : 0x20');
    expect(parseBmcIdentity(output)).toMatchObject({ productName: 'X11DPi', deviceId: 0x20 });
  });

  it('names a field mc info did not report, and a field that is not a number', () => {
    const noFirmware = ipmiSimMcInfo.replace(/^Firmware Revision.*\n/m, '');
    expect(() => parseBmcIdentity(noFirmware)).toThrow(
      'ipmitool mc info did not report Firmware Revision',
    );
    expect(() => parseBmcIdentity('Error: Unable to establish IPMI v2 / RMCP+ session\n')).toThrow(
      'did not report Device ID, Firmware Revision, IPMI Version, Manufacturer ID, Product ID',
    );
    expect(() =>
      parseBmcIdentity(
        ipmiSimMcInfo.replace('Manufacturer ID           : 4753', 'Manufacturer ID : n/a'),
      ),
    ).toThrow('Manufacturer ID is "n/a", not a number');
  });
});
