import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { medianPeriod, periodLimitMs } from '../../harness/checks/watch-cadence.ts';
import { logMarkers } from '../../harness/contract/log-markers.ts';
import type { History } from '../../harness/scenario/history.ts';
import type { LogLine } from '../power-thermal/thermal-evidence.ts';
import type { BmcPacket, BmcTraffic, HarnessRead, SiteThermal } from './at-rest-evidence.ts';

/** The capture is cut in slices of this length; the host must read the BMC in every one. */
export const sliceMs = 5_000;

function residencyLog(history: History): LogLine[] {
  return lastObservation<{ lines: LogLine[] }>(history, 'residency-log').data.lines;
}

/** The host reads its BMC all along: in every slice of the capture a request and the BMC's reply. */
export const hostReadsBmc: Check = {
  name: 'host-reads-bmc',
  description:
    "The host pulls its temperatures from the BMC its site file names (simulated or real): in every 5 s of a capture in the machine's network namespace, requests from the host and replies from the BMC",
  verify(history) {
    const t = lastObservation<BmcTraffic>(history, 'bmc-traffic').data;
    const slices = Math.floor((t.untilMs - t.fromMs) / sliceMs);
    if (slices < 1 || t.tcpdumpExit !== 124)
      throw new MissingEvidence(
        'bmc-traffic',
        `the capture did not run its window (tcpdump exit ${t.tcpdumpExit}, ${t.untilMs - t.fromMs} ms): ${t.stderr}`,
      );
    const empty: string[] = [];
    for (let i = 0; i < slices; i += 1) {
      const from = t.fromMs + i * sliceMs;
      const inSlice = t.packets.filter((p) => p.atMs >= from && p.atMs < from + sliceMs);
      const requests = inSlice.filter((p) => p.direction === 'request').length;
      const replies = inSlice.filter((p) => p.direction === 'reply').length;
      if (requests === 0 || replies === 0)
        empty.push(`${new Date(from).toISOString()}: ${requests} requests, ${replies} replies`);
    }
    const requests = t.packets.filter((p) => p.direction === 'request').length;
    const replies = t.packets.length - requests;
    const peers = [...new Set(t.packets.map((p) => p.peer))].join(', ') || 'none';
    const observed = `${requests} requests from the machine (${peers}), ${replies} replies from ${t.bmcAddress} (UDP ${t.ports.join(', ')}) in ${slices} slices of ${sliceMs} ms`;
    return verdictOf(
      empty.length === 0,
      observed,
      `the host did not read ${t.bmcAddress} in ${empty.length} of ${slices} slices: ${empty.slice(0, 3).join('; ')}`,
      {
        expected: `requests from the host to ${t.bmcAddress} and replies in every ${sliceMs} ms`,
        observed,
        evidence: [
          {
            source: `tcpdump in machine of ${t.host}'s network namespace`,
            excerpt: t.packets
              .slice(0, 8)
              .map((p) => `${new Date(p.atMs).toISOString()} ${p.direction} udp/${p.port}`)
              .join('\n'),
          },
        ],
      },
    );
  },
};

/**
 * When each of the host's polls of its BMC began: a request after a quiet of at least `quietMs`.
 * One poll may take several packets (an IPMI session's setup, an SNMP retry); they are one poll.
 */
export function pollStarts(packets: readonly BmcPacket[], quietMs: number): number[] {
  const requests = packets
    .filter((p) => p.direction === 'request')
    .map((p) => p.atMs)
    .sort((a, b) => a - b);
  return requests.filter((at, i) => i === 0 || at - (requests[i - 1] ?? at) >= quietMs);
}

/**
 * The host polls its BMC at the site's interval. Reads in every 5 s slice (host-reads-bmc) let
 * through a watch that polls at its own pace: one that reads the wrong site key and falls back to
 * a default of seconds still reads every slice, and meets most alarm bounds by luck of phase. The
 * typical period (the median time between poll starts) may run a fifth over the interval
 * (harness/checks/watch-cadence.ts). A poll's packets come within a quarter interval of each
 * other; were a slow device's poll to take longer, it would count twice, and the median would
 * only shrink.
 */
