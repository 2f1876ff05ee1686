/** The collector, when node runs with --expose-gc. */

export type Gc = () => void;

export function exposedGc(): Gc | undefined {
  const gc: unknown = (globalThis as { gc?: unknown }).gc;
  return typeof gc === 'function' ? (gc as Gc) : undefined;
}

/**
 * Two full collections: the first can leave objects that only the second finds unreachable
 * (weak maps, finalisers scheduled by the first). Does nothing without --expose-gc.
 */
export function collect(gc: Gc | undefined = exposedGc()): void {
  gc?.();
  gc?.();
}
