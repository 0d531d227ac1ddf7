// Archived classes (set by the school's retention policy): still there to look
// at, but they take no new students and no new lessons. The one check, used
// where students join (a typed class code) and where lessons are assigned.
import { conflict } from '../http/errors.ts';
import type { ClassRecord } from '../store/backend.ts';

export function isArchived(record: Pick<ClassRecord, 'archivedAt'>): boolean {
  return Boolean(record.archivedAt);
}

/** Throws 409 naming `field` when the class is archived. */
export function refuseIfArchived(record: Pick<ClassRecord, 'archivedAt' | 'name'>, field: string): void {
  if (isArchived(record)) throw conflict(`The class "${record.name}" is archived: it takes no new students or lessons.`, field);
}
