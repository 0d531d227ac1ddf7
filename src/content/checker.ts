// The content checker behind `npm run check:content`: the safety, shape and
// readability rules of docs/content-format.md and the curriculum brief, run
// over lesson and quiz sources. Pure: it takes file names and source text and
// returns problems (`file:line: message`) and per-lesson stats. Reading the
// folders and printing is scripts/check-content.ts's job.
import path from 'node:path';
import rs from 'text-readability';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type YAMLError } from 'yaml';
import { isAllowedHref, isCardType, lexMarkdown } from './markdown.ts';
import { parseCardBlock } from './cards.ts';
import { lessonFrontMatterSchema, quizSchema } from './schema.ts';
import { parseLesson, parseQuiz } from './catalog.ts';
import { scanDeniedNames } from './deny-names.ts';
import { checkQuizValidity, tooOneSided, VALIDITY_RULES, type RawQuestion, type ValidityStats } from './quiz-validity.ts';

/** The numbers the rules use. */
export const RULES = {
  minLessons: 12,
  minWords: 700,
  maxGrade: 8,
  minMinutes: 15,
  maxMinutes: 20,
  minQuestions: 8,
  minPairs: 2,
  cardsPerPair: 2,
  /** lessons whose main real case (`case:`) is a movement other than IS */
  minOtherCases: 6,
} as const;

/** `case:` values that mean the so-called Islamic State. */
const IS_CASE = /^(?:is|isis|isil|daesh|islamic state|the islamic state|so-called islamic state)$/i;

export function isIsCase(value: string): boolean {
  return IS_CASE.test(value.trim());
}

/** Required level-2 headings of a lesson body, in this order; "Get help" is last. */
export const REQUIRED_HEADINGS = ['Spot it', 'What you can do', 'Talk about it', 'Get help'] as const;
const GET_HELP = 'Get help';
const HELP_HREF = '/help';
/** Sections the page adds itself from front matter. */
const PAGE_SECTIONS: Record<string, string> = { 'for parents': 'parentPrompt', sources: 'sources' };

const LESSON_FILE = /^(\d{2})-([a-z0-9-]+)\.md$/;
const QUIZ_FILE = /^(\d{2})-([a-z0-9-]+)\.ya?ml$/;
const DENY_LIST_NAME = 'content/deny-hosts.txt';

export interface Problem {
  file: string;
  /** 1-based */
  line: number;
  message: string;
}

export interface ContentFile {
  /** the name to report, e.g. `lessons/02-paradise-on-screen.md` */
  file: string;
  source: string;
}

export interface LessonStats {
  id: string;
  file: string;
  words: number;
  /** the lesson's `minutes` from front matter, null when missing or invalid */
  minutes: number | null;
  /** Flesch-Kincaid grade, one decimal */
  grade: number;
  questions: number;
  pairs: number;
  /** the lesson's `case:`, null when missing */
  case: string | null;
  /** the quiz's single-answer questions with 3+ options, and of those where the right option is the longest */
  longest: { right: number; of: number } | null;
}

export interface LessonCheck {
  file: string;
  /** the front matter id when it is a string, else null */
  id: string | null;
  idLine: number;
  minutes: number | null;
  words: number;
  grade: number;
  /** the `case:` front matter field, when it is a string */
  case: string | null;
  /** relative links to `/lessons/<id>`, checked against the catalog */
  lessonLinks: { id: string; line: number }[];
  problems: Problem[];
}

export interface QuizCheck {
  file: string;
  lessonId: string | null;
  lessonIdLine: number;
  questions: number;
  pairs: number;
  validity: ValidityStats | null;
  problems: Problem[];
}

export interface CheckInput {
  lessons: readonly ContentFile[];
  quizzes: readonly ContentFile[];
  /** host names from content/deny-hosts.txt (see parseDenyHosts) */
  denyHosts?: readonly string[];
  /** names from content/deny-names.txt (see parseDenyNames) */
  denyNames?: readonly string[];
  /** how to name the lessons folder in a "too few lessons" problem */
  lessonsFolder?: string;
}

export interface CheckReport {
  problems: Problem[];
  stats: LessonStats[];
}

// ---------------------------------------------------------------- deny list

