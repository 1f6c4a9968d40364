import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import logOrDie from './log-or-die.ts';

describeScenario(logOrDie);
