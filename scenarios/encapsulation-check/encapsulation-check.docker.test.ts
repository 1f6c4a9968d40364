import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import encapsulationCheck from './encapsulation-check.ts';

describeScenario(encapsulationCheck);
