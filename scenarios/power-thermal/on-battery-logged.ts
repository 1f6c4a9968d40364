import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { logMarkers } from '../../harness/contract/log-markers.ts';
import type { PowerTimeline } from './power-checks.ts';
import type { LogLine } from './thermal-evidence.ts';

/**
 * On battery the stack says so before it acts (CONTRACT.md, power watch: `POWER_ON_BATTERY`,
 * writes flushed): the line an operator reads to know that a shutdown may follow. A monitor that
 * is not told of OB ("LB is what acts") still shuts down on LB and passes every other check. The
 * residency log, read off the VM disk, must hold the marker from the mains failure on and before
 * upsd reported the critical status.
 */
export function onBatteryLogged(name: string): Check {
  return {
    name,
    description: `The stack logs ${logMarkers.powerOnBattery} after the mains fail and before upsd reports LB or FSD (the residency log, read off the VM disk)`,
    verify(history) {
      const t = lastObservation<PowerTimeline>(history, 'power-timeline').data;
      const critical = t.criticalStatus ?? 'LB';
      const lines = lastObservation<{ lines: LogLine[] }>(history, 'residency-log').data.lines;
      const marked = lines.filter(
        (l) => l.text.includes(logMarkers.powerOnBattery) && l.atMs >= t.lossWallMs,
      );
      const inTime = marked.find((l) => l.atMs <= t.lowBatteryWallMs);
      const rel = (l: LogLine) => `${l.atMs - t.lossWallMs} ms after the mains failed`;
      return verdictOf(
        inTime !== undefined,
        `${logMarkers.powerOnBattery} logged ${inTime === undefined ? '' : rel(inTime)}, before ${critical}`,
        marked[0] === undefined
          ? `no ${logMarkers.powerOnBattery} after the mains failed`
          : `${logMarkers.powerOnBattery} came only ${rel(marked[0])}, after upsd reported ${critical} (${t.lowBatteryWallMs - t.lossWallMs} ms after the mains failed)`,
        {
          expected: `a ${logMarkers.powerOnBattery} line between the mains failure and ${critical}`,
          observed: marked.map((l) => `${rel(l)}: ${l.text}`).join(' | ') || 'none',
          evidence: [
            {
              source: 'residency.log on the VM disk (read by the harness)',
              excerpt:
                lines
                  .filter((l) => l.atMs >= t.lossWallMs && /POWER/.test(l.text))
                  .slice(0, 6)
                  .map((l) => l.text)
                  .join('\n') || '(no power line after the mains failed)',
            },
          ],
        },
      );
    },
  };
}
