import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import powerFailureKeyWipe from './power-failure-key-wipe.ts';

describeScenario(powerFailureKeyWipe);
