// Checks the practice content: chat scenarios (scenarios/NN-slug.yaml) and
// booster pools (boosters/NN-slug.yaml), by the rules of the practice formats
// (PRACTICE-FORMAT.md) and the quiz validity rules (QUIZ-RULES.md). Pure: it
// takes file names and source text and returns problems with line numbers;
// scripts/check-content.ts reads the folders and prints them.
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { boosterPoolSchema, parseBoosterPool, parseScenario, scenarioSchema, BOOSTER_SET_SIZE, BOOSTER_SETS } from '../practice/content.ts';
import { analyseScenario } from '../practice/scenario.ts';
import { TECHNIQUE_IDS } from '../practice/techniques.ts';
import { checkQuizFormatValidity, countWords, deniedHost, readingGrade, type Problem } from './checker.ts';
import { answerWordIn } from './quiz-validity.ts';

export const PRACTICE_RULES = {
  minLongestPath: 6,
  maxLongestPath: 10,
  maxMessageWords: 40,
  maxGrade: 8,
  /** freshness: no run of this many words in common with the lesson, its quiz or the check-up bank */
  copiedRun: 8,
  pairsPerSet: 2,
  singlesPerSet: 2,
} as const;

/** QUIZ-RULES 2 (the other rules are quiz-validity.ts's, shared with the quizzes) */
export const ABSOLUTE_WORDS = ['only', 'always', 'never', 'all', 'every', 'nobody', 'everyone', 'everybody', 'nothing', 'none', 'everything'];

const FILE = /^(\d{2})-([a-z0-9-]+)\.ya?ml$/;
const URL_LIKE = /\bhttps?:\/\/\S+|\bwww\.\S+|\b[a-z0-9-]+\.(?:com|org|net|io|me|ly|gg|tv|info|ru|app|xyz)\b\S*/gi;
const HTML_LIKE = /<\/?[a-z][^>]*>/i;

export interface PracticeCheckOptions {
  /** the lesson ids of the course; a file for another id is a problem */
  lessonIds?: ReadonlySet<string>;
  /** host names from content/deny-hosts.txt (deny-listed names are scanned by deny-names.ts for every folder) */
  denyHosts?: readonly string[];
}

type PathKey = string | number;

