// The school an admin page is about: always the signed-in admin's own, so no
// request can name another school. The policy decides who may manage it.
import type { Request } from 'express';
import { currentUser } from './auth.ts';
import { authorize } from './policy.ts';

/** The school the signed-in user runs; 403 for a teacher or student of it, 404 for anyone outside a school. */
export function managedSchool(req: Request): string {
  const user = currentUser(req);
  const schoolId = user.schoolId ?? '';
  authorize(user, 'school.manage', { kind: 'school', schoolId });
  return schoolId;
}
