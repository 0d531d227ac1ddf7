// Check-ups: a class rates invented items before and after the course; the
// teacher sees whether the class got better at telling manipulative posts
// from ordinary ones, and whether it became more suspicious of ordinary ones.
import { randomInt } from 'node:crypto';
import type { AppContext } from '../context.ts';
import { conflict, notFound } from '../http/errors.ts';
import { newId } from '../ids.ts';
import { insert, isConflict, put, type Checkup, type CheckupResponse, type CheckupSitting, type User } from '../store/backend.ts';
import { keys, stableBucket } from '../store/keys.ts';
import type { BankItem, Form, ItemBank } from './bank.ts';
import { round2, scoreSitting, type Score } from './stats.ts';

export type Phase = Checkup['phase'];
export const PHASES: Phase[] = ['before', 'after', 'booster'];
/** A class result is shown only when at least this many students took both, so no teen is singled out. */
export const MIN_REPORT_N = 5;

export function bankOrThrow(ctx: AppContext): ItemBank {
  if (!ctx.catalog.bank) throw notFound('This installation has no check-up item bank.');
  return ctx.catalog.bank;
}

export async function assignCheckup(ctx: AppContext, classId: string, phase: Phase, due: string | null): Promise<{ checkup: Checkup; created: boolean }> {
  bankOrThrow(ctx);
  for (;;) {
    const existing = (await ctx.store.find('checkups', 'classId', classId)).find((checkup) => checkup.phase === phase);
    const checkup: Checkup = existing ? { ...existing, due } : { id: newId(), classId, phase, due, createdAt: ctx.now().toISOString() };
    try {
      await ctx.store.commit([put('checkups', checkup)]);
      return { checkup, created: !existing };
    } catch (error) {
      // Assigned meanwhile from another tab or instance: update that one instead.
      if (!isConflict(error, 'checkups.classPhase')) throw error;
    }
  }
}

export async function checkupsOfClass(ctx: AppContext, classId: string): Promise<Checkup[]> {
  return (await ctx.store.find('checkups', 'classId', classId)).sort((a, b) => PHASES.indexOf(a.phase) - PHASES.indexOf(b.phase));
}

/** The check-up, if this student is in its class; else 404. */
export async function checkupForStudent(ctx: AppContext, student: User, checkupId: string): Promise<Checkup> {
  const checkup = await ctx.store.get('checkups', checkupId);
  if (!checkup || !(await ctx.store.get('memberships', keys.membership(checkup.classId, student.id)))) throw notFound('We could not find that check-up.');
  return checkup;
}

/**
 * Counterbalanced forms: half the class (by a stable hash) takes A before and
 * B after, the other half the reverse, so no student sees an item twice; the
 * booster uses form C.
 */
export function formFor(classId: string, studentId: string, phase: Phase): Form {
  if (phase === 'booster') return 'C';
  const firstA = stableBucket([classId, studentId], 2) === 0;
  return (phase === 'before') === firstA ? 'A' : 'B';
}

