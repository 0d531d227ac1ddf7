// Practice as the app uses it: scenario runs, due boosters and the technique
// map, built from the pure parts (scenario.ts, boosters.ts, mastery.ts) and
// the records (records.ts).
import type { AppContext } from '../context.ts';
import type { Lesson, Quiz } from '../content/catalog.ts';
import { invalid, notFound } from '../http/errors.ts';
import { newId } from '../ids.ts';
import { gradeQuiz, shuffled, type Answers, type Grade } from '../learning/grading.ts';
import { decodeAnswers } from '../learning/answer-codec.ts';
import { questionOrder, quizIds } from '../learning/public-ids.ts';
import { today } from '../learning/progress.ts';
import type { BoosterResult, ClassRecord, ScenarioRun, User } from '../store/backend.ts';
import { studentsOf } from '../classes/classes.ts';
import { classesWithReportShown } from '../checkups/report.ts';
import { boosterSchedule, intervalsFor, parseBoosterId, type ScheduledBooster } from './boosters.ts';
import type { BoosterPool, BoosterQuestion, Scenario, ScenarioNode } from './content.ts';
import { classLevel, LEVEL_LABELS, masteryMap, toRevisit, type Evidence } from './mastery.ts';
import { boosterResultsOf, classIntervals, currentRun, newRun, saveBoosterResult, saveRun, scenarioRunsOf } from './records.ts';
import { choose, feedback, positionAfter, type Position } from './scenario.ts';
import { LESSON_TECHNIQUE, TECHNIQUES, techniqueName, techniqueOfQuestion } from './techniques.ts';

// ---------------------------------------------------------------- scenarios

export function scenarioOrThrow(ctx: AppContext, lessonId: string): Scenario {
  const scenario = ctx.catalog.practice.scenario(lessonId);
  if (!scenario) throw notFound('This lesson has no chat to practise with.');
  return scenario;
}

export function presentNode(nodeId: string, node: ScenarioNode) {
  return { id: nodeId, messages: node.messages.map(({ from, text }) => ({ from, text })), choices: node.choices.map(({ id, text }) => ({ id, text })) };
}

/** The "Get help" section of a lesson, as the lesson page shows it. */
export function lessonHelpHtml(lesson: Lesson): string {
  const start = lesson.html.indexOf('<h2 id="get-help">');
  if (start < 0) return '<p>If something online worries you, talk to an adult you trust. <a href="/help">Find help near you</a>.</p>';
  const end = lesson.html.indexOf('<h2', start + 1);
  return lesson.html.slice(start, end < 0 ? undefined : end);
}

export function presentEnding(scenario: Scenario, lesson: Lesson, run: Pick<ScenarioRun, 'steps'>, position: Extract<Position, { kind: 'ending' }>) {
  return {
    id: position.endingId,
    kind: position.ending.kind,
    title: position.ending.title,
    text: position.ending.text,
    feedback: feedback(scenario, run.steps).map((step) => ({ ...step, techniqueName: techniqueName(step.technique) })),
    help: { html: lessonHelpHtml(lesson), page: '/help' },
  };
}

/** The chat so far, as bubbles: each answered step's messages and the reply picked. */
function transcript(scenario: Scenario, run: Pick<ScenarioRun, 'steps'> | undefined) {
  return (run?.steps ?? []).flatMap((step) => {
    const node = scenario.nodes[step.nodeId];
    const choice = node?.choices.find((candidate) => candidate.id === step.choiceId);
    if (!node || !choice) return [];
    return [...node.messages.map(({ from, text }) => ({ from, text })), { from: 'you' as const, text: choice.text }];
  });
}

