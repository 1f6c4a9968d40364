import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import pullOnlyMonitoring from './pull-only-monitoring.ts';

describeScenario(pullOnlyMonitoring);
