import { project } from '../../../vitest.shared.ts';

export default project('el3-monitor');
