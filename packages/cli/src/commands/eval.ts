import { usageError } from '../args.js';
import { stringOption, type CommandSpec } from '../command.js';
import { requireFile } from '../files.js';
import { imageRecipeOption, positiveIntOption } from './quantize.js';

/** `quantforge eval <float.onnx> <quant.onnx> --data <path> [--labels <file>] [--samples N] [--json]` */
export const evalCommand: CommandSpec = {
  name: 'eval',
  summary: 'Compare a float model and its quantized version on held-out data.',
  description:
    'Run both models on the same samples and report output SQNR and cosine, argmax agreement and, with --labels,\n' +
    'top-1 accuracy of each. Both run on onnxruntime-node at a level that does not fuse QDQ (higher levels use u8×s8\n' +
    'kernels that saturate on CPUs without VNNI), or on the reference executor when onnxruntime cannot load a\n' +
    'model; the output names the executor and its graphOptimizationLevel. Data is read as by "quantize --eval".',
  positionals: [
    { name: 'float.onnx', description: 'the float (reference) model' },
    { name: 'quant.onnx', description: 'the quantized model' },
  ],
  options: {
    data: { type: 'string', valueName: 'PATH', description: 'Held-out samples (folder of .npy/.pb or images, stacked .npy/.pb, .js/.mjs module). Required.' },
    labels: { type: 'string', valueName: 'FILE', description: 'Class labels (.npy, .txt or .csv), one per sample, for top-1 accuracy.' },
    samples: { type: 'string', valueName: 'N', description: 'Use at most N samples.' },
    'image-recipe': { type: 'string', valueName: 'JSON|FILE', description: 'Preprocessing of an image folder (resize, scale, mean, std, channelOrder, layout, grayscale).' },
  },
  json: true,
  examples: [
    'quantforge eval model.onnx model.int8.onnx --data data/eval --labels data/eval/labels.npy',
    'quantforge eval model.onnx model.int8.onnx --data data/eval --samples 200 --json',
  ],
  async run(ctx) {
    const data = stringOption(ctx.options, 'data');
    if (data === undefined) throw usageError('missing flag --data PATH', 'eval', { flag: '--data' });
    const samples = positiveIntOption(ctx.options, 'samples', 'eval');
    const labels = stringOption(ctx.options, 'labels');
    const floatPath = ctx.path(ctx.positionals[0]!);
    const quantPath = ctx.path(ctx.positionals[1]!);
    await requireFile(floatPath, 'model');
    await requireFile(quantPath, 'model');
    const image = await imageRecipeOption(ctx, 'eval');
    const { compareModels, metricLines } = await import('../api/index.js');
    const progress = ctx.progress();
    const c = await compareModels(floatPath, quantPath, data, {
      cwd: ctx.io.cwd,
      onProgress: progress.listener,
      ...(labels === undefined ? {} : { labels: ctx.path(labels) }),
      ...(samples === undefined ? {} : { samples }),
      ...(image === undefined ? {} : { image }),
    });
    progress.done();
    if (ctx.global.json) {
      ctx.io.stdout.write(`${JSON.stringify(c, null, 2)}\n`);
      return 0;
    }
    const lines = [
      `float         ${floatPath}`,
      `quantized     ${quantPath}`,
      `data          ${c.data}`,
      ...metricLines(c.evaluation),
      `executor      float: ${c.executors.float}`,
      `              quantized: ${c.executors.quantized}`,
    ];
    ctx.io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};