/** One host per line; `#` starts a comment; `*.host` and `.host` mean the same as `host`. */
export function parseDenyHosts(text: string): string[] {
  const hosts = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const host = line
      .replace(/#.*$/, '')
      .trim()
      .toLowerCase()
      .replace(/^\*?\./, '')
      .replace(/\.$/, '');
    if (host) hosts.add(host);
  }
  return [...hosts];
}

/** The deny-listed host that `url` points to (the host itself or a subdomain), if any. */
export function deniedHost(url: string, denyHosts: readonly string[]): string | undefined {
  let host: string;
  try {
    host = new URL(/^www\./i.test(url) ? `http://${url}` : url).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return undefined;
  }
  if (!host) return undefined;
  return denyHosts.find((denied) => host === denied || host.endsWith(`.${denied}`));
}

function denyMessage(host: string): string {
  return `links to "${host}", a propaganda or file-dump host on the deny-list (${DENY_LIST_NAME})`;
}

const URL_IN_TEXT = /(?:\bhttps?:\/\/|\bwww\.)[^\s<>"'`)\]]+/gi;

/** Every http(s) or www. address written anywhere in the text (cards, code, front matter), by line. */
function scanDeniedUrls(file: string, text: string, denyHosts: readonly string[]): Problem[] {
  if (denyHosts.length === 0) return [];
  const problems: Problem[] = [];
  text.split('\n').forEach((lineText, index) => {
    for (const match of lineText.matchAll(URL_IN_TEXT)) {
      const host = deniedHost(match[0], denyHosts);
      if (host) problems.push({ file, line: index + 1, message: denyMessage(host) });
    }
  });
  return problems;
}

// ---------------------------------------------------------------- plain text and readability

/** The shape of marked tokens as this file walks them. */
interface LooseToken {
  type: string;
  raw?: string;
  text?: string;
  href?: string;
  lang?: string;
  depth?: number;
  tokens?: LooseToken[];
  items?: LooseToken[];
  header?: { tokens: LooseToken[] }[];
  rows?: { tokens: LooseToken[] }[][];
}

function lex(body: string): LooseToken[] {
  return lexMarkdown(body) as unknown as LooseToken[];
}

function inlineText(tokens: readonly LooseToken[] | undefined): string {
  if (!tokens) return '';
  return tokens
    .map((token) => {
      switch (token.type) {
        case 'html':
        case 'image':
          return '';
        case 'br':
          return ' ';
        case 'text':
          return token.tokens ? inlineText(token.tokens) : (token.text ?? '');
        default:
          return token.tokens ? inlineText(token.tokens) : (token.text ?? '');
      }
    })
    .join('');
}

function collectBlocks(tokens: readonly LooseToken[], blocks: string[]): void {
  const add = (text: string) => {
    const flat = text.replace(/\s+/g, ' ').trim();
    if (!flat) return;
    // Headings, list items and card lines often have no full stop; without one,
    // the readability formula would read them as one long sentence.
    blocks.push(/[.?!]['")\]\u2019\u201d]*$/.test(flat) ? flat : `${flat.replace(/[:;,]$/, '')}.`);
  };
  for (const token of tokens) {
    switch (token.type) {
      case 'heading':
      case 'paragraph':
        add(inlineText(token.tokens));
        break;
      case 'text':
        add(token.tokens ? inlineText(token.tokens) : (token.text ?? ''));
        break;
      case 'list':
        for (const item of token.items ?? []) collectBlocks(item.tokens ?? [], blocks);
        break;
      case 'blockquote':
        collectBlocks(token.tokens ?? [], blocks);
        break;
      case 'table':
        for (const cell of [...(token.header ?? []), ...(token.rows ?? []).flat()]) add(inlineText(cell.tokens));
        break;
      case 'code': {
        const lang = token.lang?.trim().split(/\s+/)[0];
        if (!isCardType(lang)) break; // code samples are not lesson prose
        const card = parseCardBlock(lang, token.text ?? ''); // drops the from:/label: header
        const parts = lang === 'chat' ? card.text.split('\n') : card.text.split(/\n\s*\n/);
        parts.forEach(add);
        break;
      }
      default:
        break; // html, space, hr, def
    }
  }
}

/** The lesson's readable text: headings, paragraphs, lists, tables and example-card text (without card headers). */
export function lessonPlainText(markdownBody: string): string {
  const blocks: string[] = [];
  collectBlocks(lex(markdownBody), blocks);
  return blocks.join('\n');
}

export function countWords(text: string): number {
  return text.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
}

export function readingGrade(text: string): number {
  if (!text.trim()) return 0;
  const grade = rs.fleschKincaidGrade(text);
  return Number.isFinite(grade) ? Math.round(grade * 10) / 10 : 0;
}

// ---------------------------------------------------------------- YAML positions

type PathKey = string | number;

/** Finds the line of a value in a YAML document from a path such as ['questions', 2, 'options', 0]. */
class YamlLines {
  constructor(
    private readonly contents: unknown,
    private readonly counter: LineCounter,
    /** lines before the YAML text (1 for front matter after its `---`) */
    private readonly lineOffset: number,
  ) {}

  /** The line of the field at `path` (its key), or of the nearest enclosing item that exists; line 1 for the whole file. */
  lineOf(path: readonly PathKey[]): number {
    let node: unknown = this.contents;
    let line = 1;
    for (let index = 0; index < path.length; index++) {
      const key = path[index];
      if (isMap(node)) {
        const pair = node.items.find((item) => (isScalar(item.key) ? item.key.value : item.key) === key);
        if (!pair) return line;
        line = this.nodeLine(pair.key) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        const item = node.items[key];
        if (item === undefined) return line;
        line = this.nodeLine(item) ?? line;
        node = item;
      } else {
        return line;
      }
    }
    return line;
  }

  private nodeLine(node: unknown): number | undefined {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (!range) return undefined;
    return Math.max(1, this.counter.linePos(range[0]).line) + this.lineOffset;
  }
}

function yamlErrorProblems(file: string, errors: readonly YAMLError[], lineOffset: number, what: string): Problem[] {
  return errors.map((error) => ({
    file,
    line: Math.max(1, error.linePos?.[0].line ?? 1) + lineOffset,
    message: `${what} is not valid YAML: ${error.message.split('\n')[0]}`,
  }));
}

interface IssueLike {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  keys?: readonly string[];
}

function valueAt(data: unknown, path: readonly PathKey[]): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PathKey, unknown>)[key];
  }
  return value;
}

