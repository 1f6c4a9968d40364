import { setTimeout as sleep } from 'node:timers/promises';
import { lastObservation, type Check } from '../../harness/checks/check.ts';
import {
  runStoreLoad,
  stopStoreLoad,
  type LoadRequest,
  type LoadTarget,
} from '../../harness/checks/probes/store-load.ts';
import { unknown, verdictOf } from '../../harness/checks/verdict.ts';
import {
  hsmAnswerTimeoutMs,
  hsmHangRefusalBound,
} from '../../harness/contract/key-custody-bounds.ts';
import { injectFault } from '../../harness/faults/inject-fault.ts';
import type { FaultWindow } from '../../harness/faults/fault-train.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import { boundValue } from '../../harness/scenario/scenario-bounds.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';

/**
 * The hang's timing: the load runs `beforeMs` with the HSM answering (the positive control), the
 * HSM hangs for `holdMs` (the 3 s bound leaves 3 s of requests that must all be refused), and the
 * load goes on `tailMs` past the heal.
 */
export const hangPlan = { beforeMs: 1_500, holdMs: 6_000, tailMs: 2_000, loadLimitMs: 60_000 };

/** The load that ran through the hang, with the hang's window. */
export interface HangLoadObservation {
  window: FaultWindow;
  requests: LoadRequest[];
}
export const hangLoad = observationKey<HangLoadObservation>('hsm-hang-load');

/**
 * Hangs the HSM (its server stopped, its socket open) under a load of writes and reads on every
 * host, and records each request with the hang's moments.
 */
export async function observeHsmHang(
  context: ScenarioContext,
  hsm: string,
  targets: readonly LoadTarget[],
): Promise<HangLoadObservation> {
  const observer = context.world.observer('sovereign');
  const stamp = Date.now();
  const stopFile = `/tmp/stop-hang-load-${stamp}`;
  const load = runStoreLoad(observer, targets, hangPlan.loadLimitMs, `hang-${stamp}`, stopFile);
  // Awaited below; a failed injection must not leave its rejection unhandled.
  load.catch(() => undefined);
  let window: FaultWindow;
  try {
    await sleep(hangPlan.beforeMs);
    const cutBeganAtMs = Date.now();
    const heal = await injectFault(context, 'hsm-hang', { hsm });
    const cutAtMs = Date.now();
    try {
      await sleep(hangPlan.holdMs);
    } finally {
      const healBeganAtMs = Date.now();
      await heal();
      window = { cutBeganAtMs, cutAtMs, healBeganAtMs, healedAtMs: Date.now() };
    }
    await sleep(hangPlan.tailMs);
  } finally {
    await stopStoreLoad(observer, stopFile);
  }
  return context.observe(hangLoad, { window, requests: await load });
}

/** When a host last served and first refused in the hang, from the hang's start. */
function turnOf(requests: readonly LoadRequest[], host: string, window: FaultWindow): string {
  const during = requests.filter(
    (r) => r.host === host && r.startedAtMs >= window.cutAtMs && r.atMs <= window.healBeganAtMs,
  );
  const at = (r: LoadRequest | undefined) =>
    r === undefined
      ? 'none'
      : `${r.op} +${Math.round(r.startedAtMs - window.cutAtMs)} ms (${r.status}${r.code === undefined ? '' : ` ${r.code}`})`;
  return `${host}: last served ${at(during.filter(accepted).at(-1))}; first refused ${at(during.find((r) => !accepted(r)))}`;
}

/** Whether the store accepted the request: a stored write, or a read answered with the object. */
function accepted(r: LoadRequest): boolean {
  return r.op === 'put' ? r.ok : r.status === 200;
}

/**
 * A hung HSM is a lost one (CONTRACT.md, the cell's HSM): from the bound after the hang on, every
 * write and read on every host is refused until the heal. A watch whose ping waits for an answer
 * for ever never sees the loss, and the store serves on from the key in memory. Before the hang
 * each host must have served (the positive control: refusals of a store that served nothing say
 * nothing of the hang).
 */
export const hungHsmRefusedCheck: Check = {
  name: 'hung-hsm-refused-within-bound',
  description: `Every write and read begun ${hsmHangRefusalBound.contract} ms (a watch interval, the ${hsmAnswerTimeoutMs / 1_000} s answer timeout and one more interval; a stack may tighten it) or more after the HSM stops answering, its socket still open, and answered before the heal, is refused on every host`,
  verify(history) {
    const boundMs = boundValue(history, hsmHangRefusalBound);
    const { window, requests } = lastObservation(history, hangLoad).data;
    const hosts = [...new Set(requests.map((r) => r.host))];
    const idle = hosts.filter(
      (h) => !requests.some((r) => r.host === h && r.atMs < window.cutBeganAtMs && accepted(r)),
    );
    if (hosts.length === 0 || idle.length > 0)
      return unknown(
        `no request was served before the hang on ${idle.join(', ') || 'any host'}: a refusal would say nothing of the hang`,
      );
    const problems: string[] = [];
    const lines: string[] = [];
    for (const host of hosts) {
      const inWindow = requests.filter(
        (r) =>
          r.host === host &&
          r.startedAtMs >= window.cutAtMs + boundMs &&
          r.atMs <= window.healBeganAtMs,
      );
      const served = inWindow.filter(accepted);
      lines.push(`${host}: ${served.length} of ${inWindow.length} served`);
      if (inWindow.length < 2)
        problems.push(`${host}: ${inWindow.length} request(s) in the window, too few to judge`);
      else if (served.length > 0)
        problems.push(
          `${host} served ${served.length} of ${inWindow.length} requests, the first ${served[0]?.op} ${Math.round((served[0]?.startedAtMs ?? 0) - window.cutAtMs)} ms after the HSM hung`,
        );
    }
    return verdictOf(
      problems.length === 0,
      `every request ${boundMs} ms or more into the hang was refused (${lines.join('; ')})`,
      problems.join('; '),
      {
        expected: `no write or read served from ${boundMs} ms after the hang until its heal (${window.healBeganAtMs - window.cutAtMs} ms of hang)`,
        observed: lines.join('; '),
        evidence: [
          {
            source: 'store load from the zone observer',
            excerpt: hosts.map((host) => turnOf(requests, host, window)).join('\n'),
          },
        ],
      },
    );
  },
};
