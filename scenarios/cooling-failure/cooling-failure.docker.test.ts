import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import coolingFailure from './cooling-failure.ts';

describeScenario(coolingFailure);
