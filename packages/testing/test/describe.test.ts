import { describeConformance } from '../dist/vitest.js';

// The kit's vitest helper on the fixture plugin: one test per check, all of which must pass.
describeConformance(new URL('./fixtures/plugin-scale/', import.meta.url), { workers: 1 });
