/**
 * Kubernetes resource quantities (`100m`, `1.5`, `200Mi`, `2e3`, `1G`) as plain numbers.
 *
 * The extender reads quantities from pods and nodes it did not create. A value it cannot read is
 * `undefined`, never 0: a silent zero would make an unreadable request look free.
 */

const SUFFIX_FACTOR: Readonly<Record<string, number>> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
};

// A decimal number with an optional exponent or unit suffix; the grammar is the API server's
// (resource.Quantity), minus the forms no real object carries.
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

/** A quantity in its base unit (cores, bytes); `undefined` unless finite and non-negative. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return undefined;

  const match = QUANTITY.exec(value.trim());
  if (!match) return undefined;
  const mantissa = Number(match[1]);
  const scaled =
    match[2] !== undefined
      ? mantissa * 10 ** Number(match[2])
      : mantissa * (SUFFIX_FACTOR[match[3] ?? ''] ?? NaN);
  return Number.isFinite(scaled) && scaled >= 0 ? scaled : undefined;
}

/** CPU quantity in millicores, rounded up as the API server does (`0.0001` is 1m). */
export function parseCpuMillicores(value: unknown): number | undefined {
  const cores = parseQuantity(value);
  return cores === undefined ? undefined : Math.ceil(cores * 1000 - 1e-9);
}

/** Memory quantity in bytes, rounded up to a whole byte. */
export function parseMemoryBytes(value: unknown): number | undefined {
  const bytes = parseQuantity(value);
  return bytes === undefined ? undefined : Math.ceil(bytes - 1e-9);
}
