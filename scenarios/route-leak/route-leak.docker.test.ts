import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import routeLeak from './route-leak.ts';

describeScenario(routeLeak);
