// The technique map: a level 0-3 per technique from the evidence a student
// has given. Pure and documented in docs/mastery.md, with worked examples in
// tests/practice-mastery.test.ts. Change the numbers there and here together.

export type EvidenceSource = 'quiz' | 'scenario' | 'booster' | 'checkup';

export interface Evidence {
  technique: string;
  /** the answer was right: a quiz or booster question answered exactly, a chat reply that spotted the technique, a check-up item rated on the right side */
  correct: boolean;
  /** ISO time the evidence was given */
  at: string;
  source: EvidenceSource;
}

export const MASTERY_RULE = {
  /** evidence loses half its weight every three weeks */
  halfLifeDays: 21,
  /** level 3: a weighted share right of at least 80% on at least 4 units of recent evidence */
  strong: { accuracy: 0.8, weight: 4 },
  /** level 2: at least 65% right on at least 2 units */
  good: { accuracy: 0.65, weight: 2 },
  /** level 1: at least 50% right on at least half a unit; below that, level 0 */
  started: { accuracy: 0.5, weight: 0.5 },
} as const;

export const LEVEL_LABELS = ['Not yet', 'Started', 'Good', 'Strong'] as const;

export interface TechniqueMastery {
  level: 0 | 1 | 2 | 3;
  /** how many pieces of evidence there are, of any age */
  evidence: number;
  /** the sum of the evidence's weights today */
  weight: number;
  /** weighted share right, 0-1 (null without evidence) */
  accuracy: number | null;
}

const DAY = 24 * 60 * 60 * 1000;

/** How much one piece of evidence counts today: 1 when new, halving every halfLifeDays. */
export function weightOf(at: string, now: Date): number {
  const ageDays = Math.max(0, (now.getTime() - new Date(at).getTime()) / DAY);
  return 0.5 ** (ageDays / MASTERY_RULE.halfLifeDays);
}

/** The level for one technique's evidence. */
export function techniqueMastery(evidence: readonly Evidence[], now: Date): TechniqueMastery {
  let weight = 0;
  let right = 0;
  for (const item of evidence) {
    const w = weightOf(item.at, now);
    weight += w;
    if (item.correct) right += w;
  }
  const accuracy = weight > 0 ? right / weight : null;
  const meets = (rule: { accuracy: number; weight: number }) => accuracy !== null && accuracy >= rule.accuracy && weight >= rule.weight;
  const level = meets(MASTERY_RULE.strong) ? 3 : meets(MASTERY_RULE.good) ? 2 : meets(MASTERY_RULE.started) ? 1 : 0;
  return { level, evidence: evidence.length, weight: round(weight), accuracy: accuracy === null ? null : round(accuracy) };
}

/** Levels for each of `techniques` (evidence for other keys is ignored). */
export function masteryMap(techniques: readonly string[], evidence: readonly Evidence[], now: Date): Map<string, TechniqueMastery> {
  const byTechnique = new Map<string, Evidence[]>(techniques.map((id) => [id, []]));
  for (const item of evidence) byTechnique.get(item.technique)?.push(item);
  return new Map(techniques.map((id) => [id, techniqueMastery(byTechnique.get(id)!, now)]));
}

/** A class's level for a technique: the mean of its students' levels, to one decimal (null for an empty class). */
export function classLevel(levels: readonly number[]): number | null {
  if (!levels.length) return null;
  return Math.round((10 * levels.reduce((sum, level) => sum + level, 0)) / levels.length) / 10;
}

/** Techniques to revisit with a class: mean below "Good" (2), or a third or more of students at "Not yet"; weakest first. */
export function toRevisit(techniques: readonly { id: string; classLevel: number | null; levels: readonly number[] }[]): string[] {
  return techniques
    .filter((technique) => technique.classLevel !== null && (technique.classLevel < 2 || technique.levels.filter((level) => level === 0).length * 3 >= technique.levels.length))
    .sort((a, b) => a.classLevel! - b.classLevel!)
    .map((technique) => technique.id);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
