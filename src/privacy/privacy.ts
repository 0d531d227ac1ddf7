// What FrameCheck keeps about a student, who sees it and for how long, in
// plain words: one list of facts, worded twice (for students and for their
// parents), so the two versions of /privacy and the JSON cannot drift apart.
// Every line here must stay true of the code: the stored records are in
// store/types.ts, what erasure removes in store/schema.ts (STUDENT_RECORDS),
// what a parent sees in families/families.ts. docs/data-protection.md is the
// same inventory for the school's data-protection lead.
import type { AppContext } from '../context.ts';
import { DEFAULT_RETENTION } from '../schools/schools.ts';
import type { School, User } from '../store/backend.ts';

/** What visitors who belong to no school are told: what a new school starts with. */
export const DEFAULT_INACTIVE_MONTHS = DEFAULT_RETENTION.inactiveMonths;

export interface Retention {
  inactiveMonths: number;
  /** the school whose policy this is, or null for the default */
  school: string | null;
}

/**
 * The retention that applies to whoever asks: their own school's, a
 * parent's child's school's (when all their children are in one school),
 * else the default.
 */
export async function retentionFor(ctx: AppContext, user: User | undefined): Promise<Retention> {
  const fallback = { inactiveMonths: DEFAULT_INACTIVE_MONTHS, school: null };
  if (!user) return fallback;
  let schoolIds: string[];
  if (user.role === 'parent') {
    const links = await ctx.store.find('parentLinks', 'parentId', user.id);
    const children = await ctx.store.getMany('users', links.map((link) => link.studentId));
    schoolIds = [...new Set(children.map((child) => child.schoolId).filter((id): id is string => Boolean(id)))];
  } else {
    schoolIds = user.schoolId ? [user.schoolId] : [];
  }
  if (schoolIds.length !== 1) return fallback;
  const school: School | undefined = await ctx.store.get('schools', schoolIds[0]);
  return school ? { inactiveMonths: school.retention.inactiveMonths, school: school.name } : fallback;
}

/**
 * Which line of "what we keep" tells of each collection erasure removes
 * (STUDENT_RECORDS): a test fails when a new one is added without telling
 * students about it.
 */
export const KEPT_LINE_OF: Record<string, string> = {
  memberships: 'classes',
  attempts: 'answers',
  lessonOpens: 'lessons',
  parentCodes: 'codes',
  parentLinks: 'adults',
  checkupSittings: 'checkups',
  checkupResponses: 'checkups',
  researchIds: 'code-name',
  scenarioRuns: 'chats',
  boosterResults: 'boosters',
  rosterSlips: 'slip',
  sessions: 'session',
  ltiIdentities: 'lms',
  ltiGrades: 'lms',
  ltiGradeClaims: 'lms',
};

interface Item {
  id: string;
  text: string;
}

export interface PrivacyVersion {
  /** what is kept, one item per kind of record */
  kept: Item[];
  /** what is never asked for or kept */
  notKept: Item[];
  /** who sees what */
  whoSees: Item[];
  howLong: Retention & { items: Item[] };
  /** how to see the data, or have it erased */
  askFor: Item[];
  /** what FrameCheck never does */
  never: Item[];
  whereKept: string;
}

function months(n: number): string {
  return n === 1 ? '1 month' : `${n} months`;
}

