import type { CommandSpec } from '../command.js';
import { convertCommand } from './convert.js';
import { inspectCommand } from './inspect.js';
import { runCommand } from './run.js';

/** Every command, in the order `quantforge --help` lists them. A new command is one file here plus one line below. */
export const COMMANDS: readonly CommandSpec[] = [inspectCommand, convertCommand, runCommand];
