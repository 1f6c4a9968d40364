import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { withPositiveControl } from '../../harness/checks/positive-control.ts';
import { icmpEcho, type DatagramProbe } from '../../harness/checks/probes/datagram-probe.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import { canonicalAddress } from './fence-records.ts';
import type { MessagesLog } from './network-evidence.ts';

/**
 * Echo requests from a foreign region's observer: to the host, and, as the positive control, to
 * its zone's observer (a harness container that answers echo requests), so that a silent host is
 * shown to sit behind a path that carries an echo there and back.
 */
export interface ForeignEchoObservation {
  phase: string;
  from: string;
  /** The pinger's address of the family it pinged over, when the caller gave it. */
  fromAddress?: string;
  toHost: DatagramProbe;
  toControl: DatagramProbe;
}

export const foreignEcho = observationKey<ForeignEchoObservation>('foreign-echo');

/** Three echo requests, 200 ms apart: one alone may be lost on its first trip through the routers. */
const echoRequests = 3;

export async function observeForeignEcho(
  context: ScenarioContext,
  options: {
    phase: string;
    foreignZone: string;
    hostAddress: string;
    controlAddress: string;
    /** The pinger's own address of that family, for checks of the host's records of it. */
    fromAddress?: string;
  },
): Promise<ForeignEchoObservation> {
  const observer = context.world.observer(options.foreignZone);
  const toControl = await icmpEcho(observer, options.controlAddress, 2, echoRequests);
  const toHost = await icmpEcho(observer, options.hostAddress, 2, echoRequests);
  return context.observe(foreignEcho, {
    phase: options.phase,
    from: observer.nodeName,
    ...(options.fromAddress === undefined ? {} : { fromAddress: options.fromAddress }),
    toHost,
    toControl,
  });
}

/**
 * The contract's inbound rule: a foreign source gets nothing in but replies and the public ports,
 * so an echo request from abroad gets no reply. A fence that lets ICMP in wholesale ("never drop
 * ICMPv6", "allow ping") answers it, and its reply crosses the exchange.
 */
export function answersNoForeignEcho(name: string, phase: string, family: 'IPv4' | 'IPv6'): Check {
  return {
    name,
    description: `The host answers no ${family} echo request from the foreign region; judged only once the same pinger got replies from the zone's observer through the same path`,
    verify(history) {
      const echo = lastObservation(history, foreignEcho, (d) => d.phase === phase).data;
      return withPositiveControl(
        {
          seen: echo.toControl.answered && echo.toHost.sent,
          what: `an echo reply from the zone's observer ${echo.toControl.target} to ${echo.from} (${echo.toControl.detail})`,
        },
        () =>
          verdictOf(
            !echo.toHost.answered,
            `${echo.from}'s ${family} echo requests to the host ${echo.toHost.target} got no reply (${echo.toHost.detail})`,
            `the host ${echo.toHost.target} answered ${echo.from}'s ${family} echo requests from abroad`,
            {
              expected: `no echo reply from ${echo.toHost.target}; replies from the zone's observer ${echo.toControl.target}`,
              observed: `host: ${echo.toHost.detail}; zone observer: ${echo.toControl.detail}`,
              evidence: [
                {
                  source: `ping from ${echo.from}`,
                  excerpt: `${echo.toHost.target}: ${echo.toHost.detail}\n${echo.toControl.target}: ${echo.toControl.detail}`,
                },
              ],
            },
          ),
      );
    },
  };
}

/**
 * The contract's inbound record: a foreign source trying to get in is recorded as `Martian Source`
 * in the messages log, in both address families. The foreign pinger's echo requests must leave a
 * record whose SRC is the pinger's address (compared in one written form); judged once the same
 * pinger's echo reached the zone's observer, so that its requests did reach the host's link.
 */
export function foreignEchoRecorded(name: string, phase: string, family: 'IPv4' | 'IPv6'): Check {
  return {
    name,
    description: `The host's messages log records the foreign region's ${family} echo requests as "Martian Source", with the pinger's address as SRC`,
    verify(history) {
      const echo = lastObservation(history, foreignEcho, (d) => d.phase === phase).data;
      const log = lastObservation<MessagesLog>(
        history,
        'messages-log',
        (d) => d.phase === phase,
      ).data;
      const from = echo.fromAddress;
      if (from === undefined)
        throw new MissingEvidence(foreignEcho.name, "the pinger's address was not recorded");
      const source = canonicalAddress(from);
      const lines = log.lines.filter((l) => {
        const src = /\bSRC=(\S+)/.exec(l)?.[1];
        return (
          l.includes('Martian Source') && src !== undefined && canonicalAddress(src) === source
        );
      });
      return withPositiveControl(
        {
          seen: echo.toControl.answered && echo.toHost.sent,
          what: `an echo reply from the zone's observer ${echo.toControl.target} to ${echo.from} (${echo.toControl.detail})`,
        },
        () =>
          verdictOf(
            lines.length > 0,
            `${lines.length} "Martian Source" record(s) of ${from}`,
            `no "Martian Source" record of the foreign pinger ${from}: its ${family} echo requests to ${echo.toHost.target} left no trace`,
            {
              expected: `a "Martian Source" line with SRC=${from}`,
              observed: `${lines.length} line(s) among ${log.lines.length}`,
              evidence: [
                {
                  source: 'the messages log on the VM disk',
                  excerpt: lines.slice(0, 3).join('\n') || '(none)',
                },
              ],
            },
          ),
      );
    },
  };
}
