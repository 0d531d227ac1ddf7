// When boosters come due: pure functions of the days a student passed each
// lesson's quiz, the intervals of their classes and the day it is today.
// Days are calendar days (YYYY-MM-DD, UTC) like assignment due dates, so a
// booster appears on the home page at the start of its day.

export interface Intervals {
  /** days from passing the quiz to the first booster set */
  firstDays: number;
  /** days from passing the quiz to the second booster set */
  secondDays: number;
}

/** Two weeks and six weeks: inoculation fades after about a month (Maertens et al. 2025). */
export const DEFAULT_INTERVALS: Intervals = { firstDays: 14, secondDays: 42 };
export const MAX_INTERVAL_DAYS = 365;

export interface ScheduledBooster {
  /** `${lessonId}-${set}` */
  id: string;
  lessonId: string;
  set: number;
  due: string;
  done: boolean;
  /** when the student last finished it */
  doneAt: string | null;
}

export function boosterId(lessonId: string, set: number): string {
  return `${lessonId}-${set}`;
}

export function parseBoosterId(id: string): { lessonId: string; set: number } | null {
  const match = /^([a-z0-9]+(?:-[a-z0-9]+)*)-([12])$/.exec(id);
  return match ? { lessonId: match[1], set: Number(match[2]) } : null;
}

export function addDays(day: string, days: number): string {
  const date = new Date(`${day.slice(0, 10)}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/**
 * The intervals that apply to one lesson for a student: those of the classes
 * that assigned it, else of all the student's classes; where several apply,
 * the shortest (the earliest booster wins, as the earliest due date does for
 * lessons). A student in no class gets the defaults.
 */
export function intervalsFor(lessonId: string, classes: readonly { assigned: ReadonlySet<string>; intervals: Intervals }[]): Intervals {
  const assigning = classes.filter((record) => record.assigned.has(lessonId));
  const apply = assigning.length ? assigning : classes;
  if (!apply.length) return DEFAULT_INTERVALS;
  return {
    firstDays: Math.min(...apply.map((record) => record.intervals.firstDays)),
    secondDays: Math.min(...apply.map((record) => record.intervals.secondDays)),
  };
}

export interface ScheduleInput {
  /** the day each lesson's quiz was first passed */
  passes: readonly { lessonId: string; passedOn: string }[];
  intervals(lessonId: string): Intervals;
  /** whether the lesson's booster pool has this set */
  hasSet(lessonId: string, set: number): boolean;
  /** finished boosters: id and time */
  completions: readonly { boosterId: string; at: string }[];
  today: string;
}

/** Every booster the student has earned, due or not yet, earliest first. */
export function boosterSchedule(input: ScheduleInput): { due: ScheduledBooster[]; upcoming: ScheduledBooster[] } {
  const lastDone = new Map<string, string>();
  for (const completion of input.completions) {
    const known = lastDone.get(completion.boosterId);
    if (!known || completion.at > known) lastDone.set(completion.boosterId, completion.at);
  }
  const all: ScheduledBooster[] = [];
  for (const { lessonId, passedOn } of input.passes) {
    const intervals = input.intervals(lessonId);
    [intervals.firstDays, intervals.secondDays].forEach((days, index) => {
      const set = index + 1;
      if (!input.hasSet(lessonId, set)) return;
      const id = boosterId(lessonId, set);
      all.push({ id, lessonId, set, due: addDays(passedOn, days), done: lastDone.has(id), doneAt: lastDone.get(id) ?? null });
    });
  }
  all.sort((a, b) => a.due.localeCompare(b.due) || a.id.localeCompare(b.id));
  return { due: all.filter((booster) => booster.due <= input.today), upcoming: all.filter((booster) => booster.due > input.today) };
}
