// Check-up reports: a class's before/after result and the school's, pooled
// over classes. One rule keeps small groups safe on every page (see
// docs/assessment.md, "Small groups"): a figure drawn from check-up ratings
// is shown only when at least MIN_REPORT_N students are behind it, and a
// class whose own report is suppressed lends its ratings to no other page.
import type { AppContext } from '../context.ts';
import type { Checkup, CheckupResponse, CheckupSitting } from '../store/backend.ts';
import type { Form, ItemBank } from './bank.ts';
import { bankOrThrow, checkupsOfClass, checkupStatus, MIN_REPORT_N, PHASES, presentScore, scoreFrom, scoreOf, type ScoredSitting } from './checkups.ts';
import { cronbachAlpha, mean, pairedChange, round2, type Score } from './stats.ts';
import { groupBy } from '../group-by.ts';

/** Everything a report needs about one class: who is in it, its check-ups, and every finished sitting, scored once. */
export interface ClassScores {
  classId: string;
  studentIds: string[];
  checkups: Checkup[];
  /** checkupId -> studentId -> the finished sitting's scores (unfinished sittings are absent) */
  scores: Map<string, Map<string, ScoredSitting>>;
  /** students who finished both the before and the after check-up */
  pairs: Pair[];
}

/**
 * The scored sittings of many classes with one query per collection
 * (memberships, check-ups, sittings, responses), not one per student: a
 * school's dashboard pools thousands of students.
 */
export async function loadClassScores(ctx: AppContext, classIds: string[]): Promise<ClassScores[]> {
  const bank = bankOrThrow(ctx);
  const [memberships, checkups] = await Promise.all([ctx.store.findAny('memberships', 'classId', classIds), ctx.store.findAny('checkups', 'classId', classIds)]);
  const checkupIds = checkups.map((checkup) => checkup.id);
  const [sittings, responses] = await Promise.all([ctx.store.findAny('checkupSittings', 'checkupId', checkupIds), ctx.store.findAny('checkupResponses', 'checkupId', checkupIds)]);
  const responsesOf = groupBy(responses, (response) => `${response.checkupId}:${response.studentId}`);
  const scores = new Map<string, Map<string, ScoredSitting>>(checkupIds.map((id) => [id, new Map()]));
  for (const sitting of sittings as CheckupSitting[]) {
    const scored = scoreFrom(bank, sitting, responsesOf.get(`${sitting.checkupId}:${sitting.studentId}`) ?? ([] as CheckupResponse[]));
    if (scored) scores.get(sitting.checkupId)?.set(sitting.studentId, scored);
  }
  const studentsOf = groupBy(memberships, (membership) => membership.classId);
  const checkupsOf = groupBy(checkups, (checkup) => checkup.classId);
  return classIds.map((classId) => {
    const own = (checkupsOf.get(classId) ?? []).sort((a, b) => PHASES.indexOf(a.phase) - PHASES.indexOf(b.phase));
    const studentIds = (studentsOf.get(classId) ?? []).map((membership) => membership.studentId);
    const ownScores = new Map(own.map((checkup) => [checkup.id, scores.get(checkup.id)!]));
    return { classId, studentIds, checkups: own, scores: ownScores, pairs: pairsOf(own, studentIds, ownScores) };
  });
}

interface Pair {
  studentId: string;
  before: ScoredSitting;
  after: ScoredSitting;
}

/** Students of the class who finished both the before and the after check-up. */
function pairsOf(checkups: Checkup[], studentIds: string[], scores: ClassScores['scores']): Pair[] {
  const before = checkups.find((checkup) => checkup.phase === 'before');
  const after = checkups.find((checkup) => checkup.phase === 'after');
  if (!before || !after) return [];
  const pairs: Pair[] = [];
  for (const studentId of studentIds) {
    const b = scores.get(before.id)!.get(studentId);
    const a = scores.get(after.id)!.get(studentId);
    if (b && a) pairs.push({ studentId, before: b, after: a });
  }
  return pairs;
}

