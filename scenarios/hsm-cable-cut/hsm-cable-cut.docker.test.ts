import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import hsmCableCut from './hsm-cable-cut.ts';

describeScenario(hsmCableCut);
