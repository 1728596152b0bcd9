export { emitC, writeCProject, type CProjectFiles, type EmitCOptions } from './emit-c.js';