/** What the scenario page shows a user: a student's own run, or anyone else's preview of the first step. */
export async function scenarioPage(ctx: AppContext, user: User, lesson: Lesson, scenario: Scenario) {
  const run = user.role === 'student' ? await currentRun(ctx.store, user.id, lesson.id) : undefined;
  const position = positionAfter(scenario, run?.steps ?? []);
  const ending = position.kind === 'ending' ? presentEnding(scenario, lesson, run!, position) : null;
  const node = position.kind === 'node' ? presentNode(position.nodeId, position.node) : null;
  const finishedBefore = user.role === 'student' && (await scenarioRunsOf(ctx.store, user.id, lesson.id)).some((candidate) => candidate.endingId !== null);
  return {
    scenario,
    history: transcript(scenario, run),
    node,
    ending,
    started: Boolean(run?.steps.length),
    finishedBefore,
    json: { scenario: { id: lesson.id, title: scenario.title, done: ending !== null, node, ...(ending ? { ending } : {}) } },
  };
}

export async function chooseReply(ctx: AppContext, student: User, lesson: Lesson, scenario: Scenario, choiceId: string) {
  const existing = await currentRun(ctx.store, student.id, lesson.id);
  const at = ctx.now().toISOString();
  // The last run has ended: only "play again" starts a new one.
  if (existing && existing.endingId !== null) throw invalid('This chat has ended. Play it again to pick other replies.', 'choiceId');
  const base = existing;
  const steps = base?.steps ?? [];
  const { step, next } = choose(scenario, steps, choiceId);
  const run: ScenarioRun = { ...(base ?? (await newRun(ctx.store, student.id, lesson.id, at))), steps: [...steps, { ...step, at }] };
  if (next.kind === 'ending') {
    run.endingId = next.endingId;
    run.finishedAt = at;
  }
  await saveRun(ctx.store, run);
  return next.kind === 'ending' ? { ending: presentEnding(scenario, lesson, run, next) } : { node: presentNode(next.nodeId, next.node) };
}

/** Play again: a fresh run from the first step (earlier runs stay, for the teacher and the map). */
export async function restartScenario(ctx: AppContext, student: User, lesson: Lesson, scenario: Scenario) {
  const existing = await currentRun(ctx.store, student.id, lesson.id);
  if (!existing || existing.steps.length > 0) await saveRun(ctx.store, await newRun(ctx.store, student.id, lesson.id, ctx.now().toISOString()));
  return { node: presentNode(scenario.start, scenario.nodes[scenario.start]) };
}

// ---------------------------------------------------------------- boosters

/** The booster schedule of a student, from their passes, their classes' intervals and what they finished. */
export async function scheduleOf(ctx: AppContext, studentId: string) {
  const firstPass = new Map<string, string>();
  for (const attempt of await ctx.store.find('attempts', 'studentId', studentId)) {
    if (!attempt.passed) continue;
    const known = firstPass.get(attempt.lessonId);
    if (!known || attempt.at < known) firstPass.set(attempt.lessonId, attempt.at);
  }
  const classes = await Promise.all(
    (await ctx.store.find('memberships', 'studentId', studentId)).map(async (membership) => ({
      assigned: new Set((await ctx.store.find('assignments', 'classId', membership.classId)).map((assignment) => assignment.lessonId)),
      intervals: await classIntervals(ctx.store, membership.classId),
    })),
  );
  return boosterSchedule({
    passes: [...firstPass].filter(([lessonId]) => ctx.catalog.lesson(lessonId)).map(([lessonId, at]) => ({ lessonId, passedOn: at.slice(0, 10) })),
    intervals: (lessonId) => intervalsFor(lessonId, classes),
    hasSet: (lessonId, set) => (ctx.catalog.practice.pool(lessonId)?.set(set).length ?? 0) > 0,
    completions: await boosterResultsOf(ctx.store, studentId),
    today: today(ctx.now()),
  });
}

export function presentBoosterList(ctx: AppContext, boosters: ScheduledBooster[]) {
  return boosters.map((booster) => ({ ...booster, title: ctx.catalog.lesson(booster.lessonId)?.title ?? booster.lessonId }));
}

export interface DueBooster {
  booster: ScheduledBooster;
  pool: BoosterPool;
  questions: BoosterQuestion[];
  /** the booster as a quiz, for answer reading and grading */
  quiz: Quiz;
}

