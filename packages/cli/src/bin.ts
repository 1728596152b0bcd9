#!/usr/bin/env node
import { processIO } from './io.js';
import { main } from './main.js';

// A closed pipe (`quantforge inspect m.onnx | head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2), processIO());
