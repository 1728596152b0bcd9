export { codebookExporter, CODEBOOK_OPSET, type CodebookExporterOptions } from './exporter.js';
export { expandCodebook, OPSET_PACKED_INDICES, type Expansion } from './expand.js';
export { expandLogWeight } from './log-weights.js';
export { packPlanes, packWidth, type IndexPacking } from './pack.js';