/** Finds the line of a value from its path in the YAML document, or of its nearest existing parent. */
function lineFinder(doc: Document, counter: LineCounter) {
  return (fieldPath: readonly PathKey[]): number => {
    for (let length = fieldPath.length; length >= 0; length--) {
      const node = doc.getIn(fieldPath.slice(0, length), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return counter.linePos(node.range[0]).line;
    }
    return 1;
  };
}

function parse(file: string, source: string) {
  const counter = new LineCounter();
  const doc = parseDocument(source, { lineCounter: counter });
  const lineOf = lineFinder(doc, counter);
  if (doc.errors.length) {
    const error = doc.errors[0];
    return { data: null, lineOf, problems: [{ file, line: counter.linePos(error.pos[0]).line, message: `not valid YAML: ${error.message.split('\n')[0]}` }] };
  }
  return { data: doc.toJS() as unknown, lineOf, problems: [] as Problem[] };
}

function schemaProblems(file: string, error: z.ZodError, lineOf: (path: readonly PathKey[]) => number): Problem[] {
  return error.issues.map((issue) => {
    const fieldPath = issue.path.filter((key): key is PathKey => typeof key === 'string' || typeof key === 'number');
    return { file, line: lineOf(fieldPath), message: `${fieldPath.length ? fieldPath.join('.') : '(file)'}: ${issue.message}` };
  });
}

function fileNameProblems(file: string, lessonId: unknown, options: PracticeCheckOptions, what: string): Problem[] {
  const name = path.basename(file).match(FILE);
  if (!name) return [{ file, line: 1, message: `file name must look like NN-slug.yaml, the same NN-slug as its lesson; the server skips other names` }];
  const problems: Problem[] = [];
  if (typeof lessonId === 'string' && lessonId !== name[2]) problems.push({ file, line: 1, message: `lessonId: must be "${name[2]}", the name of the file` });
  if (typeof lessonId === 'string' && options.lessonIds && !options.lessonIds.has(lessonId)) problems.push({ file, line: 1, message: `lessonId: no lesson has the id "${lessonId}", so this ${what} would never be shown` });
  return problems;
}

/** Links, raw HTML and deny-listed hosts in one piece of text. */
function textProblems(file: string, line: number, where: string, text: string, options: PracticeCheckOptions): Problem[] {
  const problems: Problem[] = [];
  if (HTML_LIKE.test(text)) problems.push({ file, line, message: `${where}: raw HTML is not allowed` });
  for (const match of text.matchAll(URL_LIKE)) {
    const address = match[0];
    const denied = deniedHost(/^https?:/i.test(address) ? address : `http://${address}`, options.denyHosts ?? []);
    problems.push({ file, line, message: `${where}: ${denied ? `links to "${denied}", a host on the deny-list (content/deny-hosts.txt)` : 'practice content must not contain links or web addresses'}` });
  }
  return problems;
}

function idProblems(file: string, line: number, where: string, id: unknown): Problem[] {
  if (typeof id !== 'string') return [];
  const word = answerWordIn(id);
  return word ? [{ file, line, message: `${where}: the id "${id}" gives the answer away ("${word}"); use plain ids like c1 or q4` }] : [];
}

/** Reading grade of short pieces of text, each read as a sentence. */
function gradeOf(texts: readonly string[]): number {
  return readingGrade(texts.map((text) => (/[.!?]\s*$/.test(text.trim()) ? text.trim() : `${text.trim()}.`)).join('\n'));
}

// ---------------------------------------------------------------- scenarios

export interface ScenarioStats {
  file: string;
  nodes: number;
  longestPath: number;
  endings: { safe: number; pulledIn: number };
  grade: number;
}

export function checkScenario(file: string, source: string, options: PracticeCheckOptions = {}): { problems: Problem[]; stats: ScenarioStats | null } {
  const { data, lineOf, problems } = parse(file, source);
  if (!data) return { problems, stats: null };
  const raw = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  problems.push(...fileNameProblems(file, raw.lessonId, options, 'scenario'));
  const parsed = scenarioSchema.safeParse(data);
  if (!parsed.success) {
    problems.push(...schemaProblems(file, parsed.error, lineOf));
    return { problems, stats: null };
  }
  const scenario = parsed.data;
  const nodeLine = (id: string) => lineOf(['nodes', id]);

  const graph = analyseScenario(scenario);
  for (const id of graph.unreachable) {
    const kind = scenario.nodes[id] ? 'node' : 'ending';
    problems.push({ file, line: lineOf([kind === 'node' ? 'nodes' : 'endings', id]), message: `${kind} "${id}" cannot be reached from start ("${scenario.start}")` });
  }
  for (const cycle of graph.cycles) {
    problems.push({ file, line: nodeLine(cycle[0]), message: `the chat goes round in a circle (${cycle.join(' -> ')}): every path must end` });
  }
  if (graph.longestPath < PRACTICE_RULES.minLongestPath || graph.longestPath > PRACTICE_RULES.maxLongestPath) {
    problems.push({ file, line: lineOf(['nodes']), message: `the longest path from start to an ending has ${graph.longestPath} steps; it needs ${PRACTICE_RULES.minLongestPath} to ${PRACTICE_RULES.maxLongestPath}` });
  }
  const kinds = Object.values(scenario.endings).map((ending) => ending.kind);
  const endings = { safe: kinds.filter((kind) => kind === 'safe').length, pulledIn: kinds.filter((kind) => kind === 'pulled-in').length };
  if (!endings.safe) problems.push({ file, line: lineOf(['endings']), message: 'needs at least one ending of kind "safe" (the student steps away or tells someone)' });
  if (!endings.pulledIn) problems.push({ file, line: lineOf(['endings']), message: 'needs at least one ending of kind "pulled-in" (the student is pulled further in)' });

  const texts: string[] = [scenario.intro];
  problems.push(...textProblems(file, lineOf(['intro']), 'intro', scenario.intro, options));
  problems.push(...textProblems(file, lineOf(['title']), 'title', scenario.title, options));
  problems.push(...textProblems(file, lineOf(['contact']), 'contact', `${scenario.contact.name} ${scenario.contact.about}`, options));
  for (const [nodeId, node] of Object.entries(scenario.nodes)) {
    node.messages.forEach((message, index) => {
      const line = lineOf(['nodes', nodeId, 'messages', index, 'text']);
      const words = countWords(message.text);
      if (words > PRACTICE_RULES.maxMessageWords) problems.push({ file, line, message: `node "${nodeId}", message ${index + 1}: ${words} words; keep a message under ${PRACTICE_RULES.maxMessageWords}` });
      problems.push(...textProblems(file, line, `node "${nodeId}", message ${index + 1}`, message.text, options));
      texts.push(message.text);
    });
    problems.push(...textProblems(file, lineOf(['nodes', nodeId, 'explain']), `node "${nodeId}" explain`, node.explain, options));
    texts.push(node.explain);
    node.choices.forEach((choice, index) => {
      const line = lineOf(['nodes', nodeId, 'choices', index]);
      problems.push(...idProblems(file, line, `node "${nodeId}", choice ${index + 1}`, choice.id));
      problems.push(...textProblems(file, line, `choice "${choice.id}"`, `${choice.text}\n${choice.why}`, options));
      texts.push(choice.text, choice.why);
    });
    if (!node.choices.some((choice) => choice.spotted) || node.choices.every((choice) => choice.spotted)) {
      problems.push({ file, line: nodeLine(nodeId), message: `node "${nodeId}": give at least one reply that spots the technique and one that does not` });
    }
  }
  for (const [endingId, ending] of Object.entries(scenario.endings)) {
    problems.push(...textProblems(file, lineOf(['endings', endingId]), `ending "${endingId}"`, `${ending.title}\n${ending.text}`, options));
    texts.push(ending.title, ending.text);
  }
  const grade = gradeOf(texts);
  if (grade > PRACTICE_RULES.maxGrade) problems.push({ file, line: 1, message: `reading grade ${grade} is above ${PRACTICE_RULES.maxGrade}: use shorter sentences and plainer words` });

  if (problems.length === 0) {
    try {
      parseScenario(file, source);
    } catch (error) {
      problems.push({ file, line: 1, message: `the server cannot load this scenario: ${(error as Error).message}` });
    }
  }
  return { problems, stats: { file, nodes: Object.keys(scenario.nodes).length, longestPath: graph.longestPath, endings, grade } };
}

// ---------------------------------------------------------------- booster pools

export interface BoosterStats {
  file: string;
  questions: number;
  pairs: number;
}

interface RawOption {
  id?: unknown;
  text?: unknown;
  correct?: unknown;
}
interface RawQuestion {
  id?: unknown;
  kind?: unknown;
  pair?: unknown;
  cards?: { text?: unknown; manipulative?: unknown }[];
  options?: RawOption[];
  prompt?: unknown;
  explanation?: unknown;
}

const words = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];