function toPath(path: readonly PropertyKey[]): PathKey[] {
  return path.map((key) => (typeof key === 'number' ? key : String(key)));
}

/**
 * Turns schema issues into problems. `label` names a path for the reader;
 * `lineFor` may move an issue to a better line (a quiz points count problems at the question).
 */
function issueProblems(
  file: string,
  issues: readonly IssueLike[],
  data: unknown,
  lines: YamlLines,
  label: (path: readonly PathKey[]) => string,
  lineFor: (issue: IssueLike, path: PathKey[]) => PathKey[] = (_issue, path) => path,
): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const path = toPath(issue.path);
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      for (const key of issue.keys) {
        problems.push({ file, line: lines.lineOf([...path, key]), message: `${label([...path, key])}: unknown field` });
      }
      continue;
    }
    const missing = issue.code === 'invalid_type' && path.length > 0 && valueAt(data, path) === undefined;
    problems.push({
      file,
      line: lines.lineOf(lineFor(issue, path)),
      message: `${label(path)}: ${missing ? 'missing' : issue.message}`,
    });
  }
  return problems;
}

// ---------------------------------------------------------------- lessons

const FRONT_MATTER = /^---[ \t]*\n(?:([\s\S]*?)\n)?---[ \t]*(?:\n|$)/;

