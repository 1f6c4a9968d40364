import type { StartedHsm } from '../../../sims/hsm/hsm.ts';

/** A PKCS#11 call an HSM served, with the engine's time of its log line (epoch ms). */
export interface HsmCall {
  atMs: number;
  call: string;
  /**
   * The p11-kit server process that served it: one per client connection (the server forks for
   * each), so the calls of one host's link to the HSM share it.
   */
  process?: string;
}

/**
 * The PKCS#11 calls an HSM served, from its p11-kit server's RPC log (the HSM simulator runs it
 * with P11_KIT_DEBUG=rpc), timestamped by the engine: what the hosts asked of the HSM, seen from
 * the HSM's side of the cable.
 */
export async function hsmCalls(hsm: StartedHsm, tailLines = 200_000): Promise<HsmCall[]> {
  const logs = await hsm.container.logs(tailLines, { timestamps: true });
  const calls: HsmCall[] = [];
  for (const line of logs.split('\n')) {
    const call = parseHsmCall(line);
    if (call !== undefined) calls.push(call);
  }
  return calls;
}

/** One line of the log with the engine's timestamp: "<RFC 3339> (p11-kit:PID) rpc_C_X: ... enter". */
export function parseHsmCall(line: string): HsmCall | undefined {
  const match = /^(\S+) (?:\(p11-kit:(\d+)\) )?.*rpc_(C_\w+): .*enter/.exec(line);
  if (match === null) return undefined;
  const [, stamp = '', process, call = ''] = match;
  const atMs = Date.parse(stamp);
  if (!Number.isFinite(atMs)) return undefined;
  return process === undefined ? { atMs, call } : { atMs, call, process };
}
