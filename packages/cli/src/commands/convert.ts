import { isQuantforgeError, QuantforgeError } from '@quantforge/core';
import { usageError } from '../args.js';
import { flagOption, stringOption, type CommandSpec } from '../command.js';
import { requireFile, requireWritableTarget } from '../files.js';

type ExternalData = boolean | { location?: string; threshold?: number };

function externalDataOption(values: Parameters<typeof flagOption>[0]): ExternalData {
  const location = stringOption(values, 'external-data-location');
  const thresholdText = stringOption(values, 'external-data-threshold');
  const on = flagOption(values, 'external-data') || location !== undefined || thresholdText !== undefined;
  if (!on) return false;
  const opts: { location?: string; threshold?: number } = {};
  if (location !== undefined) {
    if (location === '' || /[\\/]/.test(location) || location === '.' || location === '..') {
      throw usageError(`--external-data-location must be a plain file name, got "${location}"`, 'convert', { location });
    }
    opts.location = location;
  }
  if (thresholdText !== undefined) {
    if (!/^[0-9]+$/.test(thresholdText)) {
      throw usageError(`--external-data-threshold must be a byte count, got "${thresholdText}"`, 'convert', { threshold: thresholdText });
    }
    opts.threshold = Number(thresholdText);
  }
  return Object.keys(opts).length === 0 ? true : opts;
}

/** `quantforge convert <in.onnx> <out.onnx> [--external-data]` */
export const convertCommand: CommandSpec = {
  name: 'convert',
  summary: 'Load a model through the IR and save it again (optionally with external data).',
  description:
    'Load a model into the Quantforge IR and write it back. An unchanged model comes out byte-identical; with\n' +
    '--external-data the tensor bytes go to a side file next to the output. The output is written atomically:\n' +
    'on failure no partial file is left behind.',
  positionals: [
    { name: 'in.onnx', description: 'the model to read (external data is read from its folder)' },
    { name: 'out.onnx', description: 'where to write the model' },
  ],
  options: {
    'external-data': { type: 'boolean', description: 'Store large tensors in a side file (default name: <out.onnx>.data).' },
    'external-data-location': { type: 'string', valueName: 'FILE', description: 'File name of the side file, relative to the output folder (implies --external-data).' },
    'external-data-threshold': { type: 'string', valueName: 'BYTES', description: 'Only tensors of at least this many bytes go to the side file (implies --external-data).' },
  },
  json: true,
  examples: ['quantforge convert model.onnx copy.onnx', 'quantforge convert big.onnx out.onnx --external-data'],
  async run(ctx) {
    const input = ctx.path(ctx.positionals[0]!);
    const output = ctx.path(ctx.positionals[1]!);
    const externalData = externalDataOption(ctx.options);
    await requireFile(input, 'model');
    await requireWritableTarget(output, 'model');
    const { loadModel, saveModel } = await import('@quantforge/onnx');
    const model = await loadModel(input);
    try {
      await saveModel(model, output, { externalData });
    } catch (error) {
      if (isQuantforgeError(error)) throw error;
      const errno = (error as { code?: string }).code;
      throw new QuantforgeError('QF_IO', `cannot write model ${output}: ${(error as Error).message}`, { details: { path: output, errno }, cause: error });
    }
    if (ctx.global.json) {
      ctx.io.stdout.write(`${JSON.stringify({ input, output, externalData: externalData !== false })}\n`);
    } else if (!ctx.global.quiet) {
      ctx.io.stdout.write(`wrote ${output}\n`);
    }
    return 0;
  },
};
