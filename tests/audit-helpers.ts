// Helpers for the audit log and retention suites: people and events seeded
// straight into a school (as /setup, invitations or a roster import make them).
import { auditEvent, type AuditInput } from '../src/audit/events.ts';
import type { AuditEvent } from '../src/store/backend.ts';
import { seedUser, signedIn, type TestApp } from './helpers.ts';

export { seedUser, signedIn };

/** A teacher of the school, signed in, with a class of the school made through POST /classes. */
export async function teacherWithClass(t: TestApp, schoolId: string, teacherName = 'ms.lee', className = 'Year 9') {
  await seedUser(t, schoolId, 'teacher', teacherName);
  const teacher = await signedIn(t, teacherName);
  const created = await teacher.post('/classes', { name: className });
  if (created.status !== 201) throw new Error(`class: ${created.status} ${JSON.stringify(created.body)}`);
  const classId: string = created.body.class.id;
  if ((await t.store.get('classes', classId))?.schoolId !== schoolId) throw new Error('the class was not made in the teacher’s school');
  return { teacher, classId, joinCode: created.body.class.joinCode as string };
}

export async function seedEvent(t: TestApp, input: Partial<AuditInput> & { schoolId: string }): Promise<AuditEvent> {
  const change = auditEvent({ actor: null, action: 'password.reset', target: 'student someone', at: t.clock.now, ...input });
  await t.store.commit([change]);
  return change.v as AuditEvent;
}

export async function eventsOf(t: TestApp, schoolId: string): Promise<AuditEvent[]> {
  return (await t.store.find('auditEvents', 'schoolId', schoolId)).sort((a, b) => a.id.localeCompare(b.id));
}

export const DAY_MS = 24 * 60 * 60 * 1000;
