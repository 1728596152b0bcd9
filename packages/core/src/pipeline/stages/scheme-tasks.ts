import type { Tensor } from '../../ir/tensor.js';
import type { QuantforgePlugin } from '../../plugins/types.js';
import type { SchemeDefinition } from '../../quant/scheme.js';
import type { WorkerPool } from '../../workers/pool.js';
import {
  defineSchemeWorker, SCHEME_WORKER_EXPORTS, type ActivationTaskOptions, type ActivationTaskValue, type SchemeWorkerExports,
  type WeightTaskOptions, type WeightTaskValue,
} from '../scheme-worker.js';

/** A scheme as the run uses it: definition, validated options and where its worker code lives. */
export interface ActiveScheme {
  name: string;
  plugin: QuantforgePlugin;
  definition: SchemeDefinition<unknown>;
  options: Record<string, unknown>;
  /** Absolute file URL of the plugin's worker module; without it the scheme runs in-process. */
  workerUrl?: string;
}

/**
 * Runs scheme work on the pool when the scheme has a worker module, else in-process through the same adapter, so
 * both paths produce the same bytes.
 */
export class SchemeTasks {
  readonly #local = new Map<string, SchemeWorkerExports>();
  readonly pool: WorkerPool | undefined;

  constructor(pool: WorkerPool | undefined) {
    this.pool = pool;
  }

  #adapter(s: ActiveScheme): SchemeWorkerExports {
    let a = this.#local.get(s.name);
    if (a === undefined) this.#local.set(s.name, (a = defineSchemeWorker(s.definition)));
    return a;
  }

  /** True when this scheme's tasks go to worker threads. */
  onWorkers(s: ActiveScheme): boolean {
    return this.pool !== undefined && s.workerUrl !== undefined;
  }

  async quantizeWeight(s: ActiveScheme, task: WeightTaskOptions, tensor: Tensor): Promise<{ value: WeightTaskValue; codes?: Tensor }> {
    if (this.onWorkers(s)) {
      const r = await this.pool!.run<WeightTaskValue>({
        workerUrl: s.workerUrl!, export: SCHEME_WORKER_EXPORTS.quantizeWeight, options: task, tensors: { tensor }, transfer: 'share',
      });
      return r.tensors.codes === undefined ? { value: r.value } : { value: r.value, codes: r.tensors.codes };
    }
    // Options cross a JSON boundary on the worker path; clone them here too so schemes see the same values.
    const r = await this.#adapter(s).quantizeWeight(structuredClone(task), { tensor });
    return r.tensors.codes === undefined ? { value: r.value } : { value: r.value, codes: r.tensors.codes };
  }

  async encodeActivation(s: ActiveScheme, task: ActivationTaskOptions): Promise<ActivationTaskValue> {
    if (this.onWorkers(s)) {
      const r = await this.pool!.run<ActivationTaskValue>({ workerUrl: s.workerUrl!, export: SCHEME_WORKER_EXPORTS.encodeActivation, options: task });
      return r.value;
    }
    return this.#adapter(s).encodeActivation(structuredClone(task));
  }
}
