import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import geoGate from './geo-gate.ts';

describeScenario(geoGate);
