import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { withPositiveControl } from '../../harness/checks/positive-control.ts';
import { verdictOf, type Evidence, type Verdict } from '../../harness/checks/verdict.ts';
import type { History } from '../../harness/scenario/history.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { CaptureResult } from '../../sims/router/started-router.ts';

/** What a tcpdump on the exchange router saw: the border witness of every network scenario. */
export interface ExchangeCapture {
  phase?: string;
  router: string;
  device: string;
  filter: string;
  packets: number;
  /** Packets per source address, over the whole capture (not only the lines kept). */
  sources: Record<string, number>;
  lines: string[];
  /** What tcpdump said the kernel dropped before it read them (absent: it did not say). */
  droppedByKernel?: number;
  /** The harness's own datagrams sent out of the captured leg meanwhile (StartedRouter.sendCanary). */
  canary?: CaptureCanary;
}

/** The positive control of a capture: datagrams the router itself sent from `source`. */
export interface CaptureCanary {
  source: string;
  destination: string;
  sent: number;
}

/** The source address of each packet of tcpdump's `-nn` summary lines, counted (pure). */
export function packetSources(lines: readonly string[]): Record<string, number> {
  const sources: Record<string, number> = {};
  for (const line of lines) {
    // IPv6 summaries read "IP6 fd5a:40::3.51000 > ...": the address ends at the port's dot.
    const source =
      /\bIP (\d+\.\d+\.\d+\.\d+)/.exec(line)?.[1] ??
      /\bIP6 ([0-9a-f:]+)[. ]/.exec(line)?.[1] ??
      'unparsed';
    sources[source] = (sources[source] ?? 0) + 1;
  }
  return sources;
}

/** Records a stopped exchange capture as the run's `exchange-capture` observation. */
export function observeExchangeCapture(
  context: ScenarioContext,
  router: string,
  seen: CaptureResult,
  phase?: string,
  canary?: CaptureCanary,
): ExchangeCapture {
  const observation: ExchangeCapture = {
    ...(phase === undefined ? {} : { phase }),
    router,
    device: seen.device,
    filter: seen.filter,
    packets: seen.packets,
    sources: packetSources(seen.lines),
    lines: seen.lines.slice(0, 50),
    ...(seen.droppedByKernel === undefined ? {} : { droppedByKernel: seen.droppedByKernel }),
    ...(canary === undefined ? {} : { canary }),
  };
  context.observe('exchange-capture', observation);
  return observation;
}

export function exchangeCaptureOf(history: History): ExchangeCapture {
  return lastObservation<ExchangeCapture>(history, 'exchange-capture').data;
}

/** The first packets of a capture as a check's evidence. */
export function captureExcerpt(capture: ExchangeCapture): Evidence {
  return {
    source: `tcpdump on ${capture.router}`,
    excerpt: capture.lines.slice(0, 10).join('\n') || '(no packets)',
  };
}

/** What says whether a capture saw everything: its router, and tcpdump's count of drops. */
export interface CaptureCompleteness {
  router: string;
  droppedByKernel?: number;
}

/**
 * Why an empty capture proves nothing, when it does not: tcpdump said the kernel dropped packets
 * before it read them, or did not say at all (undefined: the capture can prove an absence).
 */
export function blindCapture(capture: CaptureCompleteness): string | undefined {
  if (capture.droppedByKernel === undefined)
    return `tcpdump on ${capture.router} gave no closing statistics, so packets it missed are not known`;
  if (capture.droppedByKernel > 0)
    return `tcpdump on ${capture.router} missed ${String(capture.droppedByKernel)} packet(s) the kernel dropped before it read them`;
  return undefined;
}

/** A pass that rests on what the capture did not hold is only as good as the capture. */
export function unlessBlind(capture: CaptureCompleteness, verdict: Verdict): Verdict {
  const blind = blindCapture(capture);
  if (verdict.status !== 'pass' || blind === undefined) return verdict;
  return { ...verdict, status: 'unknown', summary: `${verdict.summary}, but ${blind}` };
}

/**
 * A check that passes only when the exchange capture holds no packet but the harness's canary,
 * which it must hold: a capture that did not see the canary (the wrong leg, a filter that matches
 * nothing) proves nothing by its silence.
 */
export function nothingCrossesExchange(check: {
  name: string;
  description: string;
  passed: string;
  /** Says what the packets were, given how many the capture holds. */
  failed: (packets: number) => string;
}): Check {
  return {
    name: check.name,
    description: check.description,
    verify(history) {
      const capture = exchangeCaptureOf(history);
      const canary = capture.canary;
      const canaryPackets = canary === undefined ? 0 : (capture.sources[canary.source] ?? 0);
      const crossed = capture.packets - canaryPackets;
      return withPositiveControl(
        {
          seen: canaryPackets > 0,
          what:
            canary === undefined
              ? `a canary sent across ${capture.router} (none was sent)`
              : `the canary ${capture.router} sent from ${canary.source} to ${canary.destination} (${String(canary.sent)} datagrams)`,
        },
        () =>
          unlessBlind(
            capture,
            verdictOf(
              crossed === 0,
              `${check.passed} (only the ${String(canaryPackets)} datagrams of the harness's canary)`,
              check.failed(crossed),
              {
                expected: `0 packets in the capture at the exchange but the harness's canary from ${canary?.source ?? '?'}`,
                observed: `${String(crossed)} packet(s) besides ${String(canaryPackets)} of the canary (${capture.filter})`,
                evidence: [captureExcerpt(capture)],
              },
            ),
          ),
      );
    },
  };
}