/** A random order in which the two halves of a pair are never next to each other. */
export function orderItems(items: BankItem[], random: (n: number) => number = randomInt): string[] {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const order = [...items];
    for (let i = order.length - 1; i > 0; i--) {
      const j = random(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    if (order.every((item, index) => index === 0 || order[index - 1].pairId !== item.pairId)) return order.map((item) => item.id);
  }
  throw new Error('Could not order the check-up items');
}

export async function ensureSitting(ctx: AppContext, checkup: Checkup, student: User): Promise<CheckupSitting> {
  const existing = await ctx.store.get('checkupSittings', keys.sitting(checkup.id, student.id));
  if (existing) return existing;
  const bank = bankOrThrow(ctx);
  const form = formFor(checkup.classId, student.id, checkup.phase);
  const sitting: CheckupSitting = {
    id: keys.sitting(checkup.id, student.id),
    checkupId: checkup.id,
    studentId: student.id,
    form,
    itemIds: orderItems(bank.form(form)),
    startedAt: ctx.now().toISOString(),
  };
  try {
    await ctx.store.commit([insert('checkupSittings', sitting)]);
    return sitting;
  } catch (error) {
    // Opened twice at once (two tabs, two instances): the first order stands for both.
    if (!isConflict(error)) throw error;
    const first = await ctx.store.get('checkupSittings', sitting.id);
    if (!first) throw error;
    return first;
  }
}

async function responsesOf(ctx: AppContext, checkupId: string, studentId: string) {
  return (await ctx.store.find('checkupResponses', 'studentId', studentId)).filter((response) => response.checkupId === checkupId);
}

export async function sittingProgress(ctx: AppContext, sitting: CheckupSitting) {
  const answered = new Set((await responsesOf(ctx, sitting.checkupId, sitting.studentId)).map((response) => response.itemId));
  const next = sitting.itemIds.find((id) => !answered.has(id)) ?? null;
  return { answered: answered.size, total: sitting.itemIds.length, next };
}

export async function recordResponse(
  ctx: AppContext,
  checkup: Checkup,
  student: User,
  input: { itemId: string; manipulative: number; confidence: number },
): Promise<{ answered: number; total: number }> {
  const sitting = await ensureSitting(ctx, checkup, student);
  const { next, answered, total } = await sittingProgress(ctx, sitting);
  // The page shows an item's public id; responses are stored under the bank's id.
  const itemId = bankOrThrow(ctx).byPublicId.get(input.itemId)?.id ?? '';
  const id = keys.checkupResponse(checkup.id, student.id, itemId);
  const alreadyRated = () => conflict('You have already rated this item.', 'itemId');
  if (itemId && (await ctx.store.get('checkupResponses', id))) throw alreadyRated();
  if (itemId !== next) throw conflict(next ? 'That is not the next item. Reload the page.' : 'You have finished this check-up.', 'itemId');
  try {
    await ctx.store.commit([
      insert('checkupResponses', { id, checkupId: checkup.id, studentId: student.id, itemId, manipulative: input.manipulative, confidence: input.confidence, at: ctx.now().toISOString() }),
    ]);
  } catch (error) {
    if (isConflict(error)) throw alreadyRated(); // the same answer sent twice at once
    throw error;
  }
  return { answered: answered + 1, total };
}

export async function isComplete(ctx: AppContext, checkup: Checkup, studentId: string): Promise<boolean> {
  const sitting = await ctx.store.get('checkupSittings', keys.sitting(checkup.id, studentId));
  return sitting ? (await sittingProgress(ctx, sitting)).next === null : false;
}

export async function checkupStatus(ctx: AppContext, checkup: Checkup, studentId: string): Promise<'not_started' | 'in_progress' | 'completed'> {
  const sitting = await ctx.store.get('checkupSittings', keys.sitting(checkup.id, studentId));
  if (!sitting) return 'not_started';
  return (await sittingProgress(ctx, sitting)).next === null ? 'completed' : 'in_progress';
}

export interface ScoredSitting extends Score {
  form: string;
  items: { id: string; publicId: string; pairId: string; technique: string; manipulative: boolean; rating: number; confidence: number; explanation: string; html: string }[];
}

/** A finished sitting's scores; null when not finished. */
export async function scoreOf(ctx: AppContext, checkup: Checkup, studentId: string): Promise<ScoredSitting | null> {
  const sitting = await ctx.store.get('checkupSittings', keys.sitting(checkup.id, studentId));
  if (!sitting) return null;
  return scoreFrom(bankOrThrow(ctx), sitting, await responsesOf(ctx, checkup.id, studentId));
}

/** Scores a sitting from its responses; null while any item is unanswered. */
export function scoreFrom(bank: ItemBank, sitting: CheckupSitting, responses: CheckupResponse[]): ScoredSitting | null {
  const byItem = new Map(responses.map((response) => [response.itemId, response]));
  if (!sitting.itemIds.every((id) => byItem.has(id))) return null;
  const items = sitting.itemIds.map((id) => {
    const item = bank.items.get(id)!;
    const response = byItem.get(id)!;
    return { id, publicId: item.publicId, pairId: item.pairId, technique: item.technique, manipulative: item.manipulative, rating: response.manipulative, confidence: response.confidence, explanation: item.explanation, html: item.html };
  });
  return { ...scoreSitting(items), form: sitting.form, items };
}

export function presentScore(score: Score) {
  return { manipulativeMean: round2(score.manipulativeMean), neutralMean: round2(score.neutralMean), discernment: round2(score.discernment) };
}

/** A random id per student per class, made the first time the class's data is exported. */
export async function researchIds(ctx: AppContext, classId: string, studentIds: string[]): Promise<Map<string, string>> {
  for (;;) {
    const ids = new Map((await ctx.store.find('researchIds', 'classId', classId)).map((record) => [record.studentId, record.token]));
    const missing = studentIds.filter((id) => !ids.has(id));
    if (!missing.length) return ids;
    const records = missing.map((studentId) => ({ id: keys.researchId(classId, studentId), classId, studentId, token: `p-${newId().slice(0, 10)}` }));
    try {
      await ctx.store.commit(records.map((record) => insert('researchIds', record)));
      for (const record of records) ids.set(record.studentId, record.token);
      return ids;
    } catch (error) {
      // Two exports at once: keep the ids the other one made, never two per student.
      if (!isConflict(error)) throw error;
    }
  }
}

export async function checkupCsvRows(ctx: AppContext, classId: string): Promise<string[][]> {
  const bank = bankOrThrow(ctx);
  const checkups = await checkupsOfClass(ctx, classId);
  const students = (await ctx.store.find('memberships', 'classId', classId)).map((membership) => membership.studentId);
  const tokens = await researchIds(ctx, classId, students);
  const rows: string[][] = [['participant', 'phase', 'form', 'position', 'item id', 'pair id', 'technique', 'item kind', 'manipulative rating', 'confidence', 'answered on']];
  for (const checkup of checkups) {
    for (const studentId of students) {
      const sitting = await ctx.store.get('checkupSittings', keys.sitting(checkup.id, studentId));
      if (!sitting) continue;
      const byItem = new Map((await responsesOf(ctx, checkup.id, studentId)).map((response) => [response.itemId, response]));
      sitting.itemIds.forEach((itemId, position) => {
        const response = byItem.get(itemId);
        const item = bank.items.get(itemId);
        if (!response || !item) return;
        rows.push([
          tokens.get(studentId)!,
          checkup.phase,
          sitting.form,
          String(position + 1),
          item.id,
          item.pairId,
          item.technique,
          item.manipulative ? 'manipulative' : 'neutral',
          String(response.manipulative),
          String(response.confidence),
          // The day only: exact times could re-identify a student.
          response.at.slice(0, 10),
        ]);
      });
    }
  }
  return rows;
}
