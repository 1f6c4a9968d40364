import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { vlanChecks } from './vlan-checks.ts';
import { arpRequest, markerFrame, portPcap, udpFrame } from './vlan-frame-fixtures.ts';
import { readVlanFrames } from './vlan-frames.ts';
import {
  markers,
  observed,
  type PortCapture,
  type SwitchObservation,
  type VlanJoin,
} from './vlan-observations.ts';

const hostMac = '02:42:0a:38:00:05';
const sovereignMac = '02:42:0a:39:00:03';
const foreignMac = '02:42:0a:5c:00:03';
const bytes = {
  [markers.sovereignCanary]: Buffer.from('1111111111111111', 'hex'),
  [markers.foreignControl]: Buffer.from('2222222222222222', 'hex'),
  [markers.foreignAttempt]: Buffer.from('3333333333333333', 'hex'),
};

/** The foreign station's own broadcast on its port: the control every foreign capture holds. */
const foreignControl = markerFrame(foreignMac, bytes[markers.foreignControl]);

function capture(station: string, zone: string, frames: Buffer[], dropped = 0): PortCapture {
  return {
    station,
    zone,
    device: 'eth0',
    packets: frames.length,
    frames: readVlanFrames(portPcap(frames), bytes),
    droppedByKernel: dropped,
    attachment: `${station}.pcap`,
  };
}

function join(vlan: number, received: number, change: Partial<VlanJoin> = {}): VlanJoin {
  return {
    vlan,
    parent: 'eth0',
    device: `vl${String(vlan)}`,
    created: true,
    target: vlan === 100 ? '192.168.100.2' : '192.168.200.2',
    sent: 3,
    received,
    mac: hostMac,
    output: `{"sent": 3, "received": ${String(received)}}`,
    ...change,
  };
}

/** What the access ports saw in a sound world: the sovereign VLAN only on its own port. */
const sovereignPortFrames = [
  markerFrame(hostMac, bytes[markers.sovereignCanary]),
  arpRequest(hostMac, '192.168.100.10', '192.168.100.2'),
];

interface Change {
  foreignDuringSovereign?: Buffer[];
  sovereignPort?: Buffer[];
  sovereignJoin?: VlanJoin;
  foreignJoin?: VlanJoin;
  foreignDuringAttempt?: Buffer[];
  dropped?: number;
}

function history(change: Change = {}): History {
  const h = new History();
  h.record('observation', observed.switchPorts.name, {
    name: 'sw',
    ports: [
      {
        zone: 'trunk-sov',
        device: 'eth0',
        profile: { mode: 'trunk', vlans: [100] },
        carries: [100],
      },
    ],
  } satisfies SwitchObservation);
  h.record('observation', observed.sovereignTraffic.name, {
    join: change.sovereignJoin ?? join(100, 3),
    sovereignPort: capture('sov-end', 'access-sov', change.sovereignPort ?? sovereignPortFrames),
    foreignPort: capture(
      'foreign-end',
      'access-foreign',
      change.foreignDuringSovereign ?? [foreignControl],
      change.dropped,
    ),
  });
  h.record('observation', observed.foreignJoin.name, {
    join: change.foreignJoin ?? join(200, 0),
    foreignPort: capture(
      'foreign-end',
      'access-foreign',
      change.foreignDuringAttempt ?? [foreignControl],
      change.dropped,
    ),
  });
  return h;
}

const statuses = (change?: Change) => checkStatuses(vlanChecks, history(change));

describe('vlan-segments checks', () => {
  it('pass when the sovereign VLAN stays on its port and the foreign id reaches nothing', async () => {
    expect(await statuses()).toEqual({
      'sovereign-frames-stay-off-foreign-port': 'pass',
      'host-cannot-join-foreign-vlan': 'pass',
    });
  });

  it("fail the first when the foreign port gets the sovereign VLAN's broadcast untagged", async () => {
    const result = await statuses({
      foreignDuringSovereign: [foreignControl, ...sovereignPortFrames],
    });
    expect(result['sovereign-frames-stay-off-foreign-port']).toBe('fail');
    expect(result['host-cannot-join-foreign-vlan']).toBe('pass');
  });

  it('fail the first on a single frame tagged with the sovereign id on the foreign port', async () => {
    const tagged = udpFrame(sovereignMac, '10.57.0.2', '10.57.0.3', Buffer.alloc(8), [100]);
    expect(
      (await statuses({ foreignDuringSovereign: [foreignControl, tagged] }))[
        'sovereign-frames-stay-off-foreign-port'
      ],
    ).toBe('fail');
  });

  it('fail the second when the foreign station answers the host over the foreign id', async () => {
    const result = await statuses({
      foreignJoin: join(200, 3),
      foreignDuringAttempt: [
        foreignControl,
        markerFrame(hostMac, bytes[markers.foreignAttempt]),
        arpRequest(hostMac, '192.168.200.10', '192.168.200.2'),
      ],
    });
    expect(result['host-cannot-join-foreign-vlan']).toBe('fail');
    expect(result['sovereign-frames-stay-off-foreign-port']).toBe('pass');
  });

  it("fail the second when the host's frames reach the foreign port, even unanswered", async () => {
    expect(
      (
        await statuses({
          foreignDuringAttempt: [
            foreignControl,
            markerFrame(hostMac, bytes[markers.foreignAttempt]),
          ],
        })
      )['host-cannot-join-foreign-vlan'],
    ).toBe('fail');
  });

  it('pass the second when the host could not even make the sub-interface', async () => {
    const refused = join(200, 0, {
      created: false,
      refusal: 'RTNETLINK answers: Operation not supported',
    });
    expect((await statuses({ foreignJoin: refused }))['host-cannot-join-foreign-vlan']).toBe(
      'pass',
    );
  });

  it('are unknown, never pass, when a control is missing', async () => {
    expect(await statuses({ foreignDuringSovereign: [], foreignDuringAttempt: [] })).toEqual({
      'sovereign-frames-stay-off-foreign-port': 'unknown',
      'host-cannot-join-foreign-vlan': 'unknown',
    });
    expect((await statuses({ sovereignPort: [] }))['sovereign-frames-stay-off-foreign-port']).toBe(
      'unknown',
    );
    expect((await statuses({ sovereignJoin: join(100, 0) }))['host-cannot-join-foreign-vlan']).toBe(
      'unknown',
    );
  });

  it('are unknown when the foreign capture dropped frames, and unknown without their evidence', async () => {
    expect(await statuses({ dropped: 2 })).toEqual({
      'sovereign-frames-stay-off-foreign-port': 'unknown',
      'host-cannot-join-foreign-vlan': 'unknown',
    });
    expect(await checkStatuses(vlanChecks, new History())).toEqual({
      'sovereign-frames-stay-off-foreign-port': 'unknown',
      'host-cannot-join-foreign-vlan': 'unknown',
    });
  });
});