export const bmcReadAtSiteInterval: Check = {
  name: 'bmc-read-at-site-interval',
  description:
    "The host's thermal watch polls its BMC at the site file's thermal.pollIntervalMs: the median time between the polls captured in the machine's network namespace is at most a fifth over it",
  verify(history) {
    const { pollIntervalMs } = lastObservation<SiteThermal>(history, 'site-thermal').data;
    const t = lastObservation<BmcTraffic>(history, 'bmc-traffic').data;
    if (t.tcpdumpExit !== 124)
      throw new MissingEvidence(
        'bmc-traffic',
        `the capture did not run its window (tcpdump exit ${t.tcpdumpExit}): ${t.stderr}`,
      );
    const starts = pollStarts(t.packets, pollIntervalMs / 4);
    const period = medianPeriod(starts);
    const limitMs = periodLimitMs(pollIntervalMs);
    const expected = `polls of ${t.bmcAddress} every ${pollIntervalMs} ms (the site's interval): a median gap of at most ${limitMs} ms`;
    const evidence = [
      {
        source: `tcpdump in machine of ${t.host}'s network namespace: poll starts`,
        excerpt: starts
          .slice(0, 12)
          .map((at) => `+${at - t.fromMs} ms`)
          .join(' '),
      },
    ];
    if (period === undefined)
      return verdictOf(
        false,
        '',
        `${starts.length} poll(s) of ${t.bmcAddress} in ${t.untilMs - t.fromMs} ms: too few to have a period`,
        {
          expected,
          observed: `${starts.length} poll(s)`,
          evidence,
        },
      );
    const observed = `${starts.length} polls, typically every ${period.periodMs} ms (median of ${period.gaps} gaps)`;
    return verdictOf(
      period.periodMs <= limitMs,
      `${observed}; the site asks for ${pollIntervalMs} ms`,
      `the host polls ${t.bmcAddress} every ${period.periodMs} ms (median of ${period.gaps} gaps), past ${limitMs} ms for the site's ${pollIntervalMs} ms`,
      { expected, observed, evidence },
    );
  },
};

/** A reply this soon after its request is one any sane read timeout waits for. */
export const promptReplyMs = 500;

/**
 * Whether the BMC answered every request of the capture, each within `withinMs` on its port (a
 * reply answers the earliest unanswered request before it).
 */
export function everyRequestAnswered(packets: readonly BmcPacket[], withinMs: number): boolean {
  const open: BmcPacket[] = [];
  for (const packet of [...packets].sort((a, b) => a.atMs - b.atMs)) {
    if (packet.direction === 'request') {
      open.push(packet);
      continue;
    }
    const index = open.findIndex((r) => r.port === packet.port && r.peer === packet.peer);
    if (index === -1) continue;
    const [request] = open.splice(index, 1);
    if (request !== undefined && packet.atMs - request.atMs > withinMs) return false;
  }
  return open.length === 0;
}

/**
 * The watch's reads of the BMC succeed: none fails while the BMC answers every request promptly
 * (seen by tcpdump in the machine's namespace), and none is left failing at the end. A watch that
 * gives up on a read before the BMC's reply (a timeout in the wrong unit) fails, even when a read
 * now and then beats its timeout and the watch logs the readings restored.
 */