/** A booster that has come due for this student, else 404 (another student's or a future one is not theirs to know). */
export async function dueBoosterOrThrow(ctx: AppContext, student: User, id: string): Promise<DueBooster> {
  const parsed = parseBoosterId(id);
  const booster = parsed ? (await scheduleOf(ctx, student.id)).due.find((candidate) => candidate.id === id) : undefined;
  const pool = booster ? ctx.catalog.practice.pool(booster.lessonId) : undefined;
  if (!booster || !pool) throw notFound('There is no such practice set for you yet.');
  const questions = pool.set(booster.set);
  // Its own key for the public ids, so that they differ from the lesson quiz's.
  return { booster, pool, questions, quiz: { file: pool.file, lessonId: boosterQuizKey(booster.id), passPercent: 0, questions } };
}

/** What a booster's public question and option ids are hashed from (learning/public-ids.ts). */
export function boosterQuizKey(boosterId: string): string {
  return `booster:${boosterId}`;
}

/**
 * The items as the student sees them: opaque ids as in quizzes, pair halves
 * never next to each other, options shuffled once per student and set, no answers.
 */
export function presentBooster(due: DueBooster, seed: string) {
  const ids = quizIds(due.quiz);
  return questionOrder(due.questions).map((question) => ({
    id: ids.question.get(question.id)!,
    kind: question.kind,
    text: question.prompt,
    cards: question.cards.map(({ manipulative: _answer, ...card }) => card),
    cardsHtml: question.cardsHtml,
    options: shuffled(question.options, `${seed}:${question.id}`).map(({ id, text }) => ({ id: ids.option.get(question.id)!.get(id)!, text })),
  }));
}

export async function submitBooster(ctx: AppContext, student: User, due: DueBooster, answers: Answers): Promise<{ result: BoosterResult; grade: Grade }> {
  const grade = gradeQuiz(due.quiz, answers);
  const result: BoosterResult = {
    id: newId(),
    studentId: student.id,
    boosterId: due.booster.id,
    lessonId: due.booster.lessonId,
    set: due.booster.set,
    at: ctx.now().toISOString(),
    score: grade.score,
    max: grade.max,
    items: grade.results.map((item, index) => ({ itemId: item.questionId, technique: due.questions[index].technique, chosen: item.chosen, correct: item.correct })),
  };
  await saveBoosterResult(ctx.store, result);
  return { result, grade };
}

export function presentBoosterResult(due: DueBooster, result: BoosterResult) {
  const ids = quizIds(due.quiz);
  return {
    score: result.score,
    max: result.max,
    results: result.items.map((item) => ({
      itemId: ids.question.get(item.itemId) ?? item.itemId,
      correct: item.correct,
      explanation: due.questions.find((question) => question.id === item.itemId)?.explanation ?? '',
    })),
  };
}

/** The student's own result of a booster, else 404. */
export async function ownBoosterResult(ctx: AppContext, student: User, due: DueBooster, resultId: string): Promise<BoosterResult> {
  const result = await ctx.store.get('boosterResults', resultId);
  if (!result || result.studentId !== student.id || result.boosterId !== due.booster.id) throw notFound('We could not find that result.');
  return result;
}

/** Each item with the options picked, the right ones and why: the page after answering. */
export function boosterReview(due: DueBooster, result: BoosterResult, seed: string) {
  const ids = quizIds(due.quiz);
  const shown = presentBooster(due, seed);
  return shown.map((item) => {
    const question = ids.questionByPublic.get(item.id)!;
    const authorOption = (publicId: string) => ids.optionByPublic.get(question.id)!.get(publicId)!;
    const answered = result.items.find((candidate) => candidate.itemId === question.id);
    return {
      ...item,
      correct: answered?.correct ?? false,
      explanation: question.explanation,
      options: item.options.map((option) => ({
        ...option,
        chosen: answered?.chosen.includes(authorOption(option.id)) ?? false,
        right: question.options.some((candidate) => candidate.id === authorOption(option.id) && candidate.correct),
      })),
    };
  });
}

// ---------------------------------------------------------------- the technique map

/**
 * Everything a student has answered that says something about a technique
 * (docs/mastery.md). `checkupShown` limits check-up ratings to those a
 * teacher may see (docs/assessment.md, "Small groups"); the student's own
 * map uses them all.
 */
