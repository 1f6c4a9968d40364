import type { StartedHsm } from '../../../sims/hsm/hsm.ts';

/** A PKCS#11 call an HSM served, with the engine's time of its log line (epoch ms). */
export interface HsmCall {
  atMs: number;
  call: string;
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
    const match = /^(\S+) .*rpc_(C_\w+): .*enter/.exec(line);
    if (match === null) continue;
    const atMs = Date.parse(match[1] ?? '');
    if (Number.isFinite(atMs)) calls.push({ atMs, call: match[2] ?? '' });
  }
  return calls;
}
