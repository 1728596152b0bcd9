import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildProject, compareOutputs, cortexMPlugin, createProgramRunner, probeToolchain, runProcess, verifyCProject, writeCProject,
} from '@quantforge/backend-cortex-m';
import type { Program } from '@quantforge/core';
import { readNpy } from '@quantforge/onnx';
import { uniform } from '@quantforge/scheme-uniform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quantforge } from '../src/api/index.js';
import { mismatchError } from '../src/commands/quantize-target.js';
import { REPO, tempDir } from './helpers.js';

// The library pieces behind `quantize --verify`: the byte comparison, the process runner's timeout, and a real
// emitted project whose expected outputs are perturbed by one bit (the check must catch it).
const FMNIST = join(REPO, 'examples/fashion-mnist');
const TOOLCHAIN = await probeToolchain();

describe('compareOutputs', () => {
  const want = Float32Array.from({ length: 30 }, (_, i) => i / 7 - 2);
  const bytes = (a: Float32Array) => new Uint8Array(a.buffer.slice(0));

  it('identical bytes are identical', () => {
    expect(compareOutputs(bytes(want), want, 10)).toEqual({ samples: 3, identical: true, mismatches: 0 });
  });

  it('-0 against 0 is a difference (bits, not values)', () => {
    const a = Float32Array.from(want);
    const b = Float32Array.from(want);
    a[14] = 0;
    b[14] = -0;
    expect(compareOutputs(bytes(b), a, 10)).toEqual({ samples: 3, identical: false, mismatches: 1, firstMismatch: 1 });
  });

  it('missing samples count as mismatches; extra bytes make it not identical', () => {
    expect(compareOutputs(bytes(want).subarray(0, 40), want, 10)).toEqual({ samples: 3, identical: false, mismatches: 2, firstMismatch: 1 });
    const longer = new Uint8Array(124);
    longer.set(bytes(want));
    expect(compareOutputs(longer, want, 10)).toEqual({ samples: 3, identical: false, mismatches: 0 });
  });
});

describe('mismatchError', () => {
  const same = { samples: 200, identical: true, mismatches: 0, buildMs: 1, runMs: 1 };
  it('is undefined when every platform that ran is identical or skipped', () => {
    expect(mismatchError({ samples: 200, host: same, qemu: { skipped: 'missing qemu-system-arm' } }, 'p')).toBeUndefined();
  });
  it('names each differing platform with its counts (QF_TARGET_MISMATCH)', () => {
    const e = mismatchError({ samples: 200, host: same, qemu: { ...same, identical: false, mismatches: 3, firstMismatch: 17 } }, 'out/p');
    expect(e).toMatchObject({ code: 'QF_TARGET_MISMATCH', message: 'the emitted C program in out/p differs from the simulator on qemu (3 of 200 samples, first: 17)' });
  });
});

describe('runProcess', () => {
  it('kills the whole process group at the timeout', async () => {
    const r = await runProcess('sh', ['-c', 'sleep 30; echo finished'], { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.status).toBeNull();
    expect(r.stdout).not.toContain('finished');
  });

  it('a missing command resolves with status null instead of throwing', async () => {
    const r = await runProcess('qf-no-such-tool', ['--version'], { timeoutMs: 5_000 });
    expect(r.status).toBeNull();
    expect(r.stderr).toMatch(/ENOENT/);
  });
});

describe.skipIf(!TOOLCHAIN.host)(`verifyCProject on the Fashion-MNIST program ${TOOLCHAIN.host ? '' : `(skipped: missing ${TOOLCHAIN.missing.join(', ')})`}`, () => {
  const tmp = tempDir();
  let program: Program;
  let dir: string;
  let inputs: Float32Array;
  let expected: Float32Array;
  afterAll(() => tmp.cleanup());

  beforeAll(async () => {
    const result = await quantforge(join(FMNIST, 'model/model.onnx')).use(uniform({})).recipe({ scheme: 'uniform', mode: 'static', calibration: { samples: 64 } })
      .target(cortexMPlugin, { target: 'cortex-m4' }).calibrate(join(FMNIST, 'data/calib')).run({ seed: 0 });
    program = result.target!.program!;
    dir = writeCProject(program, join(tmp.dir, 'p'));
    const x = readNpy(readFileSync(join(FMNIST, 'data/eval/input.npy'))).data as Float32Array;
    const runner = createProgramRunner(program, { record: 8 });
    await runner.run({ input: { dtype: 'float32', dims: [8, 1, 28, 28], data: x.slice(0, 8 * 784) } });
    ({ inputs, outputs: expected } = runner.recorded());
  }, 120_000);

  it('the host build matches the simulator, and one flipped bit in one sample is caught', async () => {
    const ok = await verifyCProject(dir, inputs, expected, 10, { platforms: ['host'], toolchain: TOOLCHAIN });
    expect(ok.host).toMatchObject({ samples: 8, identical: true, mismatches: 0 });
    expect(ok.qemu).toEqual({ skipped: 'not requested' });
    const wrong = Float32Array.from(expected);
    new Uint32Array(wrong.buffer)[3 * 10 + 4]! ^= 1;
    const bad = await verifyCProject(dir, inputs, wrong, 10, { platforms: ['host'], toolchain: TOOLCHAIN });
    expect(bad.host).toMatchObject({ samples: 8, identical: false, mismatches: 1, firstMismatch: 3 });
  }, 120_000);

  it('a project that does not compile fails with QF_TOOLCHAIN and the compiler output', async () => {
    const broken = writeCProject(program, join(tmp.dir, 'broken'));
    appendFileSync(join(broken, 'model.c'), '\nthis is not C;\n');
    await expect(buildProject(broken, 'host', { timeoutMs: 120_000 })).rejects.toMatchObject({ code: 'QF_TOOLCHAIN', message: expect.stringMatching(/make host in .* exited with status 2:[\s\S]*model\.c/) });
  }, 120_000);
});