export async function evidenceOf(ctx: AppContext, studentId: string, checkupShown: (checkupId: string) => boolean = () => true): Promise<Evidence[]> {
  const evidence: Evidence[] = [];
  for (const attempt of await ctx.store.find('attempts', 'studentId', studentId)) {
    const quiz = ctx.catalog.quiz(attempt.lessonId);
    if (!quiz) continue;
    const grade = gradeQuiz(quiz, await decodeAnswers(ctx.store, attempt.answers));
    quiz.questions.forEach((question, index) => {
      const technique = techniqueOfQuestion(quiz.lessonId, question);
      if (technique) evidence.push({ technique, correct: grade.results[index].correct, at: attempt.at, source: 'quiz' });
    });
  }
  // A scenario counts once, by its first run: replays are for exploring the other paths.
  const firstRuns = new Map<string, ScenarioRun>();
  for (const run of await scenarioRunsOf(ctx.store, studentId)) if (!firstRuns.has(run.lessonId) && run.steps.length) firstRuns.set(run.lessonId, run);
  for (const run of firstRuns.values()) {
    const scenario = ctx.catalog.practice.scenario(run.lessonId);
    if (!scenario) continue;
    feedback(scenario, run.steps).forEach((step, index) => evidence.push({ technique: step.technique, correct: step.spotted, at: run.steps[index].at, source: 'scenario' }));
  }
  for (const result of await boosterResultsOf(ctx.store, studentId)) {
    for (const item of result.items) evidence.push({ technique: item.technique, correct: item.correct, at: result.at, source: 'booster' });
  }
  const bank = ctx.catalog.bank;
  if (bank) {
    for (const response of await ctx.store.find('checkupResponses', 'studentId', studentId)) {
      const item = bank.items.get(response.itemId);
      if (!item || !checkupShown(response.checkupId)) continue;
      // 1-7 scale, 4 in the middle: right means on the right side of the middle.
      const correct = item.manipulative ? response.manipulative >= 5 : response.manipulative <= 3;
      evidence.push({ technique: item.technique, correct, at: response.at, source: 'checkup' });
    }
  }
  return evidence;
}

const TECHNIQUE_IDS = TECHNIQUES.map((technique) => technique.id);

export async function studentMastery(ctx: AppContext, studentId: string, checkupShown?: (checkupId: string) => boolean) {
  const map = masteryMap(TECHNIQUE_IDS, await evidenceOf(ctx, studentId, checkupShown), ctx.now());
  return TECHNIQUES.map((technique) => {
    const mastery = map.get(technique.id)!;
    const lessonId = Object.entries(LESSON_TECHNIQUE).find(([, id]) => id === technique.id)?.[0] ?? null;
    return { id: technique.id, name: technique.name, level: mastery.level, label: LEVEL_LABELS[mastery.level], evidence: mastery.evidence, lessonId };
  });
}

/** Per lesson with a chat: whether the student finished it, and the ending and path of their last finished run (never reply text). */
function scenarioSummaries(ctx: AppContext, runs: ScenarioRun[]) {
  return ctx.catalog.lessons
    .filter((lesson) => ctx.catalog.practice.scenario(lesson.id))
    .map((lesson) => {
      const scenario = ctx.catalog.practice.scenario(lesson.id)!;
      const finished = runs.filter((run) => run.lessonId === lesson.id && run.endingId !== null);
      const last = finished.at(-1);
      if (!last) return { lessonId: lesson.id, title: lesson.title, finished: false as const };
      const steps = feedback(scenario, last.steps);
      return {
        lessonId: lesson.id,
        title: lesson.title,
        finished: true as const,
        runs: finished.length,
        endingId: last.endingId!,
        kind: scenario.endings[last.endingId!]?.kind ?? null,
        path: last.steps.map((step) => step.nodeId),
        spotted: steps.filter((step) => step.spotted).length,
        steps: steps.length,
        finishedAt: last.finishedAt!,
      };
    });
}

/**
 * The check-ups whose ratings may count in a map a teacher sees: those of
 * classes (of these students) whose own check-up report is shown. A
 * check-up of a class too small for its report stays out, or the map would
 * move with what that report hides.
 */
