import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { withPositiveControl } from '../../harness/checks/positive-control.ts';
import { verdictOf, type Evidence } from '../../harness/checks/verdict.ts';
import { unlessBlind } from '../network-world/exchange-capture.ts';
import { vlanFilter } from './vlan-commands.ts';
import { belongsToVlan, describeVlanFrame, type VlanFrame } from './vlan-frames.ts';
import {
  markers,
  observed,
  type PortCapture,
  type SwitchObservation,
  type VlanJoin,
} from './vlan-observations.ts';
import { vlanAddresses, vlans } from './vlan-plan.ts';

function withMarker(capture: PortCapture, marker: string): boolean {
  return capture.frames.some((f) => f.markers.includes(marker));
}

function frameLines(frames: readonly VlanFrame[], limit = 12): string {
  const lines = frames.slice(0, limit).map(describeVlanFrame);
  if (frames.length > limit) lines.push(`... ${String(frames.length - limit)} more`);
  return lines.join('\n') || '(no frames)';
}

function captureEvidence(capture: PortCapture, vlanId: number): Evidence {
  return {
    source: `tcpdump on ${capture.device} of ${capture.station} (access port on ${capture.zone}), every frame; read its ${vlanFilter(vlanId)} frames with tcpdump -e -nn -r`,
    excerpt: frameLines(capture.frames),
    attachment: capture.attachment,
  };
}

/** The capture's own station for `unlessBlind`, which names the node that captured. */
function completeness(capture: PortCapture) {
  return {
    router: capture.station,
    ...(capture.droppedByKernel === undefined ? {} : { droppedByKernel: capture.droppedByKernel }),
  };
}

function foreignControl(capture: PortCapture) {
  return {
    seen: withMarker(capture, markers.foreignControl),
    what: `the broadcast ${capture.station} sent on its own port (${markers.foreignControl}), in its own capture`,
  };
}

function describeJoin(join: VlanJoin): string {
  if (!join.created)
    return `${join.device} (vlan ${String(join.vlan)}) refused: ${join.refusal ?? ''}`;
  return `${join.device} on ${join.parent} (vlan ${String(join.vlan)}, ${join.mac ?? 'mac ?'}): ${String(join.received)}/${String(join.sent)} replies from ${join.target}`;
}

function switchEvidence(switchPorts: SwitchObservation): Evidence {
  return {
    source: `bridge -j vlan show in ${switchPorts.name}`,
    excerpt: switchPorts.ports
      .map(
        (p) =>
          `${p.device} (${p.zone}, ${p.profile.mode}): carries ${p.carries.join(', ') || 'nothing'}`,
      )
      .join('\n'),
  };
}

/** Frames of the host's attempt on the foreign VLAN: its address, its marker or its MAC. */
export function framesOfAttempt(capture: PortCapture, join: VlanJoin): VlanFrame[] {
  return capture.frames.filter(
    (f) =>
      f.source === vlanAddresses.host.foreign ||
      f.markers.includes(markers.foreignAttempt) ||
      (join.mac !== undefined && f.sourceMac === join.mac),
  );
}

