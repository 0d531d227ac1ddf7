// A one-time upgrade for data from before schools: every account and class
// without a school moves into one school named "Our school", its earliest
// teacher becomes its admin, and each class gets its creator as its teacher.
// Runs at every start-up; once a school exists every account and class is
// made with one (signup, setup, roster and LMS launches stamp it), so the
// check is one count and start-up does not grow with the data.
import { auditEvent } from '../audit/events.ts';
import { newId } from '../ids.ts';
import { insert, put, type School, type StoreBackend, type StoreChange, type User } from '../store/backend.ts';
import { keys } from '../store/keys.ts';
import { DEFAULT_RETENTION } from './schools.ts';

export const UPGRADE_SCHOOL_NAME = 'Our school';

/** Returns the school the old data moved into, or null when there was nothing to move. */
export async function moveIntoOneSchool(store: StoreBackend, now: Date): Promise<School | null> {
  if ((await store.count('schools')) > 0) return null;
  const users = (await store.list('users')).filter((user) => user.schoolId === undefined);
  const classes = (await store.list('classes')).filter((record) => !record.schoolId);
  if (users.length === 0 && classes.length === 0) return null;
  const staff = users.filter((user) => user.role === 'teacher' || user.role === 'admin').sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const needsSchool = staff.length > 0 || classes.length > 0 || users.some((user) => user.role === 'student');
  const school: School = { id: newId(), name: UPGRADE_SCHOOL_NAME, createdAt: now.toISOString(), retention: { ...DEFAULT_RETENTION } };
  const admin: User | undefined = staff[0];
  const changes: StoreChange[] = [];
  if (needsSchool) changes.push(insert('schools', school));
  for (const user of users) {
    // Parents belong to no school; a student signed up without a class went into the one school there was.
    const schoolId = user.role === 'parent' ? null : school.id;
    changes.push(put('users', { ...user, schoolId, ...(user.id === admin?.id ? { role: 'admin' as const } : {}) }));
  }
  for (const record of classes) {
    changes.push(put('classes', { ...record, schoolId: school.id }));
    const teaches = keys.classTeacher(record.id, record.teacherId);
    if (!(await store.get('classTeachers', teaches))) changes.push(put('classTeachers', { id: teaches, classId: record.id, teacherId: record.teacherId, addedAt: record.createdAt }));
  }
  if (needsSchool) {
    changes.push(auditEvent({ schoolId: school.id, actor: null, action: 'school.created', target: `school ${school.name}`, detail: `made at start-up for ${users.length} accounts and ${classes.length} classes from before schools`, at: now }));
    if (admin) changes.push(auditEvent({ schoolId: school.id, actor: null, action: 'role.changed', target: `teacher ${admin.username}`, targetUserId: admin.id, detail: 'became the admin: the earliest teacher', at: now }));
  }
  await store.commit(changes);
  return needsSchool ? school : null;
}
