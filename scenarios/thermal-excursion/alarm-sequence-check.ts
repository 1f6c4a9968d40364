import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { logMarkers } from '../../harness/contract/log-markers.ts';
import { logLines, type CrossingObservation } from '../power-thermal/thermal-checks.ts';

/** An alarm line of the residency log, read as what it says. */
interface AlarmLine {
  atMs: number;
  sensor: string;
  /** "high", "low" (an alarm) or "clear". */
  kind: string;
  text: string;
}

const alarmLine = new RegExp(
  `(${logMarkers.thermalAlarmCleared}|${logMarkers.thermalAlarm}) sensor=(\\S+)(?:.*side=(\\w+))?`,
);

function alarmLines(history: Parameters<Check['verify']>[0]): AlarmLine[] {
  return logLines(history).flatMap((line) => {
    const match = alarmLine.exec(line.text);
    if (match === null) return [];
    const [, marker, sensor = '', side = '?'] = match;
    const kind = marker === logMarkers.thermalAlarmCleared ? 'clear' : side;
    return [{ atMs: line.atMs, sensor, kind, text: line.text }];
  });
}

/**
 * thermal-excursion's inlet crosses the range three times (up past 27 C, back under it, down
 * under 18 C, where it stays), so the stack's alarm lines must be exactly one high alarm, its
 * clear and one low alarm, for the range sensors alone. The bounded checks each take the first
 * matching line after a crossing: a low alarm that clears and is raised again on every poll, or a
 * range applied to the CPU and the exhaust (standing alarms from boot), passed them.
 */
export function alarmsFollowCrossings(rangeSensors: readonly string[]): Check {
  const expected = ['high', 'clear', 'low'];
  return {
    name: 'alarms-follow-crossings',
    description: `The residency log's ${logMarkers.thermalAlarm} and ${logMarkers.thermalAlarmCleared} lines name only the site's range sensors (${rangeSensors.join(', ')}), and the inlet's are one per crossing of the model: high, clear, low, then nothing while it stays under 18 C`,
    verify(history) {
      const low = lastObservation<CrossingObservation>(
        history,
        'thermal-crossing',
        (d) => d.phase === 'below-18',
      ).data;
      if (low.crossingWallMs === undefined)
        throw new MissingEvidence('thermal-crossing', "the model's inlet never fell under 18 C");
      const lines = alarmLines(history);
      const foreign = lines.filter((l) => !rangeSensors.includes(l.sensor));
      const inlet = lines.filter((l) => l.sensor === 'inlet').map((l) => l.kind);
      const problems = [
        ...(foreign.length > 0
          ? [
              `${foreign.length} alarm line(s) for sensors outside the range sensors: ${[...new Set(foreign.map((l) => l.sensor))].join(', ')}`,
            ]
          : []),
        ...(inlet.join(',') === expected.join(',')
          ? []
          : [`the inlet's alarm lines were ${inlet.join(', ') || 'none'}`]),
      ];
      return verdictOf(
        problems.length === 0,
        `one inlet alarm line per crossing (${inlet.join(', ')}), none for another sensor`,
        problems.join('; '),
        {
          expected: `inlet: ${expected.join(', ')}; no other sensor`,
          observed: `inlet: ${inlet.join(', ') || 'none'}; other sensors: ${foreign.length}`,
          evidence: [
            {
              source: 'residency.log on the VM disk',
              excerpt: lines
                .slice(0, 12)
                .map((l) => l.text)
                .join('\n'),
            },
          ],
        },
      );
    },
  };
}
