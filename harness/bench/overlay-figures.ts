import { median, percentile } from './bench-stats.ts';

/**
 * The bytes of one sealed packet: what fits in the VXLAN tunnel's inner MTU (1450) under IPv4 and
 * TCP headers, rounded down.
 */
export const packetBytes = 1400;

/**
 * `OPENSSL_ia32cap` that hides the CPU's AES instructions from OpenSSL: AES-NI (CPUID.1:ECX bit
 * 25, bit 57 of the first word) and PCLMULQDQ (bit 1, bit 33) that GCM's hash uses beside it, and
 * VAES and VPCLMULQDQ (CPUID.7:ECX bits 9 and 10, bits 41 and 42 of the second word). OpenSSL then
 * seals with its constant-time software AES, as on a CPU without AES-NI.
 */
export const withoutAesNi = '~0x200000200000000:~0x60000000000';

/**
 * Bytes per second from `openssl speed -mr -bytes N -evp CIPHER`: its `+F:` line names the cipher
 * and gives one rate per block size asked for (one here). Undefined when the output has none.
 */
export function parseOpensslSpeed(output: string): number | undefined {
  const line = output.split('\n').find((l) => l.startsWith('+F:'));
  const rate = Number(line?.split(':').at(-1));
  return line === undefined || !Number.isFinite(rate) || rate <= 0 ? undefined : rate;
}

/** Seals per second from the envelope sealing loop's `seals=N seconds=S` line. */
export function parseSealRate(output: string): number | undefined {
  const match = /seals=(\d+) seconds=([\d.]+)/.exec(output);
  if (match === null) return undefined;
  const seals = Number(match[1]);
  const seconds = Number(match[2]);
  return seals > 0 && seconds > 0 ? seals / seconds : undefined;
}

/** Round trips in ms of every reply in `ping -n` output. */
export function parsePingRtts(output: string): number[] {
  return [...output.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
}

/** Microseconds one packet of `packetBytes` takes at a rate in bytes per second. */
export function microsecondsPerPacket(bytesPerSecond: number, bytes = packetBytes): number {
  return (1e6 * bytes) / bytesPerSecond;
}

/** Median and spread of some figures, the failed measurements left out. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  p10: number;
  p90: number;
  count: number;
}

export function spreadOf(values: readonly number[]): Spread | undefined {
  const measured = values.filter((v) => Number.isFinite(v));
  if (measured.length === 0) return undefined;
  return {
    median: median(measured),
    min: Math.min(...measured),
    max: Math.max(...measured),
    p10: percentile(measured, 10),
    p90: percentile(measured, 90),
    count: measured.length,
  };
}

/**
 * The order in which round `round` (from 0) measures the paths: rotated by one each round, so
 * that no path is always first after the pause between rounds.
 */
export function roundOrder<T>(paths: readonly T[], round: number): T[] {
  const shift = paths.length === 0 ? 0 : round % paths.length;
  return [...paths.slice(shift), ...paths.slice(0, shift)];
}

/** Per round, the measured path's figure over the baseline's, where both were measured. */
export function roundRatios(measured: readonly number[], baseline: readonly number[]): number[] {
  return measured.flatMap((m, i) => {
    const b = baseline[i];
    return b !== undefined && Number.isFinite(m) && Number.isFinite(b) && b > 0 ? [m / b] : [];
  });
}

/** One counter of a table of /proc/net/snmp (`Ip`, `Udp`, ...); undefined when it is absent. */
export function snmpCounter(snmp: string, table: string, counter: string): number | undefined {
  const [header, values] = snmp.split('\n').filter((line) => line.startsWith(`${table}: `));
  if (header === undefined || values === undefined) return undefined;
  const column = header.trim().split(/\s+/).indexOf(counter);
  const value = Number(values.trim().split(/\s+/)[column]);
  return column > 0 && Number.isFinite(value) ? value : undefined;
}

/** The MTU of a device from `ip -j link show DEV`; undefined when the output names none. */
export function linkMtu(json: string): number | undefined {
  try {
    const [link] = JSON.parse(json) as { mtu?: unknown }[];
    return typeof link?.mtu === 'number' ? link.mtu : undefined;
  } catch {
    return undefined;
  }
}
