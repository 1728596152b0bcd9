import { formatDemoTable, runDemo } from './demo.js';

// `npm start` from the repository root: quantize, evaluate, print the table. Progress goes to stderr.
let stage = '';
const result = await runDemo({
  onProgress: (e) => {
    if (e.stage !== stage) {
      stage = e.stage;
      process.stderr.write(`${e.stage}...\n`);
    }
  },
});
process.stdout.write(formatDemoTable(result));
