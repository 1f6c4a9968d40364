import { describe, expect, it } from 'vitest';
import {
  compareTpm,
  compareUps,
  parityExitCode,
  parityReport,
  pcrList,
  renderParity,
  type ParityRow,
  type TpmProbe,
} from './parity-compare.ts';

const all24 = Array.from({ length: 24 }, (_, i) => i);
const swtpm: TpmProbe = {
  algorithms: ['aes', 'cfb', 'ecc', 'keyedhash', 'rsa', 'rsassa', 'sha1', 'sha256', 'tdes'],
  pcrBanks: { sha1: all24, sha256: all24 },
  persistentHandles: [],
  properties: {
    family: '2.0',
    manufacturer: 'IBM',
    vendorString: 'SW TPM',
    firmwareVersion: '8217.4131.22.13878',
    firmwareRaw: '0x20191023 0x00163636',
    revision: '1.64',
  },
};

const rowOf = (rows: ParityRow[], item: string) => {
  const found = rows.find((r) => r.item === item);
  if (found === undefined) throw new Error(`no row ${item}: ${rows.map((r) => r.item).join(', ')}`);
  return found;
};

describe('TPM comparison', () => {
  it('finds nothing to change a verdict between two equal TPMs', () => {
    const rows = compareTpm(swtpm, swtpm);
    expect(rows.every((r) => r.verdict === 'same')).toBe(true);
    expect(rows.some((r) => r.couldChangeVerdict !== undefined)).toBe(false);
    expect(rowOf(rows, 'PCR bank sha256').real).toBe('0-23');
  });

  it('marks a missing sha256 bank and a missing used algorithm as verdict-changing, an extra bank not', () => {
    const real: TpmProbe = {
      ...swtpm,
      algorithms: swtpm.algorithms.filter((a) => a !== 'ecc').concat(['sm3_256']),
      pcrBanks: { sha1: all24, sha384: all24 },
      properties: { ...swtpm.properties, manufacturer: 'INTC', firmwareVersion: '600.18.0.0' },
    };
    const rows = compareTpm(swtpm, real);
    const bank = rowOf(rows, 'PCR bank sha256');
    expect(bank.verdict).toBe('only-simulator');
    expect(bank.couldChangeVerdict).toMatch(/boot-binding seals to sha256:7/);
    expect(rowOf(rows, 'PCR bank sha384')).toMatchObject({ verdict: 'only-real' });
    expect(rowOf(rows, 'PCR bank sha384').couldChangeVerdict).toBeUndefined();
    expect(rowOf(rows, 'algorithm ecc').couldChangeVerdict).toMatch(/ecc256/);
    expect(rowOf(rows, 'algorithm sm3_256')).toMatchObject({ verdict: 'only-real' });
    expect(rowOf(rows, 'manufacturer')).toMatchObject({ verdict: 'differs', real: 'INTC' });
    expect(rowOf(rows, 'manufacturer').couldChangeVerdict).toBeUndefined();
  });

  it('marks a sha256 bank without PCR 7 and a taken primary handle', () => {
    const real: TpmProbe = {
      ...swtpm,
      pcrBanks: { sha1: all24, sha256: [0, 1, 2, 3, 4, 5, 6] },
      persistentHandles: ['0x81000001', '0x81010001'],
    };
    const rows = compareTpm(swtpm, real);
    expect(rowOf(rows, 'PCR bank sha256')).toMatchObject({ verdict: 'differs', real: '0-6' });
    expect(rowOf(rows, 'PCR bank sha256').couldChangeVerdict).toMatch(/sha256:7/);
    expect(rowOf(rows, 'persistent handle 0x81000001').couldChangeVerdict).toMatch(/primary key/);
    expect(rowOf(rows, 'persistent handle 0x81010001').couldChangeVerdict).toBeUndefined();
  });

  it('writes PCR selections as ranges', () => {
    expect(pcrList([0, 1, 2, 3, 7, 9, 10])).toBe('0-3,7,9-10');
    expect(pcrList([])).toBe('none');
  });
});

describe('UPS comparison', () => {
  const sim = {
    variables: {
      'ups.status': 'OL',
      'battery.charge': '100',
      'ups.load': '35',
      'battery.runtime': '2400',
    },
  };

  it('compares names, readings by presence, and ups.status by its flags', () => {
    const real = {
      variables: {
        'ups.status': 'OL',
        'battery.charge': '97',
        'battery.runtime': '600',
        'ups.mfr': 'APC',
      },
    };
    const rows = compareUps(sim, real);
    expect(rowOf(rows, 'battery.charge').verdict).toBe('same');
    expect(rowOf(rows, 'ups.mfr')).toMatchObject({ verdict: 'only-real', real: 'APC' });
    expect(rowOf(rows, 'ups.load')).toMatchObject({ verdict: 'only-simulator' });
    expect(rows.some((r) => r.couldChangeVerdict !== undefined)).toBe(false);
    expect(
      rowOf(
        compareUps(
          { variables: { 'ups.status': 'OL CHRG' } },
          { variables: { 'ups.status': 'CHRG OL' } },
        ),
        'ups.status',
      ).verdict,
    ).toBe('same');
  });

  it('marks a missing polled variable and another starting state', () => {
    const real = { variables: { 'ups.status': 'OB DISCHRG', 'battery.runtime': '600' } };
    const rows = compareUps(sim, real);
    expect(rowOf(rows, 'ups.status').couldChangeVerdict).toMatch(/another state/);
    expect(rowOf(rows, 'battery.charge').couldChangeVerdict).toMatch(/missing on the real UPS/);
    expect(rowOf(rows, 'ups.load').couldChangeVerdict).toBeUndefined();
  });
});

describe('report', () => {
  it('exits 1 only when a row could change a verdict, and says the HSM was not compared', () => {
    const same = parityReport('lab.yaml', [
      {
        kind: 'tpm',
        address: 'swtpm:host=10.0.0.2,port=2321',
        usedBy: ['m'],
        rows: compareTpm(swtpm, swtpm),
        notCompared: [],
      },
    ]);
    expect(parityExitCode(same)).toBe(0);
    expect(renderParity(same)).toContain('not compared: the profile has no HSM devices');
    expect(renderParity(same)).toContain('parity: no difference could change a verdict');
    const real = { ...swtpm, pcrBanks: { sha1: all24 } };
    const differs = parityReport('lab.yaml', [
      {
        kind: 'tpm',
        address: 'swtpm:host=10.0.0.2,port=2321',
        usedBy: ['m'],
        rows: compareTpm(swtpm, real),
        notCompared: [],
      },
    ]);
    expect(parityExitCode(differs)).toBe(1);
    expect(renderParity(differs)).toMatch(
      /PCR bank sha256 +0-23 +\(absent\) +only on simulator +YES: /,
    );
  });
});
