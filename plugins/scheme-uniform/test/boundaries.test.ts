// Stricter than the workspace walls (tools/test/walls.test.ts): src may import only core, typebox, node built-ins and
// its own files (no onnx / runtime / testing, no other third-party package), and relative imports end in .js.
import { describeImportBoundaries } from '@quantforge/testing/vitest';

describeImportBoundaries(new URL('../src/', import.meta.url));
