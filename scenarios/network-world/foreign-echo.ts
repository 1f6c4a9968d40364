import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { withPositiveControl } from '../../harness/checks/positive-control.ts';
import { icmpEcho, type DatagramProbe } from '../../harness/checks/probes/datagram-probe.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';

/**
 * Echo requests from a foreign region's observer: to the host, and, as the positive control, to
 * its zone's observer (a harness container that answers echo requests), so that a silent host is
 * shown to sit behind a path that carries an echo there and back.
 */
export interface ForeignEchoObservation {
  phase: string;
  from: string;
  toHost: DatagramProbe;
  toControl: DatagramProbe;
}

export const foreignEcho = observationKey<ForeignEchoObservation>('foreign-echo');

/** Three echo requests, 200 ms apart: one alone may be lost on its first trip through the routers. */
const echoRequests = 3;

export async function observeForeignEcho(
  context: ScenarioContext,
  options: { phase: string; foreignZone: string; hostAddress: string; controlAddress: string },
): Promise<ForeignEchoObservation> {
  const observer = context.world.observer(options.foreignZone);
  const toControl = await icmpEcho(observer, options.controlAddress, 2, echoRequests);
  const toHost = await icmpEcho(observer, options.hostAddress, 2, echoRequests);
  return context.observe(foreignEcho, {
    phase: options.phase,
    from: observer.nodeName,
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
