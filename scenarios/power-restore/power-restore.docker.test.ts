import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import powerRestore from './power-restore.ts';

describeScenario(powerRestore);
