import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { linkTypes, writePcap } from '../../harness/checks/probes/pcap-packets.ts';
import { ethernetTcpFrame } from '../../harness/testing/tcp-frames.ts';

/**
 * image/tpm-commands (the TPM bus decoder), run by the host's python3 on captures built here
 * byte by byte: loopback Ethernet frames of IPv4 TCP segments to swtpm's port 2321.
 */
const tpmPort = 2321;
const syn = 0x02;
const ack = 0x10;
const psh = 0x08;
const codes = { Unseal: 0x15e, Load: 0x157, GetRandom: 0x17b };

interface Segment {
  atMs: number;
  sourcePort: number;
  sequence: number;
  flags?: number;
  payload?: Buffer;
  /** Bytes of the frame the capture kept, when it cut the packet short. */
  keep?: number;
}

const loopback = [127, 0, 0, 1] as const;

function pcap(segments: Segment[]): Buffer {
  return writePcap(
    linkTypes.ethernet,
    segments.map((segment) => ({
      frame: ethernetTcpFrame({
        source: loopback,
        destination: loopback,
        sourcePort: segment.sourcePort,
        destinationPort: tpmPort,
        sequence: segment.sequence,
        flags: segment.flags ?? ack | psh,
        payload: segment.payload,
      }),
      atMs: segment.atMs,
      keptBytes: segment.keep,
    })),
  );
}

/** A raw TPM 2.0 command as swtpm's TCP server takes it: tag, size, code, then a body. */
function rawCommand(code: number, bodyBytes = 4): Buffer {
  const command = Buffer.alloc(10 + bodyBytes);
  command.writeUInt16BE(0x8001, 0);
  command.writeUInt32BE(command.length, 2);
  command.writeUInt32BE(code, 6);
  return command;
}

/** The same command in the TPM simulator protocol's framing: TPM_SEND_COMMAND, locality, size. */
function framedCommand(code: number): Buffer {
  const command = rawCommand(code);
  const frameHeader = Buffer.alloc(9);
  frameHeader.writeUInt32BE(8, 0);
  frameHeader.writeUInt32BE(command.length, 5);
  return Buffer.concat([frameHeader, command]);
}

/** A connection: its SYN, then each payload in order, sequence numbers from the ISN. */
function connection(sourcePort: number, isn: number, atMs: number, payloads: Buffer[]): Segment[] {
  const segments: Segment[] = [{ atMs, sourcePort, sequence: isn, flags: syn }];
  let next = isn + 1;
  payloads.forEach((payload, index) => {
    segments.push({ atMs: atMs + 10 * (index + 1), sourcePort, sequence: next, payload });
    next += payload.length;
  });
  return segments;
}

const work = mkdtempSync(join(tmpdir(), 'sovh-tpm-commands-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function nth(segments: Segment[], index: number): Segment {
  const segment = segments[index];
  if (segment === undefined) throw new Error(`no segment ${String(index)}`);
  return segment;
}

function decode(segments: Segment[]): {
  commands: { atMs: number; name: string; stream: number }[];
  gaps: string[];
} {
  const path = join(work, `capture-${String(Math.random()).slice(2)}.pcap`);
  writeFileSync(path, pcap(segments));
  return JSON.parse(
    execFileSync('python3', [join(import.meta.dirname, 'image', 'tpm-commands'), path], {
      encoding: 'utf8',
    }),
  ) as ReturnType<typeof decode>;
}

describe('tpm-commands', () => {
  it('reads raw and framed commands, in order of time, from a whole capture', () => {
    const decoded = decode([
      ...connection(40_000, 1_000, 5_000, [rawCommand(codes.Load), rawCommand(codes.Unseal)]),
      ...connection(40_002, 9_000, 5_100, [framedCommand(codes.GetRandom)]),
    ]);
    expect(decoded.commands.map((c) => [c.name, c.atMs, c.stream])).toEqual([
      ['Load', 5_010, 40_000],
      ['Unseal', 5_020, 40_000],
      ['GetRandom', 5_110, 40_002],
    ]);
    expect(decoded.gaps).toEqual([]);
  });

  it('reads a new connection from a reused port even when its first sequence number is lower', () => {
    const decoded = decode([
      ...connection(40_000, 2_000_000, 5_000, [rawCommand(codes.Load)]),
      ...connection(40_000, 10, 6_000, [rawCommand(codes.Unseal)]),
    ]);
    expect(decoded.commands.map((c) => c.name)).toEqual(['Load', 'Unseal']);
    expect(decoded.gaps).toEqual([]);
  });

  it('follows sequence numbers across their wrap at 2^32', () => {
    const first = rawCommand(codes.Load);
    const decoded = decode(
      connection(40_000, 2 ** 32 - first.length + 2, 5_000, [first, rawCommand(codes.Unseal)]),
    );
    expect(decoded.commands.map((c) => c.name)).toEqual(['Load', 'Unseal']);
    expect(decoded.gaps).toEqual([]);
  });

  it('reads a retransmitted command once', () => {
    const segments = connection(40_000, 500, 5_000, [rawCommand(codes.Unseal)]);
    const decoded = decode([...segments, { ...nth(segments, 1), atMs: 5_300 }]);
    expect(decoded.commands.map((c) => [c.name, c.atMs])).toEqual([['Unseal', 5_010]]);
  });

  it('names a hole in a connection instead of reading past it', () => {
    const segments = connection(40_000, 500, 5_000, [
      rawCommand(codes.Load),
      rawCommand(codes.GetRandom),
      rawCommand(codes.Unseal),
    ]);
    const decoded = decode(segments.filter((_, index) => index !== 2));
    expect(decoded.commands.map((c) => c.name)).toEqual(['Load']);
    expect(decoded.gaps).toEqual(['connection from port 40000: 14 bytes missing at byte 14']);
  });

  it('names a packet cut short by the snap length', () => {
    const segments = connection(40_000, 500, 5_000, [rawCommand(codes.Unseal, 200)]);
    const decoded = decode([nth(segments, 0), { ...nth(segments, 1), keep: 80 }]);
    expect(decoded.gaps).toEqual([
      "a packet from port 40000 was cut short by the capture's snap length",
    ]);
  });

  it('reads a connection whose SYN came before the capture from its first payload', () => {
    const segments = connection(40_000, 500, 5_000, [
      rawCommand(codes.Load),
      rawCommand(codes.Unseal),
    ]);
    const decoded = decode([...segments.slice(2), { ...nth(segments, 1), atMs: 5_400 }]);
    expect(decoded.commands.map((c) => c.name)).toEqual(['Unseal']);
    expect(decoded.gaps).toEqual([]);
  });
});
