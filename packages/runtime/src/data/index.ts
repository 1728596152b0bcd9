/**
 * Calibration and evaluation data sources: streams of feeds (one sample per feed, batch dim 1, unless `batch` is
 * set) from tensor folders, JS modules, image folders or random data, plus feed checks and label files.
 */
export { concatFeeds, inputSpecsFromGraph, makeSource, type DataSource, type Feed, type InputSpec, type SourceOptions } from './source.js';
export { checkFeed, checkedSource, shapeMatches } from './check.js';
export { fromNpyFile, fromNpyFolder, type TensorFolderOptions } from './npy-folder.js';
export { fromModule } from './module.js';
export { decodeImage, fromImageFolder, type ImageFolderOptions } from './image-folder.js';
export { preprocessImage, type ImageRecipe, type RgbaImage } from './image-recipe.js';
export { randomData, type RandomDataOptions } from './random.js';
export { inferRecipe, parseDataSpec, type DataSpecContext } from './spec.js';
export { readLabels } from './labels.js';
export { readTensorFile, type TensorFile } from './files.js';