/** Runs of `n` words, for spotting copied text. */
export function wordRuns(text: string, n: number = PRACTICE_RULES.copiedRun): Set<string> {
  const list = words(text);
  const runs = new Set<string>();
  for (let i = 0; i + n <= list.length; i++) runs.add(list.slice(i, i + n).join(' '));
  return runs;
}

/**
 * QUIZ-RULES 2: words like only/always/never must not be a tell reserved for
 * wrong options. Fails when at least two wrong options use one and wrong
 * options use them more than twice as often as right ones.
 */
export function absolutesProblem(file: string, questions: readonly RawQuestion[], line: number): Problem | null {
  const hasAbsolute = (option: RawOption) => words(String(option.text ?? '')).some((word) => ABSOLUTE_WORDS.includes(word));
  const options = questions.flatMap((question) => question.options ?? []);
  const right = options.filter((option) => option.correct === true);
  const wrong = options.filter((option) => option.correct !== true);
  const rightShare = right.length ? right.filter(hasAbsolute).length / right.length : 0;
  const wrongWith = wrong.filter(hasAbsolute).length;
  if (wrongWith < 2 || wrongWith / wrong.length <= 2 * rightShare) return null;
  return { file, line, message: `${wrongWith} wrong options use words like only/always/never/all/every/nobody/everyone, but right options ${rightShare ? 'rarely do' : 'never do'}: the word gives the answer away (QUIZ-RULES 2)` };
}

