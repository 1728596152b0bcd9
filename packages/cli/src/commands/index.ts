import type { CommandSpec } from '../command.js';
import { convertCommand } from './convert.js';
import { evalCommand } from './eval.js';
import { inspectCommand } from './inspect.js';
import { quantizeCommand } from './quantize.js';
import { runCommand } from './run.js';
import { targetsCommand } from './targets.js';

/** Every command, in the order `quantforge --help` lists them. A new command is one file here plus one line below. */
export const COMMANDS: readonly CommandSpec[] = [inspectCommand, convertCommand, runCommand, quantizeCommand, evalCommand, targetsCommand];
