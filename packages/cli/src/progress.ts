import type { ProgressEvent } from '@quantforge/core';
import type { TextSink } from './io.js';

/** How progress is shown. */
export interface ProgressOptions {
  stream: TextSink;
  /** Redraw one bar per stage in place (`\r`); otherwise print plain lines at coarse steps. */
  isTTY: boolean;
  /** Print nothing at all. */
  quiet?: boolean;
  /** Terminal width; the bar shrinks to fit. Defaults to 80. */
  columns?: number;
  /** Plain mode prints a line each time a stage crosses another `step` percent (default 25), and at the end. */
  step?: number;
}

const BAR_CELLS = 24;

function percentOf(done: number, total: number): number {
  if (!(total > 0)) return 0;
  return Math.max(0, Math.min(100, Math.floor((done / total) * 100)));
}

function countText(done: number, total: number): string {
  return total > 0 ? `${done}/${total}` : `${done}`;
}

/**
 * Renders core `ProgressEvent`s. On a terminal each stage gets one bar that is redrawn in place and finished with a
 * newline when the stage completes or the next stage starts. Elsewhere (CI logs, pipes) it prints a plain line when a
 * stage starts, at every `step` percent and when it completes, so logs stay short. With `quiet` it prints nothing.
 * Steps are counted in events, never in time, so output is deterministic.
 *
 * @example
 * ```ts
 * const progress = new ProgressRenderer({ stream: process.stderr, isTTY: process.stderr.isTTY === true });
 * pipeline.run({ onProgress: progress.listener });
 * progress.done();
 * ```
 */
export class ProgressRenderer {
  private readonly options: Required<Omit<ProgressOptions, 'columns'>> & { columns: number };
  private stage: string | undefined;
  private openLine = false;
  private lastDrawn = '';
  private lastStep = -1;
  private finished = false;

  constructor(options: ProgressOptions) {
    this.options = { quiet: false, step: 25, columns: 80, ...options } as Required<Omit<ProgressOptions, 'columns'>> & { columns: number };
  }

  /** The renderer as a `ProgressListener`, bound so it can be passed around. */
  readonly listener = (event: ProgressEvent): void => this.update(event);

  /** Shows one event. */
  update(event: ProgressEvent): void {
    if (this.options.quiet) return;
    if (event.stage !== this.stage) {
      this.closeLine();
      this.stage = event.stage;
      this.lastDrawn = '';
      this.lastStep = -1;
      this.finished = false;
    } else if (this.finished) {
      // A stage that reported completion and then reports again (e.g. a second pass) starts over.
      this.lastDrawn = '';
      this.lastStep = -1;
      this.finished = false;
    }
    if (this.options.isTTY) this.drawBar(event);
    else this.printLine(event);
  }

  /** Ends the current bar line; call once when the work is over (also after a failure). */
  done(): void {
    if (this.options.quiet) return;
    this.closeLine();
    this.stage = undefined;
  }

  private complete(event: ProgressEvent): boolean {
    return event.total > 0 && event.done >= event.total;
  }

  private drawBar(event: ProgressEvent): void {
    const pct = percentOf(event.done, event.total);
    const counts = countText(event.done, event.total);
    const head = `${event.stage} `;
    const tail = ` ${String(pct).padStart(3)}% ${counts}`;
    const room = this.options.columns - 1 - head.length - tail.length - 2;
    const cells = Math.max(0, Math.min(BAR_CELLS, room));
    let line = head;
    if (cells >= 5) {
      const filled = event.total > 0 ? Math.round((cells * Math.min(event.done, event.total)) / event.total) : 0;
      line += `[${'#'.repeat(filled)}${'-'.repeat(cells - filled)}]`;
    }
    line += tail;
    if (event.item !== undefined) {
      const left = this.options.columns - 1 - line.length - 1;
      if (left > 3) line += ` ${event.item.length > left ? `${event.item.slice(0, left - 1)}…` : event.item}`;
    }
    if (line === this.lastDrawn) return;
    // Pad with spaces so a shorter line fully covers the previous one.
    const pad = this.lastDrawn.length > line.length ? ' '.repeat(this.lastDrawn.length - line.length) : '';
    this.options.stream.write(`\r${line}${pad}`);
    this.lastDrawn = line;
    this.openLine = true;
    if (this.complete(event)) {
      this.options.stream.write('\n');
      this.openLine = false;
      this.finished = true;
    }
  }

  private printLine(event: ProgressEvent): void {
    const pct = percentOf(event.done, event.total);
    const step = Math.max(1, this.options.step);
    const bucket = Math.floor(pct / step);
    const complete = this.complete(event);
    if (bucket === this.lastStep && !complete) return;
    this.lastStep = bucket;
    const item = event.item !== undefined ? ` ${event.item}` : '';
    this.options.stream.write(`${event.stage}: ${countText(event.done, event.total)}${event.total > 0 ? ` (${pct}%)` : ''}${item}\n`);
    if (complete) this.finished = true;
  }

  private closeLine(): void {
    if (this.openLine) {
      this.options.stream.write('\n');
      this.openLine = false;
    }
  }
}