export interface FreshnessSource {
  /** what the text is, for the message: "lessons/07-fake-volume.md" */
  name: string;
  text: string;
}

export function checkBoosterPool(file: string, source: string, options: PracticeCheckOptions & { notCopiedFrom?: readonly FreshnessSource[] } = {}): { problems: Problem[]; stats: BoosterStats | null } {
  const { data, lineOf, problems } = parse(file, source);
  if (!data) return { problems, stats: null };
  const raw = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  problems.push(...fileNameProblems(file, raw.lessonId, options, 'booster pool'));
  const questions = (Array.isArray(raw.questions) ? raw.questions : []).map((question) => (question && typeof question === 'object' ? question : {}) as RawQuestion);
  const parsed = boosterPoolSchema.safeParse(data);
  if (!parsed.success) problems.push(...schemaProblems(file, parsed.error, lineOf));
  const ids = questions.map((question) => question.id);
  ids.forEach((id, index) => {
    if (typeof id === 'string' && ids.indexOf(id) !== index) problems.push({ file, line: lineOf(['questions', index, 'id']), message: `duplicate question id "${id}"` });
  });

  // Two sets of six: each with two matched pairs (two questions, two cards in all, both in the set) and two single items.
  let pairs = 0;
  for (let set = 0; set < BOOSTER_SETS; set++) {
    const start = set * BOOSTER_SET_SIZE;
    const inSet = questions.slice(start, start + BOOSTER_SET_SIZE);
    if (!inSet.length) continue;
    const byPair = new Map<string, number[]>();
    inSet.forEach((question, offset) => {
      if (typeof question.pair === 'string') byPair.set(question.pair, [...(byPair.get(question.pair) ?? []), start + offset]);
    });
    for (const [pair, members] of byPair) {
      const cards = members.reduce((sum, index) => sum + (questions[index].cards ?? []).length, 0);
      const elsewhere = questions.findIndex((question, index) => question.pair === pair && (index < start || index >= start + BOOSTER_SET_SIZE));
      if (members.length !== 2 || cards !== 2) {
        problems.push({ file, line: lineOf(['questions', members[0], 'pair']), message: `pair "${pair}" in set ${set + 1}: a matched pair is two questions with one card each (the post and its neutral twin); found ${members.length} question${members.length === 1 ? '' : 's'} with ${cards} card${cards === 1 ? '' : 's'}` });
      } else pairs += 1;
      if (elsewhere >= 0) problems.push({ file, line: lineOf(['questions', elsewhere, 'pair']), message: `pair "${pair}" is split across the two sets; keep both halves in one set` });
    }
    const singles = inSet.filter((question) => typeof question.pair !== 'string').length;
    if (byPair.size !== PRACTICE_RULES.pairsPerSet || singles !== PRACTICE_RULES.singlesPerSet) {
      problems.push({ file, line: lineOf(['questions', start]), message: `set ${set + 1} (questions ${start + 1}-${start + BOOSTER_SET_SIZE}) needs ${PRACTICE_RULES.pairsPerSet} matched pairs and ${PRACTICE_RULES.singlesPerSet} single items; found ${byPair.size} pair${byPair.size === 1 ? '' : 's'} and ${singles} single${singles === 1 ? '' : 's'}` });
    }
  }

  // The quiz validity rules (QUIZ-RULES 1, 3, 4, 5) as the quizzes have them, and 2 here.
  problems.push(...checkQuizFormatValidity(file, source));
  const absolutes = absolutesProblem(file, questions, lineOf(['questions']));
  if (absolutes) problems.push(absolutes);

  // Every student-facing text: no links, HTML or deny-listed words; and fresh.
  const theirRuns = (options.notCopiedFrom ?? []).map((other) => ({ name: other.name, runs: wordRuns(other.text) }));
  questions.forEach((question, index) => {
    const texts = [question.prompt, question.explanation, ...(question.cards ?? []).map((card) => card.text), ...(question.options ?? []).map((option) => option.text)].filter((text): text is string => typeof text === 'string');
    const line = lineOf(['questions', index]);
    for (const text of texts) problems.push(...textProblems(file, line, `question ${index + 1}`, text, options));
    for (const text of texts) {
      const runs = wordRuns(text);
      const copied = theirRuns.find((other) => [...runs].some((run) => other.runs.has(run)));
      if (copied) {
        const run = [...runs].find((candidate) => copied.runs.has(candidate));
        problems.push({ file, line, message: `question ${index + 1} shares the words "${run}" with ${copied.name}: booster items must be fresh` });
        break;
      }
    }
  });

  if (problems.length === 0) {
    try {
      parseBoosterPool(file, source);
    } catch (error) {
      problems.push({ file, line: 1, message: `the server cannot load this booster pool: ${(error as Error).message}` });
    }
  }
  return { problems, stats: { file, questions: questions.length, pairs } };
}

