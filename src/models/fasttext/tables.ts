/**
 * fastText's lookup tables: sigmoid over [-8, 8] and log over (0, 1], 512 steps each. The
 * one-vs-all and negative-sampling losses report table values, so predictions use them too.
 */
export const SIGMOID_TABLE_SIZE = 512;
export const MAX_SIGMOID = 8;
export const LOG_TABLE_SIZE = 512;

export const SIGMOID_TABLE = new Float32Array(SIGMOID_TABLE_SIZE + 1);
for (let i = 0; i <= SIGMOID_TABLE_SIZE; i++) {
  const x = (i * 2 * MAX_SIGMOID) / SIGMOID_TABLE_SIZE - MAX_SIGMOID;
  SIGMOID_TABLE[i] = 1 / (1 + Math.exp(-x));
}
export const LOG_TABLE = new Float32Array(LOG_TABLE_SIZE + 1);
for (let i = 0; i <= LOG_TABLE_SIZE; i++) LOG_TABLE[i] = Math.log((Math.fround(i) + 1e-5) / LOG_TABLE_SIZE);

/** Loss::sigmoid; x is a float32 value. */
export function tsigmoid(x: number): number {
  if (x < -MAX_SIGMOID) return 0;
  if (x > MAX_SIGMOID) return 1;
  return SIGMOID_TABLE[Math.trunc(Math.fround(x + MAX_SIGMOID) * (SIGMOID_TABLE_SIZE / MAX_SIGMOID / 2))];
}

/** Loss::log */
export function tlog(x: number): number {
  if (x > 1) return 0;
  return LOG_TABLE[Math.trunc(Math.fround(x) * LOG_TABLE_SIZE)];
}
