// Helpers for the audit log and retention suites: people and events seeded
// straight into a school (as /setup, invitations or a roster import make them).
import { hashPassword } from '../src/accounts/passwords.ts';
import { auditEvent, type AuditInput } from '../src/audit/events.ts';
import { newId } from '../src/ids.ts';
import { insert, type AuditEvent, type Role, type User } from '../src/store/backend.ts';
import { Client, type TestApp } from './helpers.ts';

/** A user of the school, written into the store; signed in when `signIn`. */
export async function seedUser(t: TestApp, schoolId: string, role: Role, username: string, extra: Partial<User> = {}): Promise<User> {
  const user: User = {
    id: newId(),
    role,
    schoolId,
    username,
    displayName: username,
    passwordHash: await hashPassword('a-long-secret-1', t.config.passwordCost),
    mustChangePassword: false,
    createdAt: t.clock.now.toISOString(),
    ...extra,
  };
  await t.store.commit([insert('users', user)]);
  return user;
}

export async function signedIn(t: TestApp, username: string): Promise<Client> {
  const client = new Client(t.app);
  const response = await client.login(username);
  if (response.status !== 200) throw new Error(`login ${username}: ${response.status} ${JSON.stringify(response.body)}`);
  return client;
}

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