/** `technique:` on quiz questions must be one of the ten keys (mastery counts it). */
export function checkQuizTechniques(file: string, source: string): Problem[] {
  const { data, lineOf } = parse(file, source);
  const questions = data && typeof data === 'object' && Array.isArray((data as { questions?: unknown }).questions) ? ((data as { questions: unknown[] }).questions as Record<string, unknown>[]) : [];
  return questions.flatMap((question, index) =>
    question && typeof question === 'object' && question.technique !== undefined && !TECHNIQUE_IDS.includes(String(question.technique))
      ? [{ file, line: lineOf(['questions', index, 'technique']), message: `question ${index + 1}: technique "${String(question.technique)}" is not one of ${TECHNIQUE_IDS.join(', ')}` }]
      : [],
  );
}

// ---------------------------------------------------------------- the whole folder

export interface PracticeInput {
  scenarios: readonly { file: string; source: string }[];
  boosters: readonly { file: string; source: string }[];
  /** lessons/*.md and quizzes/*.yaml: lesson ids, and the texts boosters must not copy */
  lessons: readonly { file: string; source: string }[];
  quizzes: readonly { file: string; source: string }[];
  /** assessments/items.yaml, when there is one */
  bank?: { file: string; source: string } | null;
  denyHosts?: readonly string[];
}

export function checkPracticeContent(input: PracticeInput) {
  const slugOf = (file: string) => path.basename(file).match(/^\d{2}-([a-z0-9-]+)\./)?.[1] ?? null;
  const lessonIds = new Set(input.lessons.map((lesson) => slugOf(lesson.file)).filter((id): id is string => id !== null));
  const options = { lessonIds, denyHosts: input.denyHosts };
  const scenarios = input.scenarios.map((file) => {
    const check = checkScenario(file.file, file.source, options);
    // Every ending is followed by the lesson's help section: the lesson must have one.
    const lesson = input.lessons.find((candidate) => slugOf(candidate.file) === slugOf(file.file));
    if (lesson && !/^##\s+Get help\s*$/m.test(lesson.source)) {
      check.problems.push({ file: file.file, line: 1, message: `its lesson (${lesson.file}) has no "## Get help" section to show after the ending` });
    }
    return check;
  });
  const boosters = input.boosters.map((file) => {
    const lessonId = slugOf(file.file);
    const notCopiedFrom = [
      ...[...input.lessons, ...input.quizzes].filter((other) => slugOf(other.file) === lessonId),
      ...(input.bank ? [input.bank] : []),
    ].map((other) => ({ name: other.file, text: other.source }));
    return checkBoosterPool(file.file, file.source, { ...options, notCopiedFrom });
  });
  const problems = [
    ...scenarios.flatMap((check) => check.problems),
    ...boosters.flatMap((check) => check.problems),
    ...input.quizzes.flatMap((quiz) => checkQuizTechniques(quiz.file, quiz.source)),
  ];
  const summary = `Practice: ${scenarios.length} chat scenario${scenarios.length === 1 ? '' : 's'}${scenarios.length ? ` (longest paths ${scenarios.map((check) => check.stats?.longestPath ?? '?').join(', ')})` : ''}, ${boosters.length} booster pool${boosters.length === 1 ? '' : 's'}`;
  return { problems, summary, scenarios, boosters };
}
