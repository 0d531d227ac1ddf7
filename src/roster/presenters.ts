// What the roster pages and their JSON show: a plan as a preview, a batch
// as its result, and a batch's login slips (with passwords while they last).
import type { AppContext } from '../context.ts';
import type { RosterBatch } from '../store/backend.ts';
import type { LineError } from './parse.ts';
import type { RosterPlan } from './plan.ts';
import { openPassword } from './slips.ts';

export interface PreviewClass {
  name: string;
  isNew: boolean;
  students: { username: string; displayName: string; isNew: boolean; alreadyInClass: boolean }[];
}

export interface RosterPreview {
  created: number;
  existing: number;
  classesCreated: number;
  errors: LineError[];
  classes: PreviewClass[];
}

/** The plan as the dry run shows it. With errors, the counts are of the rows that could be read. */
export function presentPlan(plan: RosterPlan | null, errors: LineError[]): RosterPreview {
  if (!plan) return { created: 0, existing: 0, classesCreated: 0, errors, classes: [] };
  return {
    created: plan.created,
    existing: plan.existing,
    classesCreated: plan.classesCreated,
    errors,
    classes: plan.classes.map((planned) => ({
      name: planned.name,
      isNew: !planned.existing,
      students: planned.students.map((username) => {
        const student = plan.students.get(username)!;
        return { username: student.username, displayName: student.displayName, isNew: !student.existing, alreadyInClass: planned.members.has(username) };
      }),
    })),
  };
}

export const slipsPath = (batch: Pick<RosterBatch, 'id'>) => `/admin/roster/${batch.id}/slips`;

export interface BatchClass {
  id: string;
  name: string;
}

export async function batchClasses(ctx: AppContext, batch: RosterBatch): Promise<BatchClass[]> {
  const byId = new Map((await ctx.store.getMany('classes', batch.classIds)).map((record) => [record.id, record]));
  // A class deleted since is left out.
  return batch.classIds.flatMap((id) => (byId.has(id) ? [{ id, name: byId.get(id)!.name }] : []));
}

export interface Slip {
  username: string;
  displayName: string;
  classNames: string[];
  /** the one-time password; null once the student chose their own (it no longer works) */
  password: string | null;
}

/** The batch's slips, by class and then name; empty once the passwords were dropped. */
export async function presentSlips(ctx: AppContext, batch: RosterBatch): Promise<Slip[]> {
  const slips = await ctx.store.find('rosterSlips', 'batchId', batch.id);
  const [students, classes] = await Promise.all([ctx.store.getMany('users', slips.map((slip) => slip.studentId)), batchClasses(ctx, batch)]);
  const studentById = new Map(students.map((student) => [student.id, student]));
  const nameOf = new Map(classes.map((record) => [record.id, record.name]));
  return slips
    .flatMap((slip) => {
      const student = studentById.get(slip.studentId);
      // An account erased since has no slip.
      if (!student) return [];
      return [{
        username: student.username,
        displayName: student.displayName,
        classNames: slip.classIds.flatMap((id) => (nameOf.has(id) ? [nameOf.get(id)!] : [])),
        password: student.mustChangePassword ? openPassword(slip.sealedPassword, ctx.store.secret) : null,
      }];
    })
    .sort((a, b) => (a.classNames[0] ?? '').localeCompare(b.classNames[0] ?? '') || a.displayName.localeCompare(b.displayName) || a.username.localeCompare(b.username));
}

export function presentBatch(batch: RosterBatch) {
  return {
    id: batch.id,
    createdAt: batch.createdAt,
    created: batch.created,
    existing: batch.existing,
    classesCreated: batch.classesCreated,
    passwordsUntil: batch.passwordsUntil,
    passwordsDroppedAt: batch.passwordsDroppedAt,
    droppedBecause: batch.droppedBecause,
    slips: slipsPath(batch),
  };
}