export const vlanChecks: Check[] = [
  {
    name: 'sovereign-frames-stay-off-foreign-port',
    description: `While the host talks inside the sovereign VLAN (id ${String(vlans.sovereign.id)}) on its trunk, unicast and broadcast, no frame of that VLAN reaches the foreign station's port: none tagged ${String(vlans.sovereign.id)}, none untagged with an address of ${vlans.sovereign.subnet}, none holding the host's canary; the sovereign port's capture sees the canary and the foreign port's capture sees its station's own broadcast (the controls)`,
    verify(history) {
      const t = lastObservation(history, observed.sovereignTraffic).data;
      const sovereignSaw = withMarker(t.sovereignPort, markers.sovereignCanary);
      const control = foreignControl(t.foreignPort);
      return withPositiveControl(
        {
          seen: sovereignSaw && control.seen,
          what: sovereignSaw
            ? control.what
            : `the host's canary (${markers.sovereignCanary}) on the sovereign station ${t.sovereignPort.station}'s port`,
        },
        () => {
          const leaked = t.foreignPort.frames.filter((f) =>
            belongsToVlan(f, vlans.sovereign, [markers.sovereignCanary]),
          );
          return unlessBlind(
            completeness(t.foreignPort),
            verdictOf(
              leaked.length === 0,
              `${String(t.foreignPort.frames.length)} frame(s) on the foreign port, none of vlan ${String(vlans.sovereign.id)}; the sovereign port saw the canary`,
              `${String(leaked.length)} frame(s) of the sovereign VLAN reached the foreign port ${t.foreignPort.zone}: ${frameLines(leaked, 4).replaceAll('\n', '; ')}`,
              {
                expected: `no frame tagged ${String(vlans.sovereign.id)}, addressed in ${vlans.sovereign.subnet} or holding the canary on ${t.foreignPort.zone}`,
                observed: `${describeJoin(t.join)}; foreign port: ${String(leaked.length)} sovereign frame(s) of ${String(t.foreignPort.frames.length)}`,
                evidence: [
                  captureEvidence(t.foreignPort, vlans.sovereign.id),
                  captureEvidence(t.sovereignPort, vlans.sovereign.id),
                ],
              },
            ),
          );
        },
      );
    },
  },
  {
    name: 'host-cannot-join-foreign-vlan',
    description: `A host on the sovereign trunk that makes itself an 802.1Q sub-interface with the foreign VLAN's id (${String(vlans.foreign.id)}) reaches nothing: no reply from the foreign station, and none of its frames on the foreign port (the trunk's filter drops them). Controls: the same way of joining reaches the sovereign station, and the foreign capture sees its station's own broadcast`,
    verify(history) {
      const f = lastObservation(history, observed.foreignJoin).data;
      const s = lastObservation(history, observed.sovereignTraffic).data;
      const switchPorts = lastObservation(history, observed.switchPorts).data;
      const control = foreignControl(f.foreignPort);
      const joined = s.join.received > 0;
      return withPositiveControl(
        {
          seen: joined && control.seen,
          what: joined
            ? control.what
            : `a reply to the host over the sovereign VLAN (${describeJoin(s.join)})`,
        },
        () => {
          const arrived = framesOfAttempt(f.foreignPort, f.join);
          const problems = [
            ...(f.join.created && f.join.received > 0
              ? [
                  `the foreign station answered ${String(f.join.received)} of ${String(f.join.sent)} ARP requests`,
                ]
              : []),
            ...(arrived.length > 0
              ? [
                  `${String(arrived.length)} frame(s) of the host's attempt reached the foreign port: ${frameLines(arrived, 4).replaceAll('\n', '; ')}`,
                ]
              : []),
          ];
          return unlessBlind(
            completeness(f.foreignPort),
            verdictOf(
              problems.length === 0,
              f.join.created
                ? `the host tagged vlan ${String(vlans.foreign.id)} and reached nothing: 0 ARP replies, none of its frames on the foreign port`
                : `the host could not make a vlan ${String(vlans.foreign.id)} sub-interface: ${f.join.refusal ?? ''}`,
              problems.join('; '),
              {
                expected: `0 ARP replies over vlan ${String(vlans.foreign.id)}; no frame from ${vlanAddresses.host.foreign} or the host's MAC on the foreign port`,
                observed: `${describeJoin(f.join)}; ${String(arrived.length)} of its frame(s) on the foreign port`,
                evidence: [
                  captureEvidence(f.foreignPort, vlans.foreign.id),
                  switchEvidence(switchPorts),
                  {
                    source: `VLAN probe (ARP over AF_PACKET) in the machine of the host`,
                    excerpt: f.join.output.slice(0, 600),
                  },
                ],
              },
            ),
          );
        },
      );
    },
  },
];
