/**
 * Progress of long work. A run emits these; the CLI renders bars from them, code subscribes with `onProgress`.
 *
 * @example
 * ```ts
 * const onProgress: ProgressListener = (e) => console.log(`${e.stage} ${e.done}/${e.total}`);
 * ```
 */
export interface ProgressEvent {
  /** The pipeline stage or task name, e.g. 'calibrate'. */
  stage: string;
  done: number;
  total: number;
  /** Optional detail, e.g. the layer being quantized. */
  item?: string;
}

export type ProgressListener = (event: ProgressEvent) => void;
