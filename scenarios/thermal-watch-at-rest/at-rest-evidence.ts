import { machineProbe } from '../../harness/checks/probes/machine-probe.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';

/** The host's BMC and thermal policy as the harness wrote them into its site file. */
export interface SiteBmc {
  address: string;
  ipmi: {
    port: number;
    interface: string;
    authType?: string;
    cipherSuite?: number;
    user: string;
    password: string;
  };
  snmp?: { port: number };
  sensors: { key: string; name: string }[];
}

export interface SiteThermal {
  operatingRangeC: { min: number; max: number };
  rangeSensors: string[];
  pollIntervalMs: number;
  /** The protocol to read first (the contract's default: snmp, or ipmi when there is no SNMP). */
  protocol?: 'snmp' | 'ipmi';
}

/** The `bmc` and `thermal` sections of a host's site file. */
export function siteBmcOf(host: HostVm): { bmc: SiteBmc; thermal: SiteThermal } {
  const site = JSON.parse(host.siteFile) as { bmc?: SiteBmc; thermal?: SiteThermal };
  if (site.bmc === undefined || site.thermal === undefined)
    throw new Error(`host ${host.name}'s site file has no bmc or thermal section`);
  return { bmc: site.bmc, thermal: site.thermal };
}

/** One UDP packet to or from the BMC on one of its ports, as tcpdump saw it. */
export interface BmcPacket {
  atMs: number;
  direction: 'request' | 'reply';
  port: number;
  /** The other end: the address the request came from, or the reply went to. */
  peer: string;
}

export interface BmcTraffic {
  host: string;
  hostAddress: string;
  bmcAddress: string;
  ports: number[];
  /** Which of `ports` is which protocol's (SNMP only when the site gives it). */
  protocolPorts: { ipmi: number; snmp?: number };
  fromMs: number;
  untilMs: number;
  packets: BmcPacket[];
  tcpdumpExit: number;
  stderr: string;
}

/**
 * Parses tcpdump's `-tt -n` lines of UDP to and from `bmcAddress` on the BMC's ports: requests to
 * the BMC, replies from it, each with the address at the other end. Other lines are ignored.
 */
export function parseBmcTraffic(
  text: string,
  bmcAddress: string,
  ports: readonly number[],
): BmcPacket[] {
  const packets: BmcPacket[] = [];
  const pattern =
    /^(\d+\.\d+)\s+(?:\S+\s+\S+\s+)?IP (\d+\.\d+\.\d+\.\d+)\.(\d+) > (\d+\.\d+\.\d+\.\d+)\.(\d+):/;
  for (const line of text.split('\n')) {
    const match = pattern.exec(line.trim());
    if (match === null) continue;
    const [, at, src, sport, dst, dport] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const atMs = Math.round(Number(at) * 1000);
    if (dst === bmcAddress && ports.includes(Number(dport)))
      packets.push({ atMs, direction: 'request', port: Number(dport), peer: src });
    else if (src === bmcAddress && ports.includes(Number(sport)))
      packets.push({ atMs, direction: 'reply', port: Number(sport), peer: dst });
  }
  return packets;
}

function bmcFilter(bmc: SiteBmc): { ports: number[]; filter: string } {
  const ports = [bmc.ipmi.port, ...(bmc.snmp === undefined ? [] : [bmc.snmp.port])];
  return {
    ports,
    filter: `udp and host ${bmc.address} and (${ports.map((p) => `port ${p}`).join(' or ')})`,
  };
}

/**
 * Waits, up to `timeoutMs`, for the first packet between the machine and its BMC: the thermal
 * watch has begun. Returns whether one came; the checks judge the capture that follows.
 */
export async function awaitFirstBmcPacket(
  context: ScenarioContext,
  host: HostVm,
  bmc: SiteBmc,
  timeoutMs: number,
): Promise<boolean> {
  const probe = await machineProbe(context.world, host.machine);
  const { filter } = bmcFilter(bmc);
  const result = await probe.exec(
    [
      'timeout',
      String(Math.ceil(timeoutMs / 1000)),
      'tcpdump',
      '-i',
      'any',
      '-n',
      '-c',
      '1',
      filter,
    ],
    { timeoutMs: timeoutMs + 15_000 },
  );
  return result.exitCode === 0;
}

