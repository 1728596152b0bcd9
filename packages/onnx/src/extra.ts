// The codec's private shapes of the IR's `extra` fields. Everyone else treats `extra` as opaque; the codec reads it
// defensively, because a user may have replaced or cloned it.

/** The `extra` of most IR objects: the residue of the proto message (see `residue` in codec.ts). */
export interface RestExtra {
  rest?: Uint8Array;
}

/** Reads an `extra` as an object, or undefined. */
export function extraOf<T extends object>(extra: unknown): Partial<T> | undefined {
  return extra !== null && typeof extra === 'object' ? (extra as Partial<T>) : undefined;
}

/** The residue bytes held in an `extra`, if any. */
export function restOf(extra: unknown): Uint8Array | undefined {
  const rest = extraOf<RestExtra>(extra)?.rest;
  return rest instanceof Uint8Array ? rest : undefined;
}

/** An `extra` holding a residue, or undefined when there is none (the IR object then gets no `extra` at all). */
export function restExtra(rest: Uint8Array | undefined): RestExtra | undefined {
  return rest ? { rest } : undefined;
}
