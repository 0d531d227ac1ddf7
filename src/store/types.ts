// The records FrameCheck keeps. Kept lean on purpose: a teen's account holds
// a username, a display name and a password hash; no email, birth date or real name.

export type Role = 'teacher' | 'student' | 'parent';

export interface User {
  id: string;
  role: Role;
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
  teacherId: string;
  name: string;
  joinCode: string;
  createdAt: string;
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
