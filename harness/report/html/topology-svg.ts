import type { ResolvedTopology } from '../../topology/topology-validator.ts';
import type { Link } from '../../topology/topology-schema.ts';
import type { WorldDescription } from '../../world/world.ts';
import { markup, num, type SafeHtml } from './safe-html.ts';

const columnWidth = 250;
const columnGap = 130;
const margin = 16;
const nodeHeight = 36;
const hostHeight = 30;
const gap = 8;

interface NodeBox {
  key: string;
  title: string;
  subtitle: string;
  role: 'observer' | 'sim' | 'machine' | 'host';
  tooltip: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

interface ZoneColumn {
  name: string;
  kind: string;
  header: string[];
  x: number;
  height: number;
  boxes: NodeBox[];
  cells: { name: string; y: number; height: number }[];
}

const zoneOrder = { sovereign: 0, exchange: 1, foreign: 2 } as Record<string, number>;

/** "delay 40 ms ±5 ms, loss 1 %, 100 Mbit/s", or "no impairment". */
export function describeImpairment(link: Link): string {
  const parts: string[] = [];
  if (link.delayMs > 0)
    parts.push(`delay ${link.delayMs} ms${link.jitterMs > 0 ? ` ±${link.jitterMs} ms` : ''}`);
  if (link.lossPercent > 0) parts.push(`loss ${link.lossPercent} %`);
  if (link.rateMbit !== undefined) parts.push(`${link.rateMbit} Mbit/s`);
  return parts.length === 0 ? 'no impairment' : parts.join(', ');
}

function addressOf(
  world: WorldDescription | undefined,
  name: string,
): { address: string; detail: string } {
  const node = world?.nodes.find((n) => n.name === name);
  return { address: node?.address ?? '', detail: node?.detail ?? '' };
}

function layoutZone(
  topology: ResolvedTopology,
  world: WorldDescription | undefined,
  zoneIndex: number,
  zone: ResolvedTopology['zones'][number],
): ZoneColumn {
  const x = margin + zoneIndex * (columnWidth + columnGap);
  const network = world?.networks.find((n) => n.zone === zone.name);
  const header = [
    zone.name,
    `${zone.kind}, ${zone.jurisdiction}`,
    `${zone.cidrs.join(', ')}${network === undefined ? '' : ` (net ${network.subnet})`}`,
  ];
  let y = 16 + header.length * 15 + 8;
  const boxes: NodeBox[] = [];
  const cells: ZoneColumn['cells'] = [];
  const inner = { x: x + 10, width: columnWidth - 20 };
  const place = (box: Omit<NodeBox, 'x' | 'y' | 'width'>, indent = 0) => {
    boxes.push({ ...box, x: inner.x + indent, y, width: inner.width - 2 * indent });
    y += box.height + gap;
  };
  const observer = world?.nodes.find((n) => n.role === 'observer' && n.zone === zone.name);
  place({
    key: `observer:${zone.name}`,
    title: observer?.name ?? `observer-${zone.name}`,
    subtitle: `observer ${observer?.address ?? ''}`.trim(),
    role: 'observer',
    tooltip: 'the harness probes this zone from here',
    height: nodeHeight,
  });
  const machines = topology.machines.filter((m) => m.zone === zone.name);
  const services = topology.services.filter((s) => s.zone === zone.name);
  const cellOfMachine = (name: string) =>
    topology.hosts.find((h) => h.machine === name && h.cell !== undefined)?.cell;
  const placeService = (service: (typeof services)[number], indent: number) => {
    const { address, detail } = addressOf(world, service.name);
    place(
      {
        key: `node:${service.name}`,
        title: service.name,
        subtitle: `${service.kind} ${address}`.trim(),
        role: 'sim',
        tooltip: `simulator ${service.kind}${service.legs.length > 0 ? `, legs: ${service.legs.join(', ')}` : ''}${detail === '' ? '' : `; ${detail}`}`,
        height: nodeHeight,
      },
      indent,
    );
  };
  const placeMachine = (machine: (typeof machines)[number], indent: number) => {
    const hosts = topology.hosts.filter((h) => h.machine === machine.name);
    const { address } = addressOf(world, machine.name);
    const machineTop = y;
    place(
      {
        key: `node:${machine.name}`,
        title: machine.name,
        subtitle: `machine ${address}${machine.tags.length > 0 ? ` [${machine.tags.join(', ')}]` : ''}`,
        role: 'machine',
        tooltip: `machine ${machine.name}, TPM swtpm, boot chain ${machine.bootChain}`,
        height: nodeHeight + hosts.length * hostHeight,
      },
      indent,
    );
    hosts.forEach((host, i) => {
      boxes.push({
        key: `node:${host.name}`,
        title: host.name,
        subtitle: `host${host.cell === undefined ? '' : `, cell ${host.cell}`}`,
        role: 'host',
        tooltip: `host (VM) ${host.name} placed on ${machine.name}`,
        x: inner.x + indent + 10,
        y: machineTop + nodeHeight - 4 + i * hostHeight,
        width: inner.width - 2 * indent - 20,
        height: hostHeight - 4,
      });
    });
  };
  for (const cell of topology.cells.filter((c) => c.zone === zone.name)) {
    const cellTop = y;
    y += 18;
    for (const s of services.filter((x) => x.cell === cell.name)) placeService(s, 8);
    for (const m of machines.filter((x) => cellOfMachine(x.name) === cell.name)) placeMachine(m, 8);
    cells.push({ name: cell.name, y: cellTop, height: y - cellTop });
    y += gap;
  }
  const inCell = new Set(topology.cells.map((c) => c.name));
  const outsideCells = (cell: string | undefined) => cell === undefined || !inCell.has(cell);
  for (const s of services.filter((x) => outsideCells(x.cell))) placeService(s, 0);
  for (const m of machines.filter((x) => outsideCells(cellOfMachine(x.name)))) placeMachine(m, 0);
  return { name: zone.name, kind: zone.kind, header, x, height: y + 6, boxes, cells };
}

/** Results written before links, legs and cells existed lack them: read them as empty. */
function withDefaults(recorded: ResolvedTopology): ResolvedTopology {
  const loose = recorded as Partial<Pick<ResolvedTopology, 'links' | 'cells'>> &
    Omit<ResolvedTopology, 'links' | 'cells' | 'services'> & {
      services: (Omit<ResolvedTopology['services'][number], 'legs'> & { legs?: string[] })[];
    };
  return {
    ...loose,
    cells: loose.cells ?? [],
    links: loose.links ?? [],
    services: loose.services.map((s) => ({ ...s, legs: s.legs ?? [] })),
  };
}

function nodeSvg(box: NodeBox): SafeHtml {
  return markup`<g class="node node-${box.role}" data-node="${box.title}"
    ><rect x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" rx="5" /><text
      class="node-title"
      x="${box.x + 8}"
      y="${box.y + 14}"
      >${box.title}</text
    ><text class="node-subtitle" x="${box.x + 8}" y="${box.y + (box.role === 'host' ? 23 : 28)}"
      >${box.subtitle}</text
    ><title>${box.tooltip}</title></g
  >`;
}

interface LinkLine {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** Short lines stacked above the link, so they fit in the gap between zones. */
  label: string[];
  dashed: boolean;
  tooltip: string;
}

function linkLines(topology: ResolvedTopology, columns: readonly ZoneColumn[]): LinkLine[] {
  const lines: LinkLine[] = [];
  const column = (zone: string) => columns.find((c) => c.name === zone);
  const routerBox = (router: string) =>
    columns.flatMap((c) => c.boxes).find((b) => b.key === `node:${router}`);
  const toZone = (
    box: NodeBox,
    zone: ZoneColumn,
    label: string[],
    dashed: boolean,
    tooltip: string,
  ) => {
    const rightward = zone.x > box.x;
    const y = box.y + box.height / 2;
    lines.push({
      x1: rightward ? box.x + box.width : box.x,
      y1: y,
      x2: rightward ? zone.x : zone.x + columnWidth,
      y2: y,
      label,
      dashed,
      tooltip,
    });
  };
  for (const link of topology.links) {
    const box = routerBox(link.router);
    const router = topology.services.find((s) => s.name === link.router);
    if (box === undefined || router === undefined) continue;
    for (const zoneName of link.zones) {
      const zone = column(zoneName);
      if (zone === undefined || zoneName === router.zone) continue;
      const label = describeImpairment(link);
      toZone(
        box,
        zone,
        label.split(', '),
        false,
        `link ${link.zones.join(' - ')} through ${link.router}: ${label}`,
      );
    }
  }
  for (const service of topology.services) {
    const box = routerBox(service.name);
    if (box === undefined) continue;
    for (const leg of service.legs) {
      const linked = topology.links.some((l) => l.router === service.name && l.zones.includes(leg));
      const zone = column(leg);
      if (linked || zone === undefined || leg === service.zone) continue;
      toZone(box, zone, ['leg'], true, `${service.name} has an interface on ${leg}`);
    }
  }
  return lines;
}

/**
 * The world as a picture: a column per zone (sovereign, exchange, foreign) with its observer,
 * simulators, cells and machines holding their hosts, and the links between zones with their
 * impairments.
 */
export function topologySvg(
  recorded: ResolvedTopology | undefined,
  world: WorldDescription | undefined,
): SafeHtml {
  if (recorded === undefined) return markup``;
  const topology = withDefaults(recorded);
  const zones = [...topology.zones].sort(
    (a, b) => (zoneOrder[a.kind] ?? 3) - (zoneOrder[b.kind] ?? 3),
  );
  const columns = zones.map((zone, i) => layoutZone(topology, world, i, zone));
  const width = margin * 2 + zones.length * columnWidth + Math.max(zones.length - 1, 0) * columnGap;
  const height = Math.max(...columns.map((c) => c.height), 80) + margin;
  const lines = linkLines(topology, columns);
  return markup`<svg
    class="topology"
    viewBox="0 0 ${width} ${height}"
    width="${Math.min(width, 1100)}"
    role="img"
    aria-label="topology"
    xmlns="http://www.w3.org/2000/svg"
  >
    ${columns.map(
      (c) =>
        markup`<g class="zone zone-${c.kind}" data-zone="${c.name}"
          ><rect
            class="zone-box"
            x="${c.x}"
            y="4"
            width="${columnWidth}"
            height="${c.height - 4}"
            rx="8"
          />${c.header.map(
            (line, i) =>
              markup`<text
                class="${i === 0 ? 'zone-title' : 'zone-detail'}"
                x="${c.x + 10}"
                y="${22 + i * 15}"
                >${line}</text
              >`,
          )}${c.cells.map(
            (cell) =>
              markup`<g class="cell"
                ><rect
                  x="${c.x + 6}"
                  y="${cell.y}"
                  width="${columnWidth - 12}"
                  height="${cell.height}"
                  rx="6"
                /><text x="${c.x + 12}" y="${cell.y + 13}">cell ${cell.name}</text></g
              >`,
          )}${c.boxes.map(nodeSvg)}</g
        >`,
    )}
    ${lines.map(
      (l) =>
        markup`<g class="link${l.dashed ? ' leg' : ''}"
          ><line
            x1="${num(l.x1)}"
            y1="${num(l.y1)}"
            x2="${num(l.x2)}"
            y2="${num(l.y2)}"
          />${l.label.map(
            (line, i) =>
              markup`<text
                x="${num((l.x1 + l.x2) / 2)}"
                y="${num(l.y1 - 6 - (l.label.length - 1 - i) * 12)}"
                text-anchor="middle"
                >${line}</text
              >`,
          )}<title>${l.tooltip}</title></g
        >`,
    )}
  </svg>`;
}
