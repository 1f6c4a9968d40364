import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import upsForcedShutdown from './ups-forced-shutdown.ts';

describeScenario(upsForcedShutdown);
