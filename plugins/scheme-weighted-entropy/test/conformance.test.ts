// Runs @quantforge/testing's conformance kit on this plugin folder: manifest, main and worker modules (built dist),
// and every case under fixtures/ (expected values from scripts/generate-fixtures.py, an independent numpy reference).
import { describeConformance } from '@quantforge/testing/vitest';

describeConformance(new URL('..', import.meta.url), { workers: 2 });