function students(retention: Retention): PrivacyVersion {
  return {
    kept: [
      { id: 'account', text: 'Your username and your display name. The display name can be a nickname.' },
      { id: 'password', text: 'Your password, scrambled (hashed). Nobody can read it back, not even your teacher.' },
      { id: 'classes', text: 'The classes you joined.' },
      { id: 'lessons', text: 'Which lessons you opened, and when.' },
      { id: 'answers', text: 'Your quiz answers and scores.' },
      { id: 'checkups', text: 'Your check-up ratings: how tricky you found each post, and how sure you were.' },
      { id: 'chats', text: 'The replies you picked in practice chats. You never type in them.' },
      { id: 'boosters', text: 'Your results in practice sets.' },
      { id: 'code-name', text: 'A random code for you in each class. Your teacher can download check-up results with this code instead of your name.' },
      { id: 'adults', text: 'Which parents or carers you linked, and when they last looked at your progress.' },
      { id: 'codes', text: 'The codes you make for a parent, until they are used or run out.' },
      { id: 'reset', text: 'If a teacher resets your password: who did it and when. This goes once you choose a new password.' },
      { id: 'slip', text: 'If your school made your account for you, we keep the first password on your login slip for a short time. It is locked, so nobody can read it in our files. It is deleted once the slips are printed, or after a day.' },
      { id: 'lms', text: 'If you come to FrameCheck from your school\'s learning site (like Moodle or Canvas): the code that site uses for you, and your name if it sends one. Your quiz scores go back to that site, for your teacher. We never take your email from it.' },
      { id: 'session', text: 'A cookie that keeps you logged in. It ends when you log out, or after 14 days.' },
      { id: 'log', text: 'A school log of big actions on your account, like a password reset or a copy of your data.' },
    ],
    notKept: [
      { id: 'email', text: 'Your email address.' },
      { id: 'birth', text: 'Your birth date or age.' },
      { id: 'name', text: 'Your real name. We only ask for a display name. But if your school makes your account, it may use your first name.' },
      { id: 'place', text: 'Where you are. FrameCheck never asks for your location.' },
      { id: 'messages', text: 'Messages. There is no way to send messages here.' },
      { id: 'browsing', text: 'A list of the pages you look at.' },
    ],
    whoSees: [
      { id: 'you', text: 'You see your own work on your pages.' },
      { id: 'teachers', text: 'Teachers of your classes see your progress, your answers, your check-up ratings and your chat replies. They can reset your password.' },
      { id: 'admin', text: 'Your school admin can see what your teachers see. Only the admin can download all your data or erase your account.' },
      { id: 'parents', text: 'A parent or carer you linked sees your lessons, your best scores and which days you worked. They do not see your answers or your ratings.' },
      { id: 'students', text: 'Other students see nothing about you. Nothing you do here is shown to them.' },
      { id: 'nobody-else', text: 'Nobody else. No company gets your data from us. If you came from your school\'s learning site, your scores go back to it.' },
    ],
    howLong: {
      ...retention,
      items: [
        { id: 'inactive', text: `If you do not log in for ${months(retention.inactiveMonths)}, your account and all your work are erased.` },
        { id: 'codes', text: 'A code for a parent works for 7 days.' },
        { id: 'guesses', text: 'To stop password guessing, failed logins are counted for up to one hour.' },
      ],
    },
    askFor: [
      { id: 'see', text: 'To get a copy of your data, ask your teacher or your school admin.' },
      { id: 'erase', text: 'To have your account erased, ask your school admin. Then nothing about you is kept here.' },
      { id: 'adults', text: 'To unlink an adult, open Family and press Remove. You can do that yourself.' },
      { id: 'worried', text: 'If something worries you, talk to a teacher or an adult you trust.' },
    ],
    never: [
      { id: 'ads', text: 'No adverts.' },
      { id: 'tracking', text: 'No tracking, and no counting of clicks for anyone.' },
      { id: 'others', text: 'No other websites. Every page comes from this server only.' },
      { id: 'selling', text: 'Your data is never sold, and never shared outside your school.' },
    ],
    whereKept: 'On the server your school runs FrameCheck on.',
  };
}

