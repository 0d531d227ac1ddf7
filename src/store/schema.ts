// What both store backends agree on, declared once: which fields each
// collection is looked up by, which combinations must be unique (and so are
// enforced by the embedded store's commit and by PostgreSQL's unique
// indexes), which collections hold data about a student, and which page
// version counters a change bumps.
import type { CollectionName, Collections } from './types.ts';

/** Fields `find` can look records up by, per collection. */
export const INDEXED = {
  schools: [],
  classTeachers: ['classId', 'teacherId'],
  invites: ['schoolId'],
  setupTokens: [],
  auditEvents: ['schoolId', 'targetUserId'],
  rosterBatches: ['schoolId'],
  rosterSlips: ['batchId', 'studentId'],
  users: ['username', 'schoolId'],
  sessions: ['userId'],
  classes: ['teacherId', 'joinCode', 'schoolId'],
  memberships: ['classId', 'studentId'],
  assignments: ['classId'],
  attempts: ['studentId'],
  lessonOpens: ['studentId'],
  parentCodes: ['studentId'],
  parentLinks: ['parentId', 'studentId'],
  checkups: ['classId'],
  checkupResponses: ['checkupId', 'studentId'],
  checkupSittings: ['checkupId', 'studentId'],
  researchIds: ['classId', 'studentId'],
  quizShapes: [],
  scenarioRuns: ['studentId'],
  boosterResults: ['studentId'],
  practiceSettings: ['classId'],
  ltiKeys: [],
  ltiPlatforms: ['issuer', 'schoolId'],
  ltiRegistrations: [],
  ltiLogins: [],
  ltiNonces: [],
  ltiIdentities: ['userId', 'platformId'],
  ltiContexts: ['classId'],
  ltiResourceLinks: ['classId'],
  ltiGrades: ['studentId', 'classId', 'status'],
  ltiGradeClaims: ['studentId'],
} as const satisfies { [C in CollectionName]: readonly (keyof Collections[C] & string)[] };

export type IndexedField<C extends CollectionName> = (typeof INDEXED)[C][number];

/** Fields compared without regard to case (lookups and uniqueness alike). */
export const FOLDED_FIELDS: Partial<Record<CollectionName, string[]>> = { users: ['username'] };

export function isFolded(collection: string, field: string): boolean {
  return (FOLDED_FIELDS as Record<string, string[] | undefined>)[collection]?.includes(field) ?? false;
}

export interface UniqueKey {
  collection: CollectionName;
  fields: string[];
}

/**
 * Every check-then-write that two instances could race on. The name is what
 * a `StoreConflict` reports; PostgreSQL's index for it is `uniqueIndexName(name)`
 * (see postgres/migrations), and a contract test checks both lists agree.
 */
export const UNIQUE_KEYS = {
  'users.username': { collection: 'users', fields: ['username'] },
  'classes.joinCode': { collection: 'classes', fields: ['joinCode'] },
  'assignments.classLesson': { collection: 'assignments', fields: ['classId', 'lessonId'] },
  'checkups.classPhase': { collection: 'checkups', fields: ['classId', 'phase'] },
  'memberships.classStudent': { collection: 'memberships', fields: ['classId', 'studentId'] },
  'checkupSittings.checkupStudent': { collection: 'checkupSittings', fields: ['checkupId', 'studentId'] },
  'checkupResponses.item': { collection: 'checkupResponses', fields: ['checkupId', 'studentId', 'itemId'] },
  'parentLinks.parentStudent': { collection: 'parentLinks', fields: ['parentId', 'studentId'] },
  'researchIds.classStudent': { collection: 'researchIds', fields: ['classId', 'studentId'] },
  'users.invite': { collection: 'users', fields: ['inviteId'] },
  'classTeachers.classTeacher': { collection: 'classTeachers', fields: ['classId', 'teacherId'] },
  'ltiPlatforms.issuerClient': { collection: 'ltiPlatforms', fields: ['issuer', 'clientId'] },
} as const satisfies Record<string, UniqueKey>;

export type UniqueKeyName = keyof typeof UNIQUE_KEYS;

export function uniqueKeysOf(collection: string): [UniqueKeyName, UniqueKey][] {
  return (Object.entries(UNIQUE_KEYS) as [UniqueKeyName, UniqueKey][]).filter(([, key]) => key.collection === collection);
}

/** The PostgreSQL index enforcing a unique key. */
export function uniqueIndexName(name: string): string {
  return `u_${name.replace('.', '_')}`.toLowerCase();
}

/** The value a record has under a unique key, or null when a field is missing. */
export function uniqueValue(key: UniqueKey, record: Record<string, unknown>): string | null {
  const parts: string[] = [];
  for (const field of key.fields) {
    const value = record[field];
    if (value === null || value === undefined) return null;
    parts.push(isFolded(key.collection, field) ? String(value).toLowerCase() : String(value));
  }
  return JSON.stringify(parts);
}

/** Every collection that holds records about a student, and the field that names them. */
export const STUDENT_RECORDS: [CollectionName, string][] = [
  ['memberships', 'studentId'],
  ['attempts', 'studentId'],
  ['lessonOpens', 'studentId'],
  ['parentCodes', 'studentId'],
  ['parentLinks', 'studentId'],
  ['checkupSittings', 'studentId'],
  ['checkupResponses', 'studentId'],
  ['researchIds', 'studentId'],
  ['scenarioRuns', 'studentId'],
  ['boosterResults', 'studentId'],
  ['rosterSlips', 'studentId'],
  ['sessions', 'userId'],
  ['ltiIdentities', 'userId'],
  ['ltiGrades', 'studentId'],
  ['ltiGradeClaims', 'studentId'],
];

/** What an audit event about an erased student says instead of their name. */
export const ERASED_TARGET = 'an erased student account';

/**
 * An audit event as it must read once the student it names is erased: the
 * event stays (the log is never edited otherwise), the student's name and id
 * go. Both backends apply this inside the erasure's own commit.
 */
export function scrubbedEvent<T extends { target: string; targetUserId: string | null }>(event: T): T {
  return { ...event, target: ERASED_TARGET, targetUserId: null };
}

const STUDENT_WORK = new Set<string>(['ltiGrades', 'attempts', 'lessonOpens', 'checkupSittings', 'checkupResponses', 'scenarioRuns', 'boosterResults']);
const CLASS_SETUP = new Set<string>(['classes', 'classTeachers', 'memberships', 'assignments', 'checkups', 'practiceSettings']);

/** Names of the page version counters. */
export const versionKey = {
  student: (studentId: string) => `student:${studentId}`,
  class: (classId: string) => `class:${classId}`,
};

/**
 * The counters a change to this record bumps: a student's work, a class's
 * set-up, and both for a membership. Both backends call this on every change,
 * so a page built from these counters is rebuilt whenever what it shows changes.
 */
export function versionKeysOf(collection: string, record: Record<string, unknown> | undefined): string[] {
  if (!record) return [];
  if (STUDENT_WORK.has(collection)) return [versionKey.student(String(record.studentId))];
  if (collection === 'memberships') return [versionKey.class(String(record.classId)), versionKey.student(String(record.studentId))];
  if (CLASS_SETUP.has(collection)) return [versionKey.class(String(collection === 'classes' ? record.id : record.classId))];
  if (collection === 'users') return [versionKey.student(String(record.id))];
  return [];
}