export const watchReadsSucceed: Check = {
  name: 'watch-reads-succeed',
  description: `The thermal watch's reads of the BMC succeed: no ${logMarkers.thermalReadingsUnavailable} while the BMC answers every request within ${promptReplyMs} ms, and none standing at the end`,
  verify(history) {
    const traffic = lastObservation<BmcTraffic>(history, 'bmc-traffic').data;
    const { bmcAddress } = traffic;
    const state = residencyLog(history).filter(
      (l) =>
        l.text.includes(logMarkers.thermalReadingsUnavailable) ||
        l.text.includes(logMarkers.thermalReadingsRestored),
    );
    const requests = traffic.packets.filter((p) => p.direction === 'request').length;
    const failedWhileAnswered = state.filter(
      (l) =>
        l.text.includes(logMarkers.thermalReadingsUnavailable) &&
        l.atMs >= traffic.fromMs &&
        l.atMs <= traffic.untilMs,
    );
    if (
      failedWhileAnswered.length > 0 &&
      requests > 0 &&
      everyRequestAnswered(traffic.packets, promptReplyMs)
    )
      return verdictOf(
        false,
        '',
        `the watch logged ${failedWhileAnswered.length} read failure(s) of ${bmcAddress} in the capture's ${Math.round((traffic.untilMs - traffic.fromMs) / 1000)} s while the BMC answered each of its ${requests} requests within ${promptReplyMs} ms: the failures are the watch's own`,
        {
          expected: `no ${logMarkers.thermalReadingsUnavailable} while the BMC answers every request`,
          observed: failedWhileAnswered[0]?.text ?? '',
          evidence: [
            {
              source: 'residency.log on the VM disk',
              excerpt: failedWhileAnswered
                .slice(0, 3)
                .map((l) => l.text)
                .join('\n'),
            },
            {
              source: `tcpdump in machine of ${traffic.host}'s network namespace`,
              excerpt: `${requests} requests to ${bmcAddress}, each answered within ${promptReplyMs} ms`,
            },
          ],
        },
      );
    const last = state.at(-1);
    const failing = last?.text.includes(logMarkers.thermalReadingsUnavailable) ?? false;
    return verdictOf(
      !failing,
      state.length === 0
        ? `no read of ${bmcAddress} failed`
        : `reads of ${bmcAddress} failed and were restored`,
      `reads of ${bmcAddress} failing: ${last?.text ?? ''}`,
      {
        expected: `no ${logMarkers.thermalReadingsUnavailable} left standing`,
        observed: last?.text ?? 'no read failure logged',
        evidence: [
          {
            source: 'residency.log on the VM disk',
            excerpt:
              state
                .slice(-3)
                .map((l) => l.text)
                .join('\n') || '(none)',
          },
        ],
      },
    );
  },
};

/** The protocol a site's watch reads first: its `thermal.protocol`, IPMI when there is no SNMP. */
export function firstProtocol(
  thermal: SiteThermal,
  protocolPorts: BmcTraffic['protocolPorts'],
): 'ipmi' | 'snmp' {
  return protocolPorts.snmp === undefined ? 'ipmi' : (thermal.protocol ?? 'snmp');
}

/**
 * The watch reads over the protocol the site names first, and over the other only while that one
 * does not answer. host-reads-bmc counts reads of either, so a watch that tries the protocols in
 * an order of its own (SNMP always) passed it: on a BMC whose SNMP is a read-only afterthought or
 * behind another policy, that watch reads what the site did not choose.
 */
export const bmcReadOverSiteProtocol: Check = {
  name: 'bmc-read-over-site-protocol',
  description:
    "The host's thermal watch reads its BMC over the site file's thermal.protocol: requests on that protocol's port in the capture, and none on the other's while the chosen one answers every request",
  verify(history) {
    const thermal = lastObservation<SiteThermal>(history, 'site-thermal').data;
    const t = lastObservation<BmcTraffic>(history, 'bmc-traffic').data;
    if (t.tcpdumpExit !== 124)
      throw new MissingEvidence(
        'bmc-traffic',
        `the capture did not run its window (tcpdump exit ${t.tcpdumpExit}): ${t.stderr}`,
      );
    const chosen = firstProtocol(thermal, t.protocolPorts);
    const other = chosen === 'ipmi' ? 'snmp' : 'ipmi';
    const chosenPort = t.protocolPorts[chosen];
    const otherPort = t.protocolPorts[other];
    const onChosen = t.packets.filter((p) => p.port === chosenPort);
    const chosenRequests = onChosen.filter((p) => p.direction === 'request').length;
    const otherRequests = t.packets.filter(
      (p) => p.port === otherPort && p.direction === 'request',
    ).length;
    const chosenAnswered = everyRequestAnswered(onChosen, promptReplyMs);
    const observed = `${chosenRequests} requests over ${chosen} (UDP ${chosenPort}), ${otherRequests} over ${other}${otherPort === undefined ? ' (not offered)' : ` (UDP ${otherPort})`}`;
    const expected = `reads over ${chosen}, the site's thermal.protocol; ${other} only while ${chosen} does not answer`;
    const evidence = [
      {
        source: `tcpdump in machine of ${t.host}'s network namespace`,
        excerpt: t.packets
          .filter((p) => p.direction === 'request')
          .slice(0, 8)
          .map((p) => `+${p.atMs - t.fromMs} ms request udp/${p.port}`)
          .join('\n'),
      },
    ];
    if (chosenRequests === 0)
      return verdictOf(
        false,
        '',
        `no request over ${chosen}, the protocol the site names first: ${observed}`,
        { expected, observed, evidence },
      );
    return verdictOf(
      otherRequests === 0 || !chosenAnswered,
      otherRequests === 0
        ? observed
        : `${observed}: ${chosen} left requests unanswered, the fallback is the contract's`,
      `${observed}, while the BMC answered every ${chosen} request within ${promptReplyMs} ms: the watch reads ${other} without need`,
      { expected, observed, evidence },
    );
  },
};