function parents(retention: Retention): PrivacyVersion {
  return {
    kept: [
      { id: 'account', text: "Your child's username and display name (a nickname is fine)." },
      { id: 'password', text: 'Their password, stored only as a hash that cannot be turned back into the password.' },
      { id: 'classes', text: 'The classes they joined.' },
      { id: 'lessons', text: 'Which lessons they opened, and when.' },
      { id: 'answers', text: 'Their quiz answers and scores.' },
      { id: 'checkups', text: 'Their check-up ratings: how manipulative they found each example post, and how sure they were.' },
      { id: 'chats', text: 'The replies they picked in practice chats. They choose from set replies and never type.' },
      { id: 'boosters', text: 'Their results in short practice sets.' },
      { id: 'code-name', text: 'A random code per class, which stands in for their name when a teacher downloads check-up results.' },
      { id: 'adults', text: 'Which parents or carers are linked to them, and when each last looked at their progress.' },
      { id: 'codes', text: 'The linking codes they make, until used or expired.' },
      { id: 'reset', text: 'If a teacher resets their password: who did it and when, until they choose a new password.' },
      { id: 'slip', text: 'If the school made the account, the first password printed on its login slip. It is stored locked (encrypted) and deleted once the slips are printed, or after a day.' },
      { id: 'lms', text: "If your child opens FrameCheck from the school's learning site (such as Moodle or Canvas): the code that site uses for them, and their name if the site sends it. Their quiz scores are sent back to that site. We never take their email from it." },
      { id: 'session', text: 'A sign-in cookie, which ends at log out or after 14 days.' },
      { id: 'log', text: "The school's log of important actions on the account, such as password resets, data downloads and erasure." },
    ],
    notKept: [
      { id: 'email', text: 'No email address.' },
      { id: 'birth', text: 'No birth date or age.' },
      { id: 'name', text: 'No real name: we ask for a display name only. A school that makes the accounts may use first names.' },
      { id: 'place', text: 'No location.' },
      { id: 'messages', text: 'No messages: FrameCheck has no way for users to contact each other.' },
      { id: 'browsing', text: 'No record of the pages they visit.' },
    ],
    whoSees: [
      { id: 'you', text: 'Your child sees their own work.' },
      { id: 'teachers', text: "Teachers of your child's classes see their progress, answers, check-up ratings and chat replies, and can reset their password." },
      { id: 'admin', text: "The school's FrameCheck admin sees what teachers see, and is the only person who can download or erase a child's data." },
      { id: 'parents', text: 'You see the lessons set, your child\'s best scores, when they opened or tried a lesson, and whether they did each check-up. You do not see their answers or ratings. Your child sees that you are linked and when you last looked.' },
      { id: 'students', text: 'Other students see nothing about your child.' },
      { id: 'nobody-else', text: "Nobody else: no company receives any of this data from us. If your child came from the school's learning site, their scores go back to it." },
    ],
    howLong: {
      ...retention,
      items: [
        { id: 'inactive', text: `An account that nobody logs in to for ${months(retention.inactiveMonths)} is erased with all its work.` },
        { id: 'codes', text: 'A linking code works for 7 days.' },
        { id: 'guesses', text: 'Failed logins are counted for up to one hour, to stop password guessing.' },
      ],
    },
    askFor: [
      { id: 'see', text: "For a copy of your child's data, ask their teacher or the school. The school admin can download it." },
      { id: 'erase', text: "To have your child's data erased, ask the school. The admin erases it, and nothing about your child is left here." },
      { id: 'adults', text: 'Your child can unlink any adult at any time, on their Family page.' },
      { id: 'worried', text: 'The school is in charge of this data. Its data-protection lead can answer your questions.' },
    ],
    never: [
      { id: 'ads', text: 'No adverts.' },
      { id: 'tracking', text: 'No analytics or tracking.' },
      { id: 'others', text: 'No third parties: every page, font and file comes from this server.' },
      { id: 'selling', text: 'Data is never sold, and never shared outside the school.' },
    ],
    whereKept: "On the school's own server (or the one the school chose to run FrameCheck on).",
  };
}

export function privacyFacts(retention: Retention): { students: PrivacyVersion; parents: PrivacyVersion } {
  return { students: students(retention), parents: parents(retention) };
}
