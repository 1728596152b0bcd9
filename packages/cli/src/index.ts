/**
 * quantforge — the command line of Quantforge. `main(argv, io)` runs it in process (what `bin.js` does with the real
 * process streams); the pieces below let other tools embed it or add commands.
 */
export { main } from './main.js';
export { processIO, memoryIO, type CliIO, type TextSink } from './io.js';
export { ProgressRenderer, type ProgressOptions } from './progress.js';
export { EXIT, reportError, exitCodeOf } from './report-error.js';
export { COMMANDS } from './commands/index.js';
export { inspectModel, formatInspect, type InspectReport } from './commands/inspect.js';
export { GLOBAL_OPTIONS, usageError } from './args.js';
export { stringOption, stringsOption, flagOption } from './command.js';
export type { CommandSpec, CommandContext, GlobalOptions, OptionSpec, PositionalSpec, OptionValues } from './command.js';
export type { ValueSummary, OpCount } from './model-summary.js';
export * from './api/index.js';
