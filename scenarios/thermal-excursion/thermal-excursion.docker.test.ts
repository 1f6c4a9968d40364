import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import thermalExcursion from './thermal-excursion.ts';

describeScenario(thermalExcursion);
