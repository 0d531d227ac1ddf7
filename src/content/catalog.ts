// Loads and validates every lesson and quiz once, at start-up. A broken file
// stops the server with a message naming the file and the field.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parseItemBank, type ItemBank } from '../checkups/bank.ts';
import path from 'node:path';
import matter from 'gray-matter';
import { renderMarkdown } from './markdown.ts';
import { cachedParse } from './parse-cache.ts';
import { renderCard } from './cards.ts';
import { loadPracticeContent, NO_PRACTICE, type PracticeContent } from '../practice/content.ts';
import { describeIssues, lessonFrontMatterSchema, parseYamlFile, quizSchema, type LessonFrontMatter, type Question } from './schema.ts';

export interface Lesson extends LessonFrontMatter {
  file: string;
  markdown: string;
  html: string;
}

export interface QuizQuestion extends Question {
  /** the question's example cards, rendered once */
  cardsHtml: string;
}

export interface Quiz {
  file: string;
  lessonId: string;
  passPercent: number;
  questions: QuizQuestion[];
}

export interface Catalog {
  lessons: Lesson[];
  /** the check-up item bank, when assessments/items.yaml exists */
  bank: ItemBank | null;
  lesson(id: string): Lesson | undefined;
  quiz(lessonId: string): Quiz | undefined;
  /** chat scenarios and booster pools (src/practice/content.ts) */
  practice: PracticeContent;
}

export class ContentError extends Error {}

const LESSON_FILE = /^(\d{2})-([a-z0-9-]+)\.md$/;
const QUIZ_FILE = /^(\d{2})-([a-z0-9-]+)\.ya?ml$/;

export function parseLesson(file: string, source: string): Lesson {
  let parsed: { data: Record<string, unknown>; content: string };
  try {
    parsed = cachedParse('front-matter', source, () => {
      const { data, content } = matter(source);
      return { data, content };
    });
  } catch (error) {
    throw new ContentError(`${file}: front matter is not valid YAML: ${(error as Error).message}`);
  }
  const result = lessonFrontMatterSchema.safeParse(parsed.data);
  if (!result.success) throw new ContentError(`${file}: ${describeIssues(result.error)}`);
  const name = path.basename(file).match(LESSON_FILE);
  if (name) {
    if (result.data.id !== name[2]) throw new ContentError(`${file}: id: must be "${name[2]}", the name of the file`);
    if (result.data.order !== Number(name[1])) throw new ContentError(`${file}: order: must be ${Number(name[1])}, the number of the file`);
  }
  return { ...result.data, file, markdown: parsed.content, html: renderMarkdown(parsed.content) };
}

export function parseQuiz(file: string, source: string): Quiz {
  const data = parseYamlFile(file, source, quizSchema, (message) => new ContentError(message));
  return {
    file,
    lessonId: data.lessonId,
    passPercent: data.passPercent,
    questions: data.questions.map((question) => ({
      ...question,
      cardsHtml: question.cards.map(renderCard).join(''),
    })),
  };
}

export function buildCatalog(lessons: Lesson[], quizzes: Quiz[], bank: ItemBank | null = null): Catalog {
  const byId = new Map<string, Lesson>();
  for (const lesson of lessons) {
    const other = byId.get(lesson.id);
    if (other) throw new ContentError(`${lesson.file}: id: "${lesson.id}" is also used by ${other.file}`);
    byId.set(lesson.id, lesson);
  }
  const quizByLesson = new Map<string, Quiz>();
  for (const quiz of quizzes) {
    if (!byId.has(quiz.lessonId)) throw new ContentError(`${quiz.file}: lessonId: no lesson has the id "${quiz.lessonId}"`);
    const other = quizByLesson.get(quiz.lessonId);
    if (other) throw new ContentError(`${quiz.file}: lessonId: "${quiz.lessonId}" already has a quiz in ${other.file}`);
    quizByLesson.set(quiz.lessonId, quiz);
  }
  const sorted = [...lessons].sort((a, b) => a.order - b.order);
  return {
    lessons: sorted,
    bank,
    lesson: (id) => byId.get(id),
    quiz: (lessonId) => quizByLesson.get(lessonId),
    practice: NO_PRACTICE,
  };
}

/** Reads `lessons/` and `quizzes/` under `root`. */
export function loadCatalog(root: string): Catalog {
  const lessons = listFiles(path.join(root, 'lessons'), LESSON_FILE).map((file) =>
    parseLesson(path.relative(root, file), readFileSync(file, 'utf8')),
  );
  const quizzes = listFiles(path.join(root, 'quizzes'), QUIZ_FILE).map((file) =>
    parseQuiz(path.relative(root, file), readFileSync(file, 'utf8')),
  );
  const bankFile = path.join(root, 'assessments', 'items.yaml');
  const retiredFile = path.join(root, 'assessments', 'retired-items.yaml');
  const retired = existsSync(retiredFile) ? { file: path.relative(root, retiredFile), source: readFileSync(retiredFile, 'utf8') } : undefined;
  const bank = existsSync(bankFile) ? parseItemBank(path.relative(root, bankFile), readFileSync(bankFile, 'utf8'), retired) : null;
  const catalog = buildCatalog(lessons, quizzes, bank);
  return { ...catalog, practice: loadPracticeContent(root, new Set(catalog.lessons.map((lesson) => lesson.id))) };
}

function listFiles(folder: string, pattern: RegExp): string[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  return names.filter((name) => pattern.test(name)).sort().map((name) => path.join(folder, name));
}

export type { Question };
