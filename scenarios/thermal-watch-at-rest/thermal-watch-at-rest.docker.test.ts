import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import thermalWatchAtRest from './thermal-watch-at-rest.ts';

describeScenario(thermalWatchAtRest);
