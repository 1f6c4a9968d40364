import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import cellBlastRadius from './cell-blast-radius.ts';

describeScenario(cellBlastRadius);
