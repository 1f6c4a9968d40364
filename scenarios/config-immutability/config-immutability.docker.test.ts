import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import configImmutability from './config-immutability.ts';

describeScenario(configImmutability);