function normalise(source: string): string {
  return source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

function lineCount(text: string): number {
  return (text.match(/\n/g) ?? []).length;
}

function shorten(text: string, max = 40): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * Walks marked tokens with the offset of each in `scope` (its parent's raw
 * text). Marked keeps `raw` for most tokens; where the raw text was changed
 * (list items lose their indent) the first line is searched instead.
 */
function walkTokens(
  tokens: readonly LooseToken[],
  scope: string,
  scopeOffset: number,
  visit: (token: LooseToken, offset: number) => void,
  cursor = { pos: 0 },
): void {
  for (const token of tokens) {
    const raw = token.raw ?? '';
    let at = raw ? scope.indexOf(raw, cursor.pos) : -1;
    let childScope = raw;
    if (at >= 0) {
      cursor.pos = at + raw.length;
    } else {
      const first = raw
        .split('\n')
        .map((line) => line.trim())
        .find(Boolean);
      at = first ? scope.indexOf(first, cursor.pos) : -1;
      if (at >= 0 && first) {
        cursor.pos = at + first.length;
      } else {
        at = Math.min(cursor.pos, scope.length);
      }
      childScope = scope.slice(at);
    }
    const offset = scopeOffset + at;
    visit(token, offset);
    if (token.type === 'list') {
      walkTokens(token.items ?? [], childScope, offset, visit);
    } else if (token.type === 'table') {
      const cells = { pos: 0 };
      for (const cell of [...(token.header ?? []), ...(token.rows ?? []).flat()]) {
        walkTokens(cell.tokens, childScope, offset, visit, cells);
      }
    } else if (token.tokens) {
      walkTokens(token.tokens, childScope, offset, visit);
    }
  }
}

/** Checks one lesson file on its own (cross-file rules are in checkContent). */
export function checkLesson(file: string, source: string, denyHosts: readonly string[] = [], denyNames: readonly string[] = []): LessonCheck {
  const problems: Problem[] = [];
  const report = (line: number, message: string) => problems.push({ file, line, message });
  const text = normalise(source);
  const result: LessonCheck = { file, id: null, idLine: 1, minutes: null, words: 0, grade: 0, case: null, lessonLinks: [], problems };

  // Front matter
  const frontMatter = FRONT_MATTER.exec(text);
  let body = text;
  let bodyLine = 1;
  if (!frontMatter) {
    report(1, 'no front matter: a lesson starts with a --- block of fields (docs/content-format.md)');
  } else {
    body = text.slice(frontMatter[0].length);
    bodyLine = 1 + lineCount(frontMatter[0]);
    const counter = new LineCounter();
    const doc = parseDocument(frontMatter[1] ?? '', { lineCounter: counter });
    if (doc.errors.length) {
      problems.push(...yamlErrorProblems(file, doc.errors, 1, 'front matter'));
    } else {
      const data: unknown = doc.toJS();
      const lines = new YamlLines(doc.contents, counter, 1);
      const parsed = lessonFrontMatterSchema.safeParse(data);
      if (!parsed.success) {
        const label = (fieldPath: readonly PathKey[]) => (fieldPath.length ? fieldPath.join('.') : 'front matter');
        problems.push(...issueProblems(file, parsed.error.issues, data, lines, label));
      }
      const fields = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
      if (typeof fields.id === 'string') result.id = fields.id;
      result.idLine = lines.lineOf(['id']);
      if (typeof fields.case === 'string' && fields.case.trim()) {
        result.case = fields.case.trim();
      } else if (fields.case === undefined) {
        report(1, 'case: missing: name the movement of the lesson\'s main real case (for example "far right", "QAnon", "incel forums", "coercive networks", "IS")');
      }
      if (typeof fields.minutes === 'number') {
        result.minutes = fields.minutes;
        if (fields.minutes < RULES.minMinutes || fields.minutes > RULES.maxMinutes) {
          report(lines.lineOf(['minutes']), `minutes: ${fields.minutes} is outside ${RULES.minMinutes}-${RULES.maxMinutes}`);
        }
      }
      const name = LESSON_FILE.exec(path.basename(file));
      if (name) {
        if (typeof fields.id === 'string' && fields.id !== name[2]) {
          report(lines.lineOf(['id']), `id: must be "${name[2]}", the name of the file`);
        }
        if (typeof fields.order === 'number' && fields.order !== Number(name[1])) {
          report(lines.lineOf(['order']), `order: must be ${Number(name[1])}, the number of the file`);
        }
      }
    }
  }
  if (!LESSON_FILE.test(path.basename(file))) {
    report(1, 'file name must look like NN-slug.md (two digits, a dash, the lesson id); the server skips other names');
  }

  // Body
  const lineAt = (offset: number) => bodyLine + lineCount(body.slice(0, offset));
  const headings: { text: string; depth: number; line: number }[] = [];
  const links: { href: string; line: number }[] = [];
  const tokenDenied: Problem[] = [];
  walkTokens(lex(body), body, 0, (token, offset) => {
    const line = lineAt(offset);
    switch (token.type) {
      case 'heading':
        headings.push({ text: inlineText(token.tokens).trim(), depth: token.depth ?? 0, line });
        break;
      case 'html':
        report(line, `raw HTML "${shorten(token.raw ?? token.text ?? '')}": write Markdown instead (HTML is shown as text)`);
        break;
      case 'link':
      case 'image': {
        const href = (token.href ?? '').trim();
        const kind = token.type === 'image' ? 'image' : 'link';
        links.push({ href, line });
        if (!isAllowedHref(href)) {
          report(line, `${kind} "${shorten(href, 60)}" must be an https:// or relative address`);
        } else if (/^https?:/i.test(href)) {
          const host = deniedHost(href, denyHosts);
          if (host) tokenDenied.push({ file, line, message: denyMessage(host) });
        } else {
          const lessonLink = /^\/lessons\/([^/?#]+)\/?(?:[?#].*)?$/.exec(href);
          if (lessonLink) result.lessonLinks.push({ id: lessonLink[1], line });
        }
        break;
      }
      default:
        break;
    }
  });

  for (const heading of headings) {
    if (heading.depth === 1) {
      report(heading.line, `level-1 heading "# ${shorten(heading.text)}": headings start at ## (the page title is the only #)`);
    }
    const field = PAGE_SECTIONS[heading.text.toLowerCase()];
    if (field) {
      report(heading.line, `heading "${heading.text}": the page adds this section itself from the front matter field ${field}; remove it from the body`);
    }
  }
  const sections = headings.filter((heading) => heading.depth === 2);
  const lastLine = bodyLine + lineCount(body.replace(/\n+$/, ''));
  let previous: { text: string; line: number } | undefined;
  for (const required of REQUIRED_HEADINGS) {
    const found = sections.find((heading) => heading.text === required);
    if (!found) {
      report(
        required === GET_HELP ? lastLine : (previous?.line ?? bodyLine),
        required === GET_HELP
          ? `no "## ${GET_HELP}" heading: every lesson ends with where to get help`
          : `no "## ${required}" heading (required, in this order: ${REQUIRED_HEADINGS.map((text) => `## ${text}`).join(', ')})`,
      );
      continue;
    }
    if (previous && found.line < previous.line) {
      report(found.line, `"## ${required}" must come after "## ${previous.text}"`);
    }
    previous = found;
  }
  const getHelp = sections.find((heading) => heading.text === GET_HELP);
  if (getHelp) {
    const after = sections.find((heading) => heading.line > getHelp.line);
    if (after) report(after.line, `"## ${after.text}" comes after "## ${GET_HELP}", which must be the last section`);
    const end = after?.line ?? Infinity;
    if (!links.some((link) => link.href === HELP_HREF && link.line > getHelp.line && link.line < end)) {
      report(getHelp.line, `the "## ${GET_HELP}" section must link to the help page: [the help page](${HELP_HREF})`);
    }
  }

  // Deny-listed names and hosts anywhere in the file (links, cards, code, front matter).
  problems.push(...scanDeniedNames(file, text, denyNames));
  const scanned = scanDeniedUrls(file, text, denyHosts);
  problems.push(...scanned);
  for (const problem of tokenDenied) {
    if (!scanned.some((other) => other.message === problem.message)) problems.push(problem);
  }

  // Length and reading level
  const plain = lessonPlainText(body);
  result.words = countWords(plain);
  result.grade = readingGrade(plain);
  if (result.words < RULES.minWords) {
    report(1, `${result.words} words: a lesson needs at least ${RULES.minWords}`);
  }
  if (result.grade > RULES.maxGrade) {
    report(1, `Flesch-Kincaid grade ${result.grade.toFixed(1)} is above ${RULES.maxGrade}: use shorter sentences and plainer words`);
  }

  // Whatever the rules above miss, the server must still load the file.
  if (problems.length === 0) {
    try {
      parseLesson(file, source);
    } catch (error) {
      report(1, `the server cannot load this lesson: ${(error as Error).message}`);
    }
  }
  return result;
}

// ---------------------------------------------------------------- quizzes

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asQuestion(value: unknown): RawQuestion {
  return value && typeof value === 'object' ? (value as RawQuestion) : {};
}

/** Checks one quiz file on its own (the lesson it belongs to is checked in checkContent). */
export function checkQuiz(file: string, source: string, denyHosts: readonly string[] = [], denyNames: readonly string[] = []): QuizCheck {
  const problems: Problem[] = [];
  const report = (line: number, message: string) => problems.push({ file, line, message });
  const text = normalise(source);
  const result: QuizCheck = { file, lessonId: null, lessonIdLine: 1, questions: 0, pairs: 0, validity: null, problems };

  if (!QUIZ_FILE.test(path.basename(file))) {
    report(1, 'file name must look like NN-slug.yaml, the same NN-slug as its lesson; the server skips other names');
  }
  problems.push(...scanDeniedUrls(file, text, denyHosts));
  problems.push(...scanDeniedNames(file, text, denyNames));

  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  if (doc.errors.length) {
    problems.push(...yamlErrorProblems(file, doc.errors, 0, 'the quiz'));
    return result;
  }
  const data: unknown = doc.toJS();
  const lines = new YamlLines(doc.contents, counter, 0);
  const fields = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  const questions = asArray(fields.questions).map(asQuestion);
  const questionsLine = lines.lineOf(['questions']);

  const label = (fieldPath: readonly PathKey[]): string => {
    if (fieldPath[0] !== 'questions' || typeof fieldPath[1] !== 'number') return fieldPath.length ? fieldPath.join('.') : 'the quiz';
    const question = questions[fieldPath[1]] ?? {};
    const parts = [typeof question.id === 'string' ? `question "${question.id}"` : `question ${fieldPath[1] + 1}`];
    const rest = fieldPath.slice(2);
    if ((rest[0] === 'options' || rest[0] === 'cards') && typeof rest[1] === 'number') {
      const list = asArray(question[rest[0]]);
      const item = asQuestion(list[rest[1]]);
      parts.push(rest[0] === 'options' && typeof item.id === 'string' ? `option "${item.id}"` : `${rest[0].slice(0, -1)} ${rest[1] + 1}`);
      if (rest.length > 2) parts.push(rest.slice(2).join('.'));
    } else if (rest.length) {
      parts.push(rest.join('.'));
    }
    return parts.join(', ');
  };
  // Correct-answer counts are about the question as a whole: point at the question.
  const lineFor = (issue: IssueLike, fieldPath: PathKey[]): PathKey[] =>
    issue.code === 'custom' && fieldPath.length === 3 && fieldPath[0] === 'questions' && fieldPath[2] === 'options'
      ? fieldPath.slice(0, 2)
      : fieldPath;

  const issues: IssueLike[] = [];
  const parsed = quizSchema.safeParse(data);
  if (!parsed.success) issues.push(...parsed.error.issues);
  // zod skips refinements when a field of the same object failed, so these
  // rules are checked here too, unless the schema already reported them.
  const isQuestionIssue = (issue: IssueLike, index: number, message: RegExp) =>
    issue.code === 'custom' && issue.path[0] === 'questions' && issue.path[1] === index && message.test(issue.message);
  const seen = new Map<string, number>();
  questions.forEach((question, index) => {
    if (typeof question.id === 'string') {
      if (seen.has(question.id) && !issues.some((issue) => isQuestionIssue(issue, index, /duplicate question id/))) {
        issues.push({ code: 'custom', path: ['questions', index, 'id'], message: `duplicate question id "${question.id}"` });
      }
      if (!seen.has(question.id)) seen.set(question.id, index);
    }
    const options = asArray(question.options).map(asQuestion);
    const correct = options.filter((option) => (option as { correct?: unknown }).correct === true).length;
    if (!issues.some((issue) => isQuestionIssue(issue, index, /correct option/))) {
      if (question.kind === 'single' && correct !== 1) {
        issues.push({ code: 'custom', path: ['questions', index, 'options'], message: `a single-choice question needs exactly one correct option, found ${correct}` });
      }
      if (question.kind === 'multiple' && correct < 1) {
        issues.push({ code: 'custom', path: ['questions', index, 'options'], message: 'a multiple-choice question needs at least one correct option' });
      }
    }
  });
  problems.push(...issueProblems(file, issues, data, lines, label, lineFor));

  if (typeof fields.lessonId === 'string') result.lessonId = fields.lessonId;
  result.lessonIdLine = lines.lineOf(['lessonId']);
  result.questions = questions.length;
  if (Array.isArray(fields.questions) && questions.length < RULES.minQuestions) {
    report(questionsLine, `${questions.length} questions: a quiz needs at least ${RULES.minQuestions}`);
  }

  // Matched pairs: questions sharing a pair id hold exactly two cards in all.
  const pairs = new Map<string, { cards: number; first: number }>();
  questions.forEach((question, index) => {
    if (typeof question.pair !== 'string') return;
    const pair = pairs.get(question.pair) ?? { cards: 0, first: index };
    pair.cards += asArray(question.cards).length;
    pairs.set(question.pair, pair);
  });
  for (const [id, pair] of pairs) {
    if (pair.cards === RULES.cardsPerPair) {
      result.pairs += 1;
    } else {
      report(
        lines.lineOf(['questions', pair.first, 'pair']),
        `pair "${id}": its questions hold ${pair.cards} card${pair.cards === 1 ? '' : 's'} in all; a matched pair needs exactly ${RULES.cardsPerPair} (the post and its neutral twin)`,
      );
    }
  }
  if (Array.isArray(fields.questions) && result.pairs < RULES.minPairs) {
    report(questionsLine, `${result.pairs} matched pair${result.pairs === 1 ? '' : 's'}: a quiz needs at least ${RULES.minPairs}`);
  }

  // Validity: no answer from option length, card position, pair order or ids.
  const validity = checkQuizValidity(data, (fieldPath) => lines.lineOf(fieldPath));
  result.validity = validity.stats;
  for (const problem of validity.problems) report(problem.line, problem.message);

  if (problems.length === 0) {
    try {
      parseQuiz(file, source);
    } catch (error) {
      report(1, `the server cannot load this quiz: ${(error as Error).message}`);
    }
  }
  return result;
}

/**
 * The quiz validity rules alone (quiz-validity.ts), for other files in the
 * quiz format, such as the booster pool: longest option, card position,
 * adjacent pairs, answer words in ids. Their own shape is checked elsewhere.
 */
export function checkQuizFormatValidity(file: string, source: string): Problem[] {
  const counter = new LineCounter();
  const doc = parseDocument(normalise(source), { lineCounter: counter });
  if (doc.errors.length) return yamlErrorProblems(file, doc.errors, 0, 'the file');
  const lines = new YamlLines(doc.contents, counter, 0);
  return checkQuizValidity(doc.toJS(), (fieldPath) => lines.lineOf(fieldPath)).problems.map((problem) => ({ file, ...problem }));
}

// ---------------------------------------------------------------- the whole course

function byFileAndLine(a: Problem, b: Problem): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line;
}

function dedupe(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.file}\n${problem.line}\n${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Checks every lesson and quiz, then the rules that span files. */
export function checkContent(input: CheckInput): CheckReport {
  const denyHosts = input.denyHosts ?? [];
  const denyNames = input.denyNames ?? [];
  const lessons = input.lessons.map((lesson) => checkLesson(lesson.file, lesson.source, denyHosts, denyNames));
  const quizzes = input.quizzes.map((quiz) => checkQuiz(quiz.file, quiz.source, denyHosts, denyNames));
  const problems: Problem[] = [...lessons.flatMap((lesson) => lesson.problems), ...quizzes.flatMap((quiz) => quiz.problems)];

  if (lessons.length < RULES.minLessons) {
    problems.push({
      file: input.lessonsFolder ?? 'lessons',
      line: 1,
      message: `${lessons.length} lesson${lessons.length === 1 ? '' : 's'}: the course needs at least ${RULES.minLessons}`,
    });
  }

  const lessonById = new Map<string, LessonCheck>();
  for (const lesson of lessons) {
    if (lesson.id === null) continue;
    const other = lessonById.get(lesson.id);
    if (other) {
      problems.push({ file: lesson.file, line: lesson.idLine, message: `id: "${lesson.id}" is also used by ${other.file}` });
    } else {
      lessonById.set(lesson.id, lesson);
    }
  }

  const quizByLesson = new Map<string, QuizCheck>();
  for (const quiz of quizzes) {
    if (quiz.lessonId === null) continue;
    const lesson = lessonById.get(quiz.lessonId);
    if (!lesson) {
      problems.push({ file: quiz.file, line: quiz.lessonIdLine, message: `lessonId: no lesson has the id "${quiz.lessonId}"` });
      continue;
    }
    const other = quizByLesson.get(quiz.lessonId);
    if (other) {
      problems.push({ file: quiz.file, line: quiz.lessonIdLine, message: `lessonId: "${quiz.lessonId}" already has a quiz in ${other.file}` });
      continue;
    }
    quizByLesson.set(quiz.lessonId, quiz);
    const lessonName = path.basename(lesson.file).replace(/\.md$/, '');
    const quizName = path.basename(quiz.file).replace(/\.ya?ml$/, '');
    if (LESSON_FILE.test(path.basename(lesson.file)) && QUIZ_FILE.test(path.basename(quiz.file)) && lessonName !== quizName) {
      problems.push({ file: quiz.file, line: quiz.lessonIdLine, message: `file name must be ${lessonName}.yaml, the same NN-slug as its lesson ${lesson.file}` });
    }
  }

  for (const lesson of lessons) {
    if (lesson.id !== null && lessonById.get(lesson.id) === lesson && !quizByLesson.has(lesson.id)) {
      problems.push({ file: lesson.file, line: 1, message: `no quiz: add a quiz file with "lessonId: ${lesson.id}"` });
    }
    for (const link of lesson.lessonLinks) {
      if (!lessonById.has(link.id)) {
        problems.push({ file: lesson.file, line: link.line, message: `link to /lessons/${link.id}: no lesson has the id "${link.id}"` });
      }
    }
  }

  // One face of extremism is not enough: most lessons' main case is another movement.
  const otherCases = lessons.filter((lesson) => lesson.case !== null && !isIsCase(lesson.case));
  if (lessons.length >= RULES.minLessons && otherCases.length < RULES.minOtherCases) {
    problems.push({
      file: input.lessonsFolder ?? 'lessons',
      line: 1,
      message: `${otherCases.length} lesson${otherCases.length === 1 ? ' has' : 's have'} a main case (case:) other than IS: at least ${RULES.minOtherCases} must (far right, conspiracy movements, incel forums, coercive networks ...)`,
    });
  }

  // Across the course, the manipulative card is first about half the time.
  const first = quizzes.reduce((sum, quiz) => sum + (quiz.validity?.cards.first ?? 0), 0);
  const second = quizzes.reduce((sum, quiz) => sum + (quiz.validity?.cards.second ?? 0), 0);
  if (tooOneSided(Math.max(first, second), first + second, VALIDITY_RULES.maxCardPosition)) {
    problems.push({
      file: 'quizzes',
      line: 1,
      message: `across the course the manipulative card is ${first > second ? 'first' : 'second'} in ${Math.max(first, second)} of ${first + second} two-card questions: balance the card positions`,
    });
  }

  const stats: LessonStats[] = lessons.map((lesson) => {
    const quiz = lesson.id !== null && lessonById.get(lesson.id) === lesson ? quizByLesson.get(lesson.id) : undefined;
    return {
      id: lesson.id ?? path.basename(lesson.file),
      file: lesson.file,
      words: lesson.words,
      minutes: lesson.minutes,
      grade: lesson.grade,
      questions: quiz?.questions ?? 0,
      pairs: quiz?.pairs ?? 0,
      case: lesson.case,
      longest: quiz?.validity ? { right: quiz.validity.longestRight, of: quiz.validity.longestEligible } : null,
    };
  });

  return { problems: dedupe(problems).sort(byFileAndLine), stats };
}

// ---------------------------------------------------------------- output

/** "lesson | case | words | minutes | grade | questions | pairs | longest right", aligned. */
export function formatStatsTable(stats: readonly LessonStats[]): string {
  const header = ['lesson', 'case', 'words', 'minutes', 'grade', 'questions', 'pairs', 'longest right'];
  const rows = stats.map((row) => [
    row.id,
    row.case ?? '-',
    String(row.words),
    row.minutes === null ? '-' : String(row.minutes),
    row.grade.toFixed(1),
    String(row.questions),
    String(row.pairs),
    row.longest && row.longest.of > 0 ? `${row.longest.right}/${row.longest.of}` : '-',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const format = (cells: string[]) =>
    cells.map((cell, column) => (column <= 1 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ');
  return [format(header), widths.map((width) => '-'.repeat(width)).join('-|-'), ...rows.map(format)].join('\n');
}

export function formatProblem(problem: Problem): string {
  return `${problem.file}:${problem.line}: ${problem.message}`;
}