/** Whether a class's own report shows its figures; when not, no page may show a figure drawn from its ratings. */
export function isReportShown(data: ClassScores): boolean {
  return data.pairs.length >= MIN_REPORT_N;
}

/** Per pair of a scored sitting: rating of the manipulative item minus rating of its twin. */
function pairDiscernments(scored: ScoredSitting): Map<string, number> {
  const byPair = new Map<string, { m?: number; n?: number }>();
  for (const item of scored.items) {
    const pair = byPair.get(item.pairId) ?? {};
    pair[item.manipulative ? 'm' : 'n'] = item.rating;
    byPair.set(item.pairId, pair);
  }
  const result = new Map<string, number>();
  for (const [pairId, pair] of byPair) if (pair.m !== undefined && pair.n !== undefined) result.set(pairId, pair.m - pair.n);
  return result;
}

export interface FormReliability {
  form: Form;
  /** students who finished this form with its current items */
  n: number;
  pairs: number;
  /** Cronbach's alpha of pair discernment; null when suppressed (n < MIN_REPORT_N) or not defined */
  alpha: number | null;
  suppressed: boolean;
}

/**
 * How reliable each form was: Cronbach's alpha over the form's pairs, from
 * every finished sitting of the form (before, after or booster). Shown only
 * from MIN_REPORT_N students, like the rest of the report.
 */
function formReliability(bank: ItemBank, sittings: ScoredSitting[]): FormReliability[] {
  return (['A', 'B', 'C'] as Form[]).map((form) => {
    const pairIds = [...new Set(bank.form(form).map((item) => item.pairId))];
    const rows: number[][] = [];
    for (const scored of sittings) {
      if (scored.form !== form) continue;
      const byPair = pairDiscernments(scored);
      // Sittings of retired items measured other pairs: they cannot join this figure.
      if (pairIds.every((pairId) => byPair.has(pairId))) rows.push(pairIds.map((pairId) => byPair.get(pairId)!));
    }
    const suppressed = rows.length < MIN_REPORT_N;
    const alpha = suppressed ? null : cronbachAlpha(rows);
    return { form, n: rows.length, pairs: pairIds.length, alpha: alpha === null ? null : round2(alpha), suppressed };
  });
}

/** A sitting's discernment per technique; a technique without a pair in the sitting (retired items) is absent. */
function techniqueDiscernments(scored: ScoredSitting): Map<string, number> {
  const ratings = new Map<string, { m: number[]; n: number[] }>();
  for (const item of scored.items) {
    let entry = ratings.get(item.technique);
    if (!entry) ratings.set(item.technique, (entry = { m: [], n: [] }));
    (item.manipulative ? entry.m : entry.n).push(item.rating);
  }
  const result = new Map<string, number>();
  for (const [technique, { m, n }] of ratings) if (m.length && n.length) result.set(technique, mean(m) - mean(n));
  return result;
}

/**
 * The statistics over the given classes' paired students: the same for a
 * class (one class) and a school (its shown classes). A technique's row is
 * suppressed, like the whole report, when fewer than MIN_REPORT_N students
 * are behind either of its means (sittings of retired items have no pair of
 * some techniques).
 */