/**
 * Captures, for `windowMs`, the UDP the host exchanges with its BMC (IPMI, and SNMP when the site
 * gives it), with tcpdump in the machine's network namespace: whatever interface the BMC is
 * reached through (the zone network for the simulator, the lab network for a real BMC, where the
 * machine's address is its lab interface's). The harness sends the BMC nothing meanwhile, so
 * every packet of the namespace to or from the BMC is the host's.
 */
export async function observeBmcTraffic(
  context: ScenarioContext,
  host: HostVm,
  bmc: SiteBmc,
  windowMs: number,
): Promise<BmcTraffic> {
  const probe = await machineProbe(context.world, host.machine);
  const { ports, filter } = bmcFilter(bmc);
  const fromMs = Date.now();
  const result = await probe.exec(
    [
      'timeout',
      String(Math.ceil(windowMs / 1000)),
      'tcpdump',
      '-i',
      'any',
      '-n',
      '-tt',
      '-l',
      filter,
    ],
    { timeoutMs: windowMs + 15_000 },
  );
  const untilMs = Date.now();
  return context.observe('bmc-traffic', {
    host: host.name,
    hostAddress: host.address,
    bmcAddress: bmc.address,
    ports,
    protocolPorts: {
      ipmi: bmc.ipmi.port,
      ...(bmc.snmp === undefined ? {} : { snmp: bmc.snmp.port }),
    },
    fromMs,
    untilMs,
    packets: parseBmcTraffic(result.stdout, bmc.address, ports),
    // timeout ends tcpdump with 124: the capture ran its whole window.
    tcpdumpExit: result.exitCode,
    stderr: result.stderr.slice(-400),
  });
}

/** The harness's own IPMI read of the BMC's temperature sensors, by the names the site gives. */
export interface HarnessRead {
  atMs: number;
  ok: boolean;
  readings: Record<string, number>;
  command: string;
  output: string;
}

/**
 * Reads the BMC's temperatures with the harness's ipmitool from the machine's namespace (where the
 * host reads it from), over the interface and login the site gives the host: `lan` with its
 * authType, or `lanplus` with the password in ipmitool's environment.
 */
export async function harnessReadBmc(
  context: ScenarioContext,
  host: HostVm,
  bmc: SiteBmc,
): Promise<HarnessRead> {
  const probe = await machineProbe(context.world, host.machine);
  const login =
    bmc.ipmi.interface === 'lanplus'
      ? ['-I', 'lanplus', '-C', String(bmc.ipmi.cipherSuite ?? 3)]
      : ['-I', bmc.ipmi.interface, '-A', bmc.ipmi.authType ?? 'MD5'];
  const args = [
    'ipmitool',
    ...login,
    '-H',
    bmc.address,
    '-p',
    String(bmc.ipmi.port),
    '-U',
    bmc.ipmi.user,
    '-E',
    '-c',
    'sdr',
    'type',
    'Temperature',
  ];
  const atMs = Date.now();
  const result = await probe.exec(['env', `IPMI_PASSWORD=${bmc.ipmi.password}`, ...args], {
    timeoutMs: 20_000,
  });
  const byName = new Map(
    result.stdout
      .split('\n')
      .map((line) => line.split(','))
      .map((f) => [f[0] ?? '', Number(f[1])] as const),
  );
  const readings: Record<string, number> = {};
  for (const sensor of bmc.sensors) {
    const value = byName.get(sensor.name);
    if (value !== undefined && Number.isFinite(value)) readings[sensor.key] = value;
  }
  const ok = result.exitCode === 0 && bmc.sensors.every((s) => s.key in readings);
  return context.observe('harness-bmc-read', {
    atMs,
    ok,
    readings,
    command: args.join(' '),
    output: (result.stdout || result.stderr).trim().slice(0, 600),
  });
}
