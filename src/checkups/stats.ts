// The statistics of a check-up, as pure functions. Discernment is the mean
// rating of manipulative items minus the mean rating of their neutral twins:
// high means telling them apart, not distrusting everything.

export interface Rated {
  manipulative: boolean;
  rating: number;
}

export interface Score {
  manipulativeMean: number;
  neutralMean: number;
  discernment: number;
}

export function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Sample standard deviation (n - 1). */
export function standardDeviation(values: number[]): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((sum, value) => sum + (value - m) ** 2, 0) / (values.length - 1));
}

export function scoreSitting(responses: Rated[]): Score {
  const manipulative = responses.filter((r) => r.manipulative).map((r) => r.rating);
  const neutral = responses.filter((r) => !r.manipulative).map((r) => r.rating);
  const manipulativeMean = manipulative.length ? mean(manipulative) : 0;
  const neutralMean = neutral.length ? mean(neutral) : 0;
  return { manipulativeMean, neutralMean, discernment: manipulativeMean - neutralMean };
}

/** Two-sided 97.5th percentiles of Student's t, by degrees of freedom. */
const T_975: [number, number][] = [
  [1, 12.706], [2, 4.303], [3, 3.182], [4, 2.776], [5, 2.571], [6, 2.447], [7, 2.365], [8, 2.306], [9, 2.262],
  [10, 2.228], [11, 2.201], [12, 2.179], [13, 2.16], [14, 2.145], [15, 2.131], [16, 2.12], [17, 2.11], [18, 2.101],
  [19, 2.093], [20, 2.086], [21, 2.08], [22, 2.074], [23, 2.069], [24, 2.064], [25, 2.06], [26, 2.056], [27, 2.052],
  [28, 2.048], [29, 2.045], [30, 2.042], [40, 2.021], [60, 2.0], [120, 1.98],
];

export function tCritical95(df: number): number {
  if (df < 1) return Number.NaN;
  const exact = T_975.find(([d]) => d === df);
  if (exact) return exact[1];
  if (df > 120) return 1.96;
  // Between tabled values: linear in 1/df, which is how t approaches the normal.
  const upper = T_975.findIndex(([d]) => d > df);
  const [d0, t0] = T_975[upper - 1];
  const [d1, t1] = T_975[upper];
  return t0 + ((1 / df - 1 / d0) / (1 / d1 - 1 / d0)) * (t1 - t0);
}

export interface MeanWithInterval {
  mean: number;
  ci95: [number, number];
}

/** Mean of paired differences with its 95 % confidence interval (t distribution). */
export function pairedChange(before: number[], after: number[]): MeanWithInterval {
  if (before.length !== after.length) throw new Error('paired samples must have the same length');
  const differences = after.map((value, index) => value - before[index]);
  const m = mean(differences);
  if (differences.length < 2) return { mean: m, ci95: [Number.NaN, Number.NaN] };
  const half = (tCritical95(differences.length - 1) * standardDeviation(differences)) / Math.sqrt(differences.length);
  return { mean: m, ci95: [m - half, m + half] };
}

/**
 * Cronbach's alpha of a test whose parts are scored for each person:
 * `scores[person][part]`. alpha = k / (k - 1) * (1 - sum of the parts'
 * variances / variance of the totals), with sample variances (n - 1). Here a
 * part is a pair and its score the pair's discernment (rating of the
 * manipulative item minus rating of its twin), so alpha says how consistently
 * the pairs of a form measure one skill. Null when it is not defined: fewer
 * than 2 people or 2 parts, or totals that do not vary.
 */
export function cronbachAlpha(scores: readonly (readonly number[])[]): number | null {
  const people = scores.length;
  const parts = scores[0]?.length ?? 0;
  if (people < 2 || parts < 2 || scores.some((row) => row.length !== parts)) return null;
  const variance = (values: number[]) => standardDeviation(values) ** 2;
  const partVariances = Array.from({ length: parts }, (_, part) => variance(scores.map((row) => row[part])));
  const totalVariance = variance(scores.map((row) => row.reduce((sum, value) => sum + value, 0)));
  if (totalVariance === 0) return null;
  return (parts / (parts - 1)) * (1 - partVariances.reduce((sum, value) => sum + value, 0) / totalVariance);
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
