export {};
export { nodeTestTable, nodeTestTableMain, type NodeTestTable } from './node-test-table.js';
export { checkWalls, isWorkspaceRoot, listWorkspacePackages, maskSource, mayDepend, scanImports, type ImportRef, type PackageRole, type WallViolation, type WorkspacePackage } from './walls.js';
