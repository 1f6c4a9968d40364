import type { StartedContainer } from '../../runtime/started-container.ts';
import { nfqueueDrops, softnetDrops, udpReceiveBufferErrors } from './kernel-drops.ts';

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

export interface UdpLossResult {
  from: string;
  target: string;
  ok: boolean;
  /** Datagrams the receiver found missing in the sequence, as a share of those sent. */
  lostPercent: number;
  lostPackets: number;
  packets: number;
  jitterMs: number;
  /** What the machine's kernel dropped on receive while the test ran (softnet backlog). */
  machineDrops: number;
  /** What the receiver's socket buffer overflowed with while the test ran (it read too late). */
  receiverBufferDrops: number;
  /** What the path's simulators dropped in their NFQUEUE delay lines while the test ran. */
  linkSimulatorDrops: number;
  detail: string;
}

/**
 * A UDP test with iperf3 at a fixed rate: loss and jitter as the receiver counted them. The
 * machine's own backlog drops, the receiving end's socket-buffer drops and the drops of the
 * path's simulated delay lines are read around it, so that a loss the machine or the harness
 * caused can be told from one of the stack. Inbound (`iperf3 -R`), the server sends and `from`
 * receives: the datagrams cross `from`'s own input path, and its socket buffer is the receiver's.
 */
export async function iperfUdpLoss(
  from: StartedContainer,
  target: string,
  options: {
    rateMbit: number;
    seconds: number;
    /** The server's container. */
    receiver: StartedContainer;
    /** Containers that simulate the path (routers with link delay lines), if any. */
    linkSimulators?: readonly StartedContainer[];
    /** The server sends to `from` instead of `from` sending to the server. */
    inbound?: boolean;
  },
): Promise<UdpLossResult> {
  const reverse = options.inbound === true ? ['-R'] : [];
  const detail = ['iperf3 -u', ...reverse, `-b ${options.rateMbit}M -t ${options.seconds}`].join(
    ' ',
  );
  const receivingEnd = options.inbound === true ? from : options.receiver;
  const simulators = options.linkSimulators ?? [];
  const simulatorDrops = async () =>
    (await Promise.all(simulators.map(nfqueueDrops))).reduce((a, b) => a + b, 0);
  const dropsBefore = await softnetDrops(from);
  const receiverBefore = await udpReceiveBufferErrors(receivingEnd);
  const simulatorsBefore = await simulatorDrops();
  const result = await from.exec(
    [
      'iperf3',
      '-c',
      target,
      '-u',
      ...reverse,
      '-b',
      `${options.rateMbit}M`,
      '-t',
      String(options.seconds),
      '-J',
    ],
    { timeoutMs: (options.seconds + 25) * 1000 },
  );
  const base = {
    from: from.nodeName,
    target,
    machineDrops: (await softnetDrops(from)) - dropsBefore,
    receiverBufferDrops: (await udpReceiveBufferErrors(receivingEnd)) - receiverBefore,
    linkSimulatorDrops: (await simulatorDrops()) - simulatorsBefore,
  };
  try {
    const json = JSON.parse(result.stdout) as {
      end?: {
        sum?: {
          lost_percent?: number;
          lost_packets?: number;
          jitter_ms?: number;
          packets?: number;
        };
      };
      error?: string;
    };
    const sum = json.end?.sum;
    if (sum === undefined) throw new Error(json.error ?? 'iperf3 gave no summary');
    return {
      ...base,
      ok: true,
      lostPercent: sum.lost_percent ?? 100,
      lostPackets: sum.lost_packets ?? 0,
      packets: sum.packets ?? 0,
      jitterMs: sum.jitter_ms ?? 0,
      detail,
    };
  } catch (error) {
    return {
      ...base,
      ok: false,
      lostPercent: 100,
      lostPackets: 0,
      packets: 0,
      jitterMs: 0,
      detail: `${detail}: ${(error as Error).message} ${result.stderr.trim()}`.trim(),
    };
  }
}

/** The mean of the better half of some measurements (the larger half when their number is odd). */
export function betterHalfMean(values: readonly number[]): number {
  const better = [...values].sort((a, b) => b - a).slice(0, Math.ceil(values.length / 2));
  return better.length === 0 ? 0 : better.reduce((a, b) => a + b, 0) / better.length;
}
