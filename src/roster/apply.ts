// Importing a roster: all of it or none of it. The whole import (classes,
// their teachers, students, memberships, the slips batch and the audit
// event) is one commit, so a refused commit leaves nothing behind. A commit
// refused because someone took a username meanwhile (here or on another
// instance) is planned again: the taken name comes back as an error on its
// line, and nothing is written.
import type { AppContext } from '../context.ts';
import { auditEvent } from '../audit/events.ts';
import { hashPassword } from '../accounts/passwords.ts';
import { JOIN_CODE_LENGTH } from '../classes/classes.ts';
import { newId, randomCode, temporaryPassword } from '../ids.ts';
import { insert, isConflict, type RosterBatch, type StoreChange, type User } from '../store/backend.ts';
import { keys } from '../store/keys.ts';
import type { RosterRow } from './parse.ts';
import { planRoster, type RosterPlan } from './plan.ts';
import { sealPassword, SLIP_PASSWORD_HOURS } from './slips.ts';

/**
 * One-time passwords are hashed at this scrypt cost at most. They are 12
 * characters drawn at random from 31 (about 59 bits), so no cost is needed to
 * stop them being guessed from a stolen hash; and each is replaced at the
 * first sign-in (which also re-hashes it at the full cost on the way). At the
 * full cost (2^15) a year group of 300 kept the admin waiting over three
 * minutes on a busy two-core machine; at this cost 2000 students take seconds.
 */
const ONE_TIME_PASSWORD_COST = 1 << 10;
const ATTEMPTS = 4;
/** hashes made at once: enough to keep libuv's threads busy */
const HASHING_AT_ONCE = 8;

export interface ImportResult {
  plan: RosterPlan;
  /** null when nothing was written (the plan has errors) */
  batch: RosterBatch | null;
}

interface Credential {
  password: string;
  hash: string;
}

async function credentialsFor(usernames: string[], cost: number, known: Map<string, Credential>): Promise<void> {
  const todo = usernames.filter((username) => !known.has(username));
  for (let start = 0; start < todo.length; start += HASHING_AT_ONCE) {
    await Promise.all(
      todo.slice(start, start + HASHING_AT_ONCE).map(async (username) => {
        const password = temporaryPassword();
        known.set(username, { password, hash: await hashPassword(password, cost) });
      }),
    );
  }
}

export async function importRoster(ctx: AppContext, admin: User, schoolId: string, rows: RosterRow[]): Promise<ImportResult> {
  const credentials = new Map<string, Credential>();
  for (let attempt = 1; ; attempt++) {
    const plan = await planRoster(ctx, admin, schoolId, rows);
    if (plan.errors.length) return { plan, batch: null };
    const newStudents = [...plan.students.entries()].filter(([, student]) => !student.existing).map(([username]) => username);
    await credentialsFor(newStudents, Math.min(ctx.config.passwordCost, ONE_TIME_PASSWORD_COST), credentials);
    const { changes, batch } = changesFor(ctx, admin, schoolId, plan, credentials);
    try {
      await ctx.store.commit(changes);
      return { plan, batch };
    } catch (error) {
      // A username, membership or co-teacher that appeared meanwhile, or a join code drawn twice: plan again.
      if (!isConflict(error) || attempt === ATTEMPTS) throw error;
    }
  }
}

function changesFor(ctx: AppContext, admin: User, schoolId: string, plan: RosterPlan, credentials: Map<string, Credential>) {
  const now = ctx.now();
  const at = now.toISOString();
  const batchId = newId();
  const changes: StoreChange[] = [];
  const userIds = new Map<string, string>();
  for (const [username, student] of plan.students) {
    if (student.existing) {
      userIds.set(username, student.existing.id);
      continue;
    }
    const user: User = {
      id: newId(),
      role: 'student',
      schoolId,
      username: student.username,
      displayName: student.displayName,
      passwordHash: credentials.get(username)!.hash,
      mustChangePassword: true,
      createdAt: at,
    };
    userIds.set(username, user.id);
    changes.push(insert('users', user));
  }
  const classIds: string[] = [];
  const classesOfStudent = new Map<string, string[]>();
  for (const planned of plan.classes) {
    let classId: string;
    if (planned.existing) {
      classId = planned.existing.id;
      if (planned.addTeacher) {
        changes.push(insert('classTeachers', { id: keys.classTeacher(classId, planned.teacherId), classId, teacherId: planned.teacherId, addedAt: at }));
      }
    } else {
      classId = newId();
      changes.push(
        insert('classes', { id: classId, schoolId, teacherId: planned.teacherId, name: planned.name, joinCode: randomCode(JOIN_CODE_LENGTH), createdAt: at }),
        insert('classTeachers', { id: keys.classTeacher(classId, planned.teacherId), classId, teacherId: planned.teacherId, addedAt: at }),
      );
    }
    classIds.push(classId);
    for (const username of planned.students) {
      // A slip for each new student, naming every class of the file they are in.
      if (!plan.students.get(username)!.existing) classesOfStudent.set(username, [...(classesOfStudent.get(username) ?? []), classId]);
      if (planned.members.has(username)) continue;
      const studentId = userIds.get(username)!;
      changes.push(insert('memberships', { id: keys.membership(classId, studentId), classId, studentId, joinedAt: at }));
    }
  }
  const batch: RosterBatch = {
    id: batchId,
    schoolId,
    createdBy: admin.id,
    createdAt: at,
    passwordsUntil: new Date(now.getTime() + SLIP_PASSWORD_HOURS * 3_600_000).toISOString(),
    passwordsDroppedAt: null,
    droppedBecause: null,
    classIds,
    created: plan.created,
    existing: plan.existing,
    classesCreated: plan.classesCreated,
  };
  changes.push(insert('rosterBatches', batch));
  for (const [username, studentClassIds] of classesOfStudent) {
    const studentId = userIds.get(username)!;
    changes.push(
      insert('rosterSlips', {
        id: keys.rosterSlip(batchId, studentId),
        batchId,
        studentId,
        classIds: studentClassIds,
        sealedPassword: sealPassword(credentials.get(username)!.password, ctx.store.secret),
      }),
    );
  }
  changes.push(
    auditEvent({
      schoolId,
      actor: admin,
      action: 'roster.imported',
      target: `roster of ${plan.created + plan.existing} student${plan.created + plan.existing === 1 ? '' : 's'}`,
      detail: `${plan.created} new, ${plan.existing} already here; ${plan.classesCreated} new class${plan.classesCreated === 1 ? '' : 'es'} of ${plan.classes.length}`,
      at: now,
    }),
  );
  return { changes, batch };
}
