import { closeSimLab, openSimLab, type SimLab } from '../../harness/testing/sim-lab.ts';
import { bmcImage, bmcOptionsSchema, startBmc, type StartedBmc } from './bmc.ts';

/** A BMC simulator alone on a lab network beside an observer: what its docker tests start. */
export interface BmcLab {
  lab: SimLab;
  bmc: StartedBmc;
  close(): Promise<void>;
}

/** Starts the lab (`subnets` of its own, so tests can run side by side) and a BMC of machine `rack`. */
export async function openBmcLab(name: string, subnets: string[]): Promise<BmcLab> {
  const lab = await openSimLab({ name, simImage: bmcImage, subnets });
  const bmc = await startBmc({
    session: lab.session,
    image: lab.image,
    service: {
      name: 'rack-bmc',
      kind: 'bmc',
      zone: 'lab',
      legs: [],
      options: bmcOptionsSchema.parse({ machine: 'rack', initial: { loadKw: 0.5 } }),
    },
    network: { name: lab.network.name, address: lab.address(3) },
  });
  return {
    lab,
    bmc,
    close: async () => {
      await bmc.stop();
      await closeSimLab(lab);
    },
  };
}