function reportOver(bank: ItemBank, classes: ClassScores[]) {
  const pairs = classes.flatMap((data) => data.pairs);
  const completed: Record<string, number> = {};
  for (const data of classes) {
    for (const checkup of data.checkups) {
      const finished = data.studentIds.filter((studentId) => data.scores.get(checkup.id)!.has(studentId)).length;
      completed[checkup.phase] = (completed[checkup.phase] ?? 0) + finished;
    }
  }
  const reliability = formReliability(
    bank,
    classes.flatMap((data) => data.checkups.flatMap((checkup) => data.studentIds.map((studentId) => data.scores.get(checkup.id)!.get(studentId)).filter((scored) => scored !== undefined))),
  );
  const pairedN = pairs.length;
  if (pairedN < MIN_REPORT_N) {
    return { pairedN, minimum: MIN_REPORT_N, completed, suppressed: true as const, before: null, after: null, change: null, perTechnique: [], reliability };
  }
  const summary = (scores: Score[]) => ({
    discernment: round2(mean(scores.map((s) => s.discernment))),
    neutralMean: round2(mean(scores.map((s) => s.neutralMean))),
    manipulativeMean: round2(mean(scores.map((s) => s.manipulativeMean))),
  });
  const interval = (change: ReturnType<typeof pairedChange>) => ({ mean: round2(change.mean), ci95: [round2(change.ci95[0]), round2(change.ci95[1])] as [number, number] });
  const techniques = [...new Set(bank.form('A').map((item) => item.technique))];
  const byTechnique = pairs.map((p) => ({ before: techniqueDiscernments(p.before), after: techniqueDiscernments(p.after) }));
  const perTechnique = techniques.map((technique) => {
    const b = byTechnique.map((p) => p.before.get(technique)).filter((v) => v !== undefined);
    const a = byTechnique.map((p) => p.after.get(technique)).filter((v) => v !== undefined);
    const suppressed = b.length < MIN_REPORT_N || a.length < MIN_REPORT_N;
    return {
      technique,
      name: bank.techniques[technique],
      n: Math.min(a.length, b.length),
      suppressed,
      before: suppressed ? null : round2(mean(b)),
      after: suppressed ? null : round2(mean(a)),
      change: suppressed ? null : round2(mean(a) - mean(b)),
    };
  });
  return {
    pairedN,
    minimum: MIN_REPORT_N,
    completed,
    suppressed: false as const,
    before: summary(pairs.map((p) => p.before)),
    after: summary(pairs.map((p) => p.after)),
    change: {
      discernment: interval(pairedChange(pairs.map((p) => p.before.discernment), pairs.map((p) => p.after.discernment))),
      neutralMean: interval(pairedChange(pairs.map((p) => p.before.neutralMean), pairs.map((p) => p.after.neutralMean))),
    },
    perTechnique,
    reliability,
  };
}

export type CheckupReport = ReturnType<typeof reportOver>;

/** The class report: before vs after for students who took both, and per technique. */
export async function classReport(ctx: AppContext, classId: string): Promise<CheckupReport> {
  const [data] = await loadClassScores(ctx, [classId]);
  return reportOver(bankOrThrow(ctx), [data]);
}

/**
 * The school's result, pooled over its classes with the class report's
 * statistics. Only classes whose own report is shown join the pool: a
 * suppressed class adds nothing, so no difference between the school figure
 * and the shown classes' figures can recover its students' scores.
 */
export function schoolReport(bank: ItemBank, classes: ClassScores[]) {
  const shown = classes.filter(isReportShown);
  return {
    ...reportOver(bank, shown),
    classesPooled: shown.length,
    /** classes with a check-up whose own report is suppressed (fewer than MIN_REPORT_N paired students) */
    classesLeftOut: classes.filter((data) => data.checkups.length > 0 && !isReportShown(data)).length,
  };
}

/** The ids of the classes (of these) whose own report is shown. */
export async function classesWithReportShown(ctx: AppContext, classIds: string[]): Promise<Set<string>> {
  if (!ctx.catalog.bank || !classIds.length) return new Set();
  return new Set((await loadClassScores(ctx, classIds)).filter(isReportShown).map((data) => data.classId));
}

/**
 * One student's check-ups in a class, for their teacher: status always, and
 * their scores only once the class report is shown; a class too small for its
 * report would otherwise show, name by name, what the report hides.
 */
export async function studentCheckupScores(ctx: AppContext, classId: string, studentId: string) {
  if (!ctx.catalog.bank) return { checkups: [], scoresShown: false, minimum: MIN_REPORT_N };
  const scoresShown = (await classesWithReportShown(ctx, [classId])).has(classId);
  const checkups = await Promise.all(
    (await checkupsOfClass(ctx, classId)).map(async (checkup) => {
      const score = scoresShown ? await scoreOf(ctx, checkup, studentId) : null;
      return { phase: checkup.phase, status: await checkupStatus(ctx, checkup, studentId), score: score ? presentScore(score) : null };
    }),
  );
  return { checkups, scoresShown, minimum: MIN_REPORT_N };
}
