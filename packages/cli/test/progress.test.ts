import { describe, expect, it } from 'vitest';
import { ProgressRenderer } from '../src/progress.js';

function capture(): { stream: { write: (s: string) => void }; text: () => string } {
  const parts: string[] = [];
  return { stream: { write: (s: string) => void parts.push(s) }, text: () => parts.join('') };
}

describe('ProgressRenderer on a terminal', () => {
  it('redraws one bar per stage with \\r and ends each stage with a newline', () => {
    const c = capture();
    const p = new ProgressRenderer({ stream: c.stream, isTTY: true, columns: 80 });
    for (let i = 0; i <= 4; i++) p.update({ stage: 'calibrate', done: i, total: 4 });
    p.update({ stage: 'quantize', done: 1, total: 2, item: 'conv1' });
    p.done();
    const text = c.text();
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]!.split('\r').filter(Boolean).at(-1)).toBe(`calibrate [${'#'.repeat(24)}] 100% 4/4`);
    expect(lines[0]!.split('\r').filter(Boolean)[0]).toBe(`calibrate [${'-'.repeat(24)}]   0% 0/4`);
    expect(lines[1]).toBe(`\rquantize [${'#'.repeat(12)}${'-'.repeat(12)}]  50% 1/2 conv1`);
    expect(lines[2]).toBe('');
  });

  it('does not redraw an unchanged line and fits narrow terminals', () => {
    const c = capture();
    const p = new ProgressRenderer({ stream: c.stream, isTTY: true, columns: 22 });
    p.update({ stage: 'load', done: 1, total: 3 });
    p.update({ stage: 'load', done: 1, total: 3 });
    p.done();
    expect(c.text()).toBe('\rload [##---]  33% 1/3\n');
  });
});

describe('ProgressRenderer without a terminal', () => {
  it('prints plain lines at each step and at the end, never carriage returns', () => {
    const c = capture();
    const p = new ProgressRenderer({ stream: c.stream, isTTY: false, step: 50 });
    for (let i = 0; i <= 10; i++) p.update({ stage: 'calibrate', done: i, total: 10 });
    p.update({ stage: 'export', done: 3, total: 0 });
    p.done();
    expect(c.text()).toBe('calibrate: 0/10 (0%)\ncalibrate: 5/10 (50%)\ncalibrate: 10/10 (100%)\nexport: 3\n');
  });
});

describe('ProgressRenderer with quiet', () => {
  it('prints nothing', () => {
    const c = capture();
    const p = new ProgressRenderer({ stream: c.stream, isTTY: true, quiet: true });
    p.listener({ stage: 's', done: 1, total: 2 });
    p.done();
    expect(c.text()).toBe('');
  });
});
