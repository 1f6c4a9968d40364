import type { StartedContainer } from '../../runtime/started-container.ts';

export interface IperfResult {
  from: string;
  target: string;
  ok: boolean;
  /** Received throughput of the TCP test, bits per second. */
  bitsPerSecond: number;
  retransmits: number;
  seconds: number;
  detail: string;
}

/**
 * A TCP throughput test with iperf3 (JSON output) from a container of the harness to an iperf3
 * server. A server that is busy or unreachable gives ok=false with iperf3's own error.
 */
export async function iperfThroughput(
  from: StartedContainer,
  target: string,
  seconds = 3,
): Promise<IperfResult> {
  const result = await from.exec(['iperf3', '-c', target, '-t', String(seconds), '-J'], {
    timeoutMs: (seconds + 20) * 1000,
  });
  const base = { from: from.nodeName, target, seconds };
  try {
    const json = JSON.parse(result.stdout) as {
      end?: { sum_received?: { bits_per_second?: number }; sum_sent?: { retransmits?: number } };
      error?: string;
    };
    const received = json.end?.sum_received?.bits_per_second;
    if (received === undefined) throw new Error(json.error ?? 'iperf3 gave no summary');
    return {
      ...base,
      ok: true,
      bitsPerSecond: received,
      retransmits: json.end?.sum_sent?.retransmits ?? 0,
      detail: 'iperf3 TCP',
    };
  } catch (error) {
    return {
      ...base,
      ok: false,
      bitsPerSecond: 0,
      retransmits: 0,
      detail: `${(error as Error).message} ${result.stderr.trim()}`.trim(),
    };
  }
}

export function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
