import { describe, expect, it } from 'vitest';
import { devFileVariables, parseUpsSequence, UpsModel } from './ups-model.ts';

describe('UpsModel', () => {
  it('is on line and full until the mains fail', () => {
    const ups = new UpsModel({ capacityWh: 100, loadW: 360 });
    expect(ups.at(1000)).toMatchObject({ mains: true, status: ['OL'], chargePercent: 100 });
    expect(ups.at(0).runtimeS).toBeCloseTo(1000, 9);
  });

  it('drains linearly on battery, then reports LB, then turns off', () => {
    // 360 W from 100 Wh: 1000 s of runtime, 0.1 % per second.
    const ups = new UpsModel({
      capacityWh: 100,
      loadW: 360,
      lowBatteryPercent: 20,
      lowRuntimeS: 0,
    });
    ups.powerLoss(50);
    expect(ups.at(150)).toMatchObject({ status: ['OB'], chargePercent: 90 });
    const { lowBatteryAtS, exhaustedAtS } = ups.dischargeTimes(50);
    expect(lowBatteryAtS).toBeCloseTo(850, 9);
    expect(exhaustedAtS).toBeCloseTo(1050, 9);
    expect(ups.at(lowBatteryAtS - 1).status).toEqual(['OB']);
    expect(ups.at(lowBatteryAtS).status).toEqual(['OB', 'LB']);
    expect(ups.at(exhaustedAtS + 1).status).toEqual(['OFF']);
  });

  it('takes LB from the runtime limit when that comes first', () => {
    const ups = new UpsModel({
      capacityWh: 100,
      loadW: 360,
      lowBatteryPercent: 5,
      lowRuntimeS: 300,
    });
    ups.powerLoss(0);
    expect(ups.dischargeTimes(0).lowBatteryAtS).toBeCloseTo(700, 9);
    expect(ups.at(701).status).toEqual(['OB', 'LB']);
  });

  it('recharges after the mains return and carries FSD until it is cleared', () => {
    const ups = new UpsModel({ capacityWh: 100, loadW: 360, rechargePercentPerS: 0.5 });
    ups.powerLoss(0);
    ups.forcedShutdown(100);
    expect(ups.at(101).status).toEqual(['OB', 'FSD']);
    ups.powerRestore(200);
    expect(ups.at(200)).toMatchObject({ status: ['OL', 'CHRG', 'FSD'], chargePercent: 80 });
    ups.clearForcedShutdown(210);
    expect(ups.at(220)).toMatchObject({ status: ['OL', 'CHRG'], chargePercent: 90 });
    expect(ups.at(300).status).toEqual(['OL']);
    expect(ups.schedule.map((e) => e.kind)).toEqual([
      'power-loss',
      'forced-shutdown',
      'power-restore',
      'forced-shutdown-cleared',
    ]);
    expect(() => {
      ups.powerLoss(100);
    }).toThrow(/comes before the last one/);
  });

  it('writes the .dev variables dummy-ups serves, leaving FSD to upsd', () => {
    const ups = new UpsModel({ capacityWh: 100, loadW: 360, ratedW: 1200, lowBatteryPercent: 50 });
    ups.powerLoss(0);
    ups.forcedShutdown(600);
    expect(devFileVariables(ups.at(600))).toEqual({
      'ups.status': 'OB LB',
      'battery.charge': '40',
      'battery.runtime': '400',
      'ups.load': '30',
      'input.voltage': '0.0',
    });
  });
});

describe('parseUpsSequence', () => {
  it('reads a dummy-ups recording into a timeline', () => {
    const steps = parseUpsSequence(
      [
        '# recorded on a real unit',
        'ups.status: OL',
        'battery.charge: 100',
        'TIMER 30',
        'ups.status: OB',
        'TIMER 2.5',
        'ups.status: "OB LB"',
        'battery.charge: 12',
        'TIMER 5',
      ].join('\n'),
    );
    expect(steps).toEqual([
      { atS: 0, values: { 'ups.status': 'OL', 'battery.charge': '100' } },
      { atS: 30, values: { 'ups.status': 'OB' } },
      { atS: 32.5, values: { 'ups.status': 'OB LB', 'battery.charge': '12' } },
    ]);
  });

  it('names the line it cannot read', () => {
    expect(() => parseUpsSequence('ups.status: OL\nWAIT 3\n')).toThrow(/line 2: "WAIT 3"/);
  });
});