async function checkupsShownToStaff(ctx: AppContext, studentIds: string[]): Promise<(checkupId: string) => boolean> {
  if (!ctx.catalog.bank) return () => false;
  const classIds = [...new Set((await ctx.store.findAny('memberships', 'studentId', studentIds)).map((membership) => membership.classId))];
  const shownClasses = await classesWithReportShown(ctx, classIds);
  const shown = new Set((await ctx.store.findAny('checkups', 'classId', [...shownClasses])).map((checkup) => checkup.id));
  return (checkupId) => shown.has(checkupId);
}

/** The teacher's view: levels per student and technique, the class level, what to revisit, boosters and chat endings. */
export async function classPractice(ctx: AppContext, record: ClassRecord) {
  const students = await studentsOf(ctx, record.id);
  const checkupShown = await checkupsShownToStaff(ctx, students.map((student) => student.id));
  const rows: {
    student: User;
    levels: Awaited<ReturnType<typeof studentMastery>>;
    boosters: { due: number; done: number; list: ReturnType<typeof presentBoosterList> };
    scenarios: ReturnType<typeof scenarioSummaries>;
  }[] = [];
  for (const student of students) {
    const levels = await studentMastery(ctx, student.id, checkupShown);
    const schedule = await scheduleOf(ctx, student.id);
    const runs = await scenarioRunsOf(ctx.store, student.id);
    const scenarios = scenarioSummaries(ctx, runs);
    rows.push({
      student,
      levels,
      boosters: { due: schedule.due.length, done: schedule.due.filter((booster) => booster.done).length, list: presentBoosterList(ctx, schedule.due) },
      scenarios,
    });
  }
  const intervals = await classIntervals(ctx.store, record.id);
  const techniques = TECHNIQUES.map((technique) => {
    const levels = rows.map((row) => row.levels.find((level) => level.id === technique.id)!.level);
    return { id: technique.id, name: technique.name, classLevel: classLevel(levels), levels };
  });
  const revisit = toRevisit(techniques);
  return {
    rows,
    techniques: techniques.map(({ id, name, classLevel: level }) => ({ id, name, classLevel: level, revisit: revisit.includes(id) })),
    revisit: revisit.map((id) => ({ id, name: techniqueName(id) })),
    intervals,
    json: {
      students: rows.map((row) => ({
        id: row.student.id,
        displayName: row.student.displayName,
        techniques: Object.fromEntries(row.levels.map((level) => [level.id, level.level])),
        boosters: { due: row.boosters.due, done: row.boosters.done },
        scenarios: row.scenarios.map((scenario) => (scenario.finished ? { lessonId: scenario.lessonId, finished: true, kind: scenario.kind, endingId: scenario.endingId, path: scenario.path, spotted: scenario.spotted, steps: scenario.steps, finishedAt: scenario.finishedAt } : { lessonId: scenario.lessonId, finished: false })),
      })),
      techniques: techniques.map(({ id, name, classLevel: level }) => ({ id, name, classLevel: level })),
      revisit,
      intervals,
    },
  };
}

/** What a linked parent sees: the days their child practised again, and which chats they finished (never how). */
export async function childPractice(ctx: AppContext, studentId: string) {
  const lastByLesson = new Map<string, string>();
  for (const result of await boosterResultsOf(ctx.store, studentId)) lastByLesson.set(result.lessonId, result.at);
  const finished = new Map<string, string>();
  for (const run of await scenarioRunsOf(ctx.store, studentId)) if (run.finishedAt && !finished.has(run.lessonId)) finished.set(run.lessonId, run.finishedAt);
  const title = (lessonId: string) => ctx.catalog.lesson(lessonId)?.title ?? lessonId;
  return {
    practisedAgain: [...lastByLesson].map(([lessonId, at]) => ({ lessonId, title: title(lessonId), on: at.slice(0, 10) })),
    chats: [...finished].map(([lessonId, at]) => ({ lessonId, title: title(lessonId), finishedOn: at.slice(0, 10) })),
  };
}
