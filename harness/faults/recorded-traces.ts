import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseBmcTrace } from '../../sims/bmc/bmc-trace.ts';
import { parseUpsTrace } from '../../sims/ups/ups-trace.ts';
import { machineBmc } from '../world/machine-devices.ts';
import type { World } from '../world/world.ts';
import type { Fault } from './fault.ts';
import { upsNamed } from './mains-failure.ts';

/** How fast a trace plays: `speedup` times faster than recorded; by default the world's speed-up. */
export interface TraceOptions {
  speedup?: number | undefined;
}

const speedOf = (options: TraceOptions) =>
  options.speedup === undefined ? {} : { speedup: options.speedup };

/**
 * A recorded UPS trace (a dummy-ups .seq or an upslog file) replaces the UPS's battery model: its
 * values reach upsd on the trace's timeline, and the hosts' power watch sees them. After its last
 * line the UPS holds that state; the heal hands the UPS back to its battery model.
 */
export function upsTrace(upsName: string, file: string, options: TraceOptions = {}): Fault {
  const trace = parseUpsTrace(readFileSync(file, 'utf8'), file);
  return {
    name: `ups-trace-${upsName}`,
    description: `UPS ${upsName} plays the recorded ${trace.format === 'seq' ? 'dummy-ups sequence' : 'upslog'} ${basename(file)} (${String(trace.steps.length)} step(s) over ${String(trace.durationS)} recorded s) in place of its battery model`,
    async invoke(world: World) {
      const ups = upsNamed(world, upsName);
      await ups.replay(trace, speedOf(options));
      return async () => {
        await ups.endReplay();
      };
    },
  };
}

/**
 * Recorded BMC sensor readings (CSV: timestamp,sensor,value) replace the thermal model for the
 * sensors they name; the others keep to the model. After the last reading the sensors hold it;
 * the heal hands them back to the model.
 */
export function bmcTrace(machineName: string, file: string, options: TraceOptions = {}): Fault {
  const trace = parseBmcTrace(readFileSync(file, 'utf8'), file);
  const sensors = Object.keys(trace.sensors).join(', ');
  return {
    name: `bmc-trace-${machineName}`,
    description: `the BMC of machine ${machineName} plays the recorded readings ${basename(file)} (${sensors}, over ${String(trace.durationS)} recorded s) in place of its thermal model`,
    async invoke(world: World) {
      const bmc = machineBmc(world, machineName);
      await bmc.playTrace(trace, speedOf(options));
      return async () => {
        await bmc.endTrace();
      };
    },
  };
}
