/**
 * Reading a router's IPsec state back from its kernel: `ip xfrm state list` and `ip xfrm policy
 * list` (iproute2 prints these as text only). What the checks judge is what the kernel holds, not
 * what the harness asked for. Keys are never read into an observation: an evidence bundle that
 * held them would open every ESP packet of its own capture.
 */

/** An SA as the kernel holds it. */
export interface XfrmState {
  source: string;
  destination: string;
  proto: string;
  /** The SPI as printed, e.g. "0x00001001". */
  spi: string;
  reqid?: number;
  mode?: string;
}

/** A policy as the kernel holds it: its selector, direction and the template it sends through. */
export interface XfrmPolicy {
  source: string;
  destination: string;
  dir: string;
  template?: { source: string; destination: string; proto?: string; mode?: string };
}

/** The blocks of `ip xfrm ... list`: each starts at an unindented line. */
function blocks(output: string): string[][] {
  const found: string[][] = [];
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    if (/^\S/.test(line)) found.push([line.trim()]);
    else found.at(-1)?.push(line.trim());
  }
  return found;
}

const head = /^src (\S+) dst (\S+)/;

/** The SAs of `ip xfrm state list`; a block it cannot read is left out. */
export function parseXfrmStates(output: string): XfrmState[] {
  return blocks(output).flatMap((block) => {
    const ends = head.exec(block[0] ?? '');
    const body = block.slice(1).join(' ');
    const sa = /\bproto (\S+) spi (0x[0-9a-f]+)/.exec(body);
    if (ends?.[1] === undefined || ends[2] === undefined || sa?.[1] === undefined) return [];
    const reqid = /\breqid (\d+)/.exec(body)?.[1];
    const mode = /\bmode (\S+)/.exec(body)?.[1];
    return [
      {
        source: ends[1],
        destination: ends[2],
        proto: sa[1],
        spi: sa[2] ?? '',
        ...(reqid === undefined ? {} : { reqid: Number(reqid) }),
        ...(mode === undefined ? {} : { mode }),
      },
    ];
  });
}

/**
 * The policies of `ip xfrm policy list`. Per-socket policies (printed as `socket in` or `socket
 * out` in place of a direction) belong to one socket of the router, not to its forwarding: they
 * are left out.
 */
export function parseXfrmPolicies(output: string): XfrmPolicy[] {
  return blocks(output).flatMap((block) => {
    const selector = head.exec(block[0] ?? '');
    const body = block.slice(1).join(' ');
    const dir = /\bdir (\S+)/.exec(body)?.[1];
    if (selector?.[1] === undefined || selector[2] === undefined || dir === undefined) return [];
    const tmpl = /\btmpl src (\S+) dst (\S+)/.exec(body);
    const proto = /\btmpl src \S+ dst \S+ proto (\S+)/.exec(body)?.[1];
    const mode = /\bmode (\S+)/.exec(body)?.[1];
    return [
      {
        source: selector[1],
        destination: selector[2],
        dir,
        ...(tmpl?.[1] === undefined || tmpl[2] === undefined
          ? {}
          : {
              template: {
                source: tmpl[1],
                destination: tmpl[2],
                ...(proto === undefined ? {} : { proto }),
                ...(mode === undefined ? {} : { mode }),
              },
            }),
      },
    ];
  });
}

/** One line for an SA in a report: "esp 0x00001001 10.53.0.3 -> 10.54.0.3 (tunnel)". */
export function describeState(state: XfrmState): string {
  return `${state.proto} ${state.spi} ${state.source} -> ${state.destination}${state.mode === undefined ? '' : ` (${state.mode})`}`;
}

/** One line for a policy: "out 10.53.0.0/16 > 10.54.0.0/16 via esp 10.53.0.3 -> 10.54.0.3". */
export function describePolicy(policy: XfrmPolicy): string {
  const via =
    policy.template === undefined
      ? 'no template'
      : `via ${policy.template.proto ?? '?'} ${policy.template.source} -> ${policy.template.destination}`;
  return `${policy.dir} ${policy.source} > ${policy.destination} ${via}`;
}
