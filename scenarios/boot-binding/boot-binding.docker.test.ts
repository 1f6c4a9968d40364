import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import bootBinding from './boot-binding.ts';

describeScenario(bootBinding);
