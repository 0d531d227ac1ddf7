// The records FrameCheck keeps. Kept lean on purpose: a teen's account holds
// a username, a display name and a password hash; no email, birth date or real name.

export type Role = 'admin' | 'teacher' | 'student' | 'parent';

/**
 * A school: the boundary nothing crosses. Every admin, teacher, student,
 * class, check-up and LMS connection belongs to exactly one; parents belong
 * to none (they link to children, not to schools).
 */
export interface School {
  id: string;
  name: string;
  createdAt: string;
  /** how long inactive student accounts are kept, and when classes are archived (see docs/data-protection.md) */
  retention: RetentionPolicy;
}

export interface RetentionPolicy {
  /** a student account with no sign-in for this many months is erased */
  inactiveMonths: number;
  /** YYYY-MM-DD after which classes are archived (read-only), or null */
  archiveClassesAfter: string | null;
  /** when the daily job last ran, ISO time, or null */
  lastRunAt: string | null;
}

export interface User {
  id: string;
  role: Role;
  /**
   * the school this account belongs to; null for parents, and for a student
   * who signed up without a class code until they join a class
   */
  schoolId: string | null;
  /** the hash of the invitation this account was made with: an invitation makes one account (unique key users.invite) */
  inviteId?: string;
  /** set when the school's admin deactivated a teacher: no login, no session */
  deactivatedAt?: string | null;
  username: string;
  displayName: string;
  passwordHash: string;
  /** set by a teacher's password reset: the next login must choose a new password */
  mustChangePassword: boolean;
  createdAt: string;
}

export interface SessionRecord {
  id: string;
  userId: string | null;
  data: Record<string, unknown>;
  expiresAt: string;
}

export interface ClassRecord {
  id: string;
  schoolId: string;
  /** the teacher who created the class; who teaches it is in classTeachers */
  teacherId: string;
  name: string;
  joinCode: string;
  createdAt: string;
}

/** A teacher (or admin) who teaches a class: every class has one or more (co-teachers). */
export interface ClassTeacher {
  /** keys.classTeacher(classId, teacherId) */
  id: string;
  classId: string;
  teacherId: string;
  addedAt: string;
}

/** A one-time invitation to become a teacher or admin of a school. */
export interface Invite {
  /** a hash of the code (the code itself is shown once and never stored) */
  id: string;
  schoolId: string;
  role: 'teacher' | 'admin';
  note: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  usedBy: string | null;
}

/** The one-time token `npm start` prints while there is no school; only its hash is kept. */
export interface SetupToken {
  /** sha-256 of the token */
  id: string;
  createdAt: string;
}

/**
 * One thing that happened in a school, kept for the retention period and
 * never edited by anyone (erasing a student removes their name from events
 * about them, nothing else).
 */
export interface AuditEvent {
  id: string;
  schoolId: string;
  at: string;
  /** who did it: a user id, or null for the system (the retention job) */
  actorId: string | null;
  /** the actor's username when it happened */
  actorName: string;
  action: AuditAction;
  /** what it was done to, in words ("student mia.k", "class 8B") */
  target: string;
  /** the id of the user it was done to, when a user (so erasure can find the event) */
  targetUserId: string | null;
  detail: string;
}

export type AuditAction =
  | 'admin.login'
  | 'invite.created'
  | 'invite.used'
  | 'password.reset'
  | 'student.exported'
  | 'student.erased'
  | 'student.removed'
  | 'teacher.deactivated'
  | 'teacher.coteacher-added'
  | 'role.changed'
  | 'lms.connected'
  | 'lms.disconnected'
  | 'roster.imported'
  | 'retention.changed'
  | 'retention.run'
  | 'school.created';

export interface Membership {
  /** `${classId}:${studentId}` */
  id: string;
  classId: string;
  studentId: string;
  joinedAt: string;
}

export interface Assignment {
  id: string;
  classId: string;
  lessonId: string;
  /** YYYY-MM-DD or null */
  due: string | null;
  createdAt: string;
}

export interface Attempt {
  id: string;
  studentId: string;
  lessonId: string;
  at: string;
  score: number;
  max: number;
  percent: number;
  passed: boolean;
  /** the chosen options, packed against a quiz shape (learning/answer-codec.ts) */
  answers: string;
}

/** The question ids of a quiz as it was when answered; attempts refer to it. */
export interface QuizShape {
  id: string;
  lessonId: string;
  questionIds: string[];
  /** per question, its option ids in file order */
  optionIds: string[][];
}

/** The first time a student opened a lesson: makes it "in progress". */
export interface LessonOpen {
  /** `${studentId}:${lessonId}` */
  id: string;
  studentId: string;
  lessonId: string;
  at: string;
}

export interface ParentCode {
  /** the code itself */
  id: string;
  studentId: string;
  expiresAt: string;
}

export interface ParentLink {
  /** `${parentId}:${studentId}` */
  id: string;
  parentId: string;
  studentId: string;
  createdAt: string;
}

export interface Checkup {
  id: string;
  classId: string;
  phase: 'before' | 'after' | 'booster';
  due: string | null;
  createdAt: string;
}

export interface CheckupResponse {
  /** `${checkupId}:${studentId}:${itemId}` */
  id: string;
  checkupId: string;
  studentId: string;
  itemId: string;
  manipulative: number;
  confidence: number;
  at: string;
}

/** The checkup a student was given: its item order, fixed when first opened. */
export interface CheckupSitting {
  /** `${checkupId}:${studentId}` */
  id: string;
  checkupId: string;
  studentId: string;
  form: string;
  itemIds: string[];
  startedAt: string;
}

/** A random id per student per class, used in research exports instead of names. */
export interface ResearchId {
  /** `${classId}:${studentId}` */
  id: string;
  classId: string;
  studentId: string;
  token: string;
}

/** One run through a lesson's chat scenario: the replies picked, in order (ids only, no free text). */
export interface ScenarioRun {
  id: string;
  studentId: string;
  lessonId: string;
  /** 1 for the first run of this scenario, 2 for the first replay... */
  number: number;
  startedAt: string;
  steps: { nodeId: string; choiceId: string; at: string }[];
  /** the ending reached, or null while the chat goes on */
  endingId: string | null;
  finishedAt: string | null;
}

/** A booster set answered by a student. */
export interface BoosterResult {
  id: string;
  studentId: string;
  /** `${lessonId}-${set}` */
  boosterId: string;
  lessonId: string;
  set: number;
  at: string;
  score: number;
  max: number;
  /** per item: the chosen option ids, and whether that was right */
  items: { itemId: string; technique: string; chosen: string[]; correct: boolean }[];
}

/** A class's booster intervals, set by its teacher; the id is the class id. */
export interface PracticeSettings {
  id: string;
  classId: string;
  firstDays: number;
  secondDays: number;
  updatedAt: string;
}

export interface Collections {
  schools: School;
  classTeachers: ClassTeacher;
  invites: Invite;
  setupTokens: SetupToken;
  auditEvents: AuditEvent;
  users: User;
  sessions: SessionRecord;
  classes: ClassRecord;
  memberships: Membership;
  assignments: Assignment;
  attempts: Attempt;
  lessonOpens: LessonOpen;
  parentCodes: ParentCode;
  parentLinks: ParentLink;
  checkups: Checkup;
  checkupResponses: CheckupResponse;
  checkupSittings: CheckupSitting;
  researchIds: ResearchId;
  quizShapes: QuizShape;
  scenarioRuns: ScenarioRun;
  boosterResults: BoosterResult;
  practiceSettings: PracticeSettings;
}

export type CollectionName = keyof Collections;