/**
 * The stack's alarm state agrees with the room as the harness reads the BMC itself: a range
 * sensor inside the operating range in every harness read has no alarm standing, one outside it
 * in every read has one. A sensor that crossed the range during the reads is not judged.
 */
export const alarmStateMatchesReadings: Check = {
  name: 'alarm-state-matches-readings',
  description:
    "The stack's thermal alarm state agrees with the BMC's readings taken by the harness itself (no alarm while the range sensors are inside the operating range, an alarm while outside)",
  verify(history) {
    const thermal = lastObservation<SiteThermal>(history, 'site-thermal').data;
    const reads = history.observations<HarnessRead>('harness-bmc-read').map((e) => e.data);
    const good = reads.filter((r) => r.ok);
    if (good.length < 2)
      throw new MissingEvidence(
        'harness-bmc-read',
        `${good.length} of ${reads.length} harness reads of the BMC answered: ${reads.at(-1)?.output ?? ''}`,
      );
    const lines = residencyLog(history);
    const { min, max } = thermal.operatingRangeC;
    const problems: string[] = [];
    const judged: string[] = [];
    for (const key of thermal.rangeSensors) {
      const values = good.map((r) => r.readings[key] ?? Number.NaN);
      const outside = values.map((v) => v < min || v > max);
      if (values.some((v) => !Number.isFinite(v)) || outside.some((o) => o !== outside[0]))
        continue;
      const alarmLines = lines.filter((l) =>
        new RegExp(`THERMAL_ALARM(_CLEARED)? sensor=${key} `).test(l.text),
      );
      // THERMAL_ALARM_CLEARED does not contain "THERMAL_ALARM sensor=".
      const alarmed = alarmLines.at(-1)?.text.includes(`THERMAL_ALARM sensor=${key} `) ?? false;
      judged.push(
        `${key} ${values.join('/')} C ${outside[0] === true ? 'outside' : 'inside'} ${min}-${max}, alarm ${alarmed ? 'standing' : 'none'}`,
      );
      if (alarmed !== outside[0])
        problems.push(
          `${key} reads ${values.join('/')} C (${outside[0] === true ? 'outside' : 'inside'} ${min}-${max}) but the stack ${alarmed ? `has an alarm standing: ${alarmLines.at(-1)?.text ?? ''}` : 'raised no alarm'}`,
        );
    }
    if (judged.length === 0)
      throw new MissingEvidence(
        'harness-bmc-read',
        `no range sensor (${thermal.rangeSensors.join(', ')}) stayed on one side of ${min}-${max} C through the harness reads`,
      );
    return verdictOf(problems.length === 0, judged.join('; '), problems.join('; '), {
      expected: `an alarm standing exactly for the range sensors outside ${min}-${max} C`,
      observed: judged.join('; '),
      evidence: [
        ...good.slice(-2).map((r) => ({ source: r.command, excerpt: r.output })),
        {
          source: 'residency.log on the VM disk',
          excerpt:
            lines
              .filter((l) => l.text.includes('THERMAL_ALARM'))
              .slice(-4)
              .map((l) => l.text)
              .join('\n') || '(no THERMAL_ALARM line)',
        },
      ],
    });
  },
};

export const atRestChecks: Check[] = [
  hostReadsBmc,
  bmcReadAtSiteInterval,
  bmcReadOverSiteProtocol,
  watchReadsSucceed,
  alarmStateMatchesReadings,
];
