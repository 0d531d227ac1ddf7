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
  /** who reset this student's password (a user id) and when, shown to the student until they choose a new one */
  passwordResetBy?: string | null;
  passwordResetAt?: string | null;
  createdAt: string;
  /** the last day this account signed in or was used, ISO time, written at most once a day (accounts/activity.ts); retention erases students by it */
  lastActiveAt?: string | null;
  /**
   * true on an account an LMS launch made (it has an LTI identity), so its
   * quiz scores may be owed to the LMS; set with the identity in one commit
   * (lti/provisioning.ts). A quiz answer by anyone else looks up nothing LMS.
   */
  fromLms?: boolean;
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
  /** set by the school's retention policy: the class is kept to look at, but takes no new students or lessons (classes/archive.ts) */
  archivedAt?: string | null;
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

/**
 * One roster import by a school's admin: what it made, and until when its
 * login slips still show the one-time passwords (see roster/slips.ts).
 */
export interface RosterBatch {
  id: string;
  schoolId: string;
  createdBy: string;
  createdAt: string;
  /** the slips show their passwords until then (or until the admin marks them printed) */
  passwordsUntil: string;
  /** when the sealed passwords were removed, or null while the slips still hold them */
  passwordsDroppedAt: string | null;
  droppedBecause: 'expired' | 'printed' | null;
  /** the classes the file named, in file order (made by the import or already there) */
  classIds: string[];
  created: number;
  existing: number;
  classesCreated: number;
}

/** A login slip of one student made by a roster import, removed with its password. */
export interface RosterSlip {
  /** keys.rosterSlip(batchId, studentId) */
  id: string;
  batchId: string;
  studentId: string;
  /** the classes of the batch this student was put in */
  classIds: string[];
  /** the one-time password, sealed with a key derived from the deployment secret */
  sealedPassword: string;
}

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
  /** when the parent last opened this child's progress (recorded at most every few minutes), shown to the child */
  lastViewedAt?: string | null;
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

/** The tool's own signing key (LTI): the newest one not retired signs; retired ones stay published a while. */
export interface LtiKey {
  /** the JWK `kid` */
  id: string;
  privateJwk: Record<string, unknown>;
  publicJwk: Record<string, unknown>;
  createdAt: string;
  retiredAt: string | null;
}

/** An LMS connected to a school (an LTI 1.3 platform registration). */
export interface LtiPlatform {
  id: string;
  schoolId: string;
  name: string;
  issuer: string;
  clientId: string;
  authUrl: string;
  tokenUrl: string;
  jwksUrl: string;
  /** the deployments of this tool in the platform that may launch it */
  deploymentIds: string[];
  createdBy: string;
  createdAt: string;
}

/** A one-time dynamic registration URL made by a school's admin. */
export interface LtiRegistration {
  /** a hash of the token in the URL (the token itself is shown once) */
  id: string;
  schoolId: string;
  name: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
}

/** An OIDC login started by a browser: the launch must bring back its state from the same browser. */
export interface LtiLogin {
  /** the `state` sent to the platform */
  id: string;
  /** a hash of the random key held in this browser's cookie */
  browserKey: string;
  nonce: string;
  platformId: string;
  /** the login parameters, to offer the launch again in a new window */
  params: Record<string, string>;
  expiresAt: string;
}

/** A nonce seen in an id_token: a second launch with it is refused. */
export interface LtiNonce {
  /** keys.ltiNonce(issuer, nonce) */
  id: string;
  expiresAt: string;
}

/** Which FrameCheck user an LMS user (issuer, sub) is. */
export interface LtiIdentity {
  /** keys.ltiIdentity(issuer, sub) */
  id: string;
  platformId: string;
  userId: string;
  sub: string;
  createdAt: string;
}

/** Which class an LMS course (issuer, deployment, context id) is. */
export interface LtiContext {
  /** keys.ltiContext(issuer, deploymentId, contextId) */
  id: string;
  platformId: string;
  classId: string;
  deploymentId: string;
  contextId: string;
  /** NRPS context_memberships_url from the last launch, or null */
  membershipsUrl: string | null;
  createdAt: string;
}

/** A link to a lesson placed in an LMS course; scores go to its line item. */
export interface LtiResourceLink {
  /** keys.ltiResourceLink(issuer, deploymentId, resourceLinkId) */
  id: string;
  platformId: string;
  classId: string;
  lessonId: string;
  resourceLinkId: string;
  /** AGS line item URL (may carry a query string), or null when the LMS keeps no grade for it */
  lineItemUrl: string | null;
  createdAt: string;
}

/**
 * A student's score for one resource link, waiting to reach the LMS or sent
 * (the grade outbox). One row per student and link: a newer best score
 * replaces a waiting one, so scores never go out of order.
 */
export interface LtiGrade {
  /** keys.ltiGrade(linkId, studentId) */
  id: string;
  studentId: string;
  classId: string;
  linkId: string;
  lessonId: string;
  percent: number;
  passed: boolean;
  /** when the score was earned (the attempt's time) */
  timestamp: string;
  /** bumped on every new score; a send is marked done only if unchanged */
  seq: number;
  status: 'pending' | 'sent';
  tries: number;
  /** real time of the next try (pending only) */
  nextTryAt: string;
  lastError: string | null;
  sentAt: string | null;
}

/**
 * One send of one outbox row, claimed by the instance that makes it: the id
 * is the row, its score version and its try, so of several instances only
 * the one whose insert succeeds sends (no score goes to the LMS twice).
 */
export interface LtiGradeClaim {
  /** keys.ltiGradeClaim(gradeId, seq, tries) */
  id: string;
  gradeId: string;
  studentId: string;
  /** real time of the claim; a claim older than the outbox's lease was left by a stopped instance */
  claimedAt: string;
}

export interface Collections {
  schools: School;
  classTeachers: ClassTeacher;
  invites: Invite;
  setupTokens: SetupToken;
  auditEvents: AuditEvent;
  rosterBatches: RosterBatch;
  rosterSlips: RosterSlip;
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
  ltiKeys: LtiKey;
  ltiPlatforms: LtiPlatform;
  ltiRegistrations: LtiRegistration;
  ltiLogins: LtiLogin;
  ltiNonces: LtiNonce;
  ltiIdentities: LtiIdentity;
  ltiContexts: LtiContext;
  ltiResourceLinks: LtiResourceLink;
  ltiGrades: LtiGrade;
  ltiGradeClaims: LtiGradeClaim;
}

export type CollectionName = keyof Collections;
