import { describe, expect, it } from 'vitest';
import { lanplusArguments } from '../devices/ipmitool-args.ts';
import type { ExecOptions, ExecResult } from '../runtime/container-exec.ts';
import type { StartedContainer } from '../runtime/started-container.ts';
import { probeBmc, type BmcTarget } from './device-probes.ts';

// What the tools printed against the BMC simulator, trimmed to what the probe reads.
const answers: Record<string, string> = {
  'mc info':
    'Device ID : 0\nFirmware Revision : 9.08\nIPMI Version : 2.0\nManufacturer ID : 4753\nProduct ID : 3842 (0x0f02)\n',
  'sdr type Temperature': 'Ambient Temp     | 01h | ok  | 55.1 | 22 degrees C\n',
  'sensor get Ambient Temp': 'Sensor ID : Ambient Temp (0x1)\n Upper Critical : 32.000\n',
  snmpwalk: '.1.3.6.1.2.1.99.1.1.1.4.1 218\n',
  snmpget: '.1.3.6.1.4.1.674.1.1 22\n',
};

/** A container that answers like the BMC's tools and records each command with its environment. */
function fakeContainer() {
  const calls: { command: string[]; env?: Record<string, string> }[] = [];
  const container = {
    exec: (command: string[], options?: ExecOptions): Promise<ExecResult> => {
      calls.push({ command, ...(options?.env === undefined ? {} : { env: options.env }) });
      const text = command.join(' ');
      const key = Object.keys(answers).find((k) =>
        k.startsWith('snmp') ? command[0] === k : text.endsWith(k),
      );
      const stdout = key === undefined ? '' : (answers[key] ?? '');
      return Promise.resolve({
        exitCode: 0,
        stdout,
        stderr: '',
        stdoutBytes: Buffer.from(stdout),
        durationMs: 1,
      });
    },
  } as unknown as StartedContainer;
  return { container, calls };
}

const target: BmcTarget = {
  host: '10.99.0.4',
  port: 623,
  user: 'labadmin',
  cipherSuite: 17,
  password: 'secret-pw',
  passwordFrom: 'LAB_BMC_PASSWORD',
  snmp: { version: '2c', port: 161, community: 'ro' },
  sensorOids: ['.1.3.6.1.2.1.99.1.1.1.4.1', '.1.3.6.1.4.1.674.1.1'],
};

describe('BMC probe', () => {
  it("logs in over lanplus with the target's cipher suite (-C), the password only in the environment", async () => {
    const { container, calls } = fakeContainer();
    const probe = await probeBmc(container, target, 'real');
    expect(probe.sensors.map((s) => s.name)).toEqual(['Ambient Temp']);
    const lanplus = calls.filter((c) => c.command.includes('lanplus'));
    expect(
      lanplus.map((c) => c.command.slice(1 + lanplusArguments(target).length).join(' ')),
    ).toEqual(['mc info', 'sdr type Temperature', 'sensor get Ambient Temp']);
    for (const call of lanplus) {
      expect(call.command.slice(0, 5)).toEqual(['ipmitool', '-I', 'lanplus', '-C', '17']);
      expect(call.env).toEqual({ IPMI_PASSWORD: 'secret-pw' });
    }
    expect(calls.flatMap((c) => c.command)).not.toContain('secret-pw');
  });

  it('walks entPhySensorTable and gets the OIDs the walk did not return', async () => {
    const { container, calls } = fakeContainer();
    const probe = await probeBmc(container, target, 'real');
    const get = calls.find((c) => c.command[0] === 'snmpget');
    expect(get?.command.at(-1)).toBe('.1.3.6.1.4.1.674.1.1');
    expect(get?.command).not.toContain('.1.3.6.1.2.1.99.1.1.1.4.1');
    expect(probe.snmp).toEqual({
      '.1.3.6.1.2.1.99.1.1.1.4.1': '218',
      '.1.3.6.1.4.1.674.1.1': '22',
    });
  });
});
