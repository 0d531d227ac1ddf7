// npm run check:content [folder]
// Checks the course content under the folder (default: this repository):
// lessons/ and quizzes/ with src/content/checker.ts, the check-up item bank
// with src/content/bank-checker.ts, and deny-listed names in every folder of
// student text. Prints each check's summary, then each problem as
// `file:line: message`. Exits 1 when there is any problem.
//
// To add a check, append to CHECKS below: a function that gets the shared
// inputs and returns its problems and, optionally, lines to print.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkContent, checkQuizFormatValidity, formatProblem, formatStatsTable, parseDenyHosts, type ContentFile, type Problem } from '../src/content/checker.ts';
import { checkItemBank } from '../src/content/bank-checker.ts';
import { DENY_NAMES_FILE, parseDenyNames, scanDeniedNames } from '../src/content/deny-names.ts';
import { formatCueTable } from '../src/content/surface-cues.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const root = path.resolve(process.argv[2] ?? repoRoot);

/** What every check receives. */
export interface CheckInputs {
  root: string;
  lessons: ContentFile[];
  quizzes: ContentFile[];
  denyHosts: string[];
  denyNames: string[];
  /** the files of a folder under the root whose names match; with `recursive`, its subfolders' too */
  readFolder(folder: string, pattern: RegExp, recursive?: boolean): ContentFile[];
}

export interface CheckOutput {
  problems: Problem[];
  /** printed before the problems, e.g. a table */
  summary?: string;
}

function readFolder(folder: string, pattern: RegExp, recursive = false): ContentFile[] {
  const full = path.join(root, folder);
  if (!existsSync(full)) return [];
  const files: ContentFile[] = [];
  const walk = (relative: string) => {
    for (const name of readdirSync(path.join(root, relative)).sort()) {
      const child = path.join(relative, name);
      if (statSync(path.join(root, child)).isDirectory()) {
        if (recursive) walk(child);
      } else if (pattern.test(name)) files.push({ file: child.split(path.sep).join('/'), source: readFileSync(path.join(root, child), 'utf8') });
    }
  };
  walk(folder);
  return files;
}

/** The repository's list always applies; a checked folder may add its own. */
function readList(relative: string, parse: (text: string) => string[]): string[] {
  const files = [path.join(repoRoot, relative), path.join(root, relative)];
  return [...new Set([...new Set(files)].filter((file) => existsSync(file)).flatMap((file) => parse(readFileSync(file, 'utf8'))))];
}

const inputs: CheckInputs = {
  root,
  lessons: readFolder('lessons', /\.md$/),
  quizzes: readFolder('quizzes', /\.ya?ml$/),
  denyHosts: readList('content/deny-hosts.txt', parseDenyHosts),
  denyNames: readList(DENY_NAMES_FILE, parseDenyNames),
  readFolder,
};

const CHECKS: ((inputs: CheckInputs) => CheckOutput)[] = [
  // Lessons and quizzes: safety, shape, readability, cases, quiz validity.
  ({ lessons, quizzes, denyHosts, denyNames }) => {
    const { problems, stats } = checkContent({ lessons, quizzes, denyHosts, denyNames, lessonsFolder: 'lessons' });
    return { problems, summary: formatStatsTable(stats) };
  },
  // The check-up item bank.
  ({ lessons, quizzes, denyHosts, denyNames }) => {
    const bankFile = path.join(root, 'assessments', 'items.yaml');
    if (!existsSync(bankFile)) return { problems: [] };
    const { problems, stats } = checkItemBank('assessments/items.yaml', readFileSync(bankFile, 'utf8'), { denyHosts, denyNames, compareWith: [...lessons, ...quizzes] });
    if (!stats) return { problems };
    const forms = Object.entries(stats.forms).map(([form, n]) => `${form} ${n}`).join(', ');
    return {
      problems,
      summary: [
        `Check-up item bank: ${stats.pairs} pairs (${stats.pairs * 2} items), forms ${forms}, ${stats.techniques} techniques, grade ${stats.grade}`,
        '',
        'How well a surface cue alone sorts manipulative from neutral items (50% is chance; the limit is 65%):',
        formatCueTable(stats.cues),
      ].join('\n'),
    };
  },
  // The booster pool is in the quiz format: the same validity rules (QUIZ-RULES) hold for it.
  ({ readFolder }) => ({
    problems: readFolder('boosters', /\.ya?ml$/).flatMap((file) => checkQuizFormatValidity(file.file, file.source)),
  }),
  // Deny-listed names in the other student text (lessons, quizzes and the bank are checked above):
  // scenarios, boosters, and the retired check-up items that old sittings still show.
  ({ denyNames }) => ({
    problems: [
      ...['scenarios', 'boosters'].flatMap((folder) => readFolder(folder, /\.(md|ya?ml|json)$/, true)),
      ...readFolder('assessments', /^retired-items\.yaml$/),
    ].flatMap((file) => scanDeniedNames(file.file, file.source, denyNames)),
  }),
];

const outputs = CHECKS.map((check) => check(inputs));
const problems = outputs.flatMap((output) => output.problems);
for (const output of outputs) {
  if (!output.summary) continue;
  console.log(output.summary);
  console.log('');
}
if (problems.length === 0) {
  console.log(`OK: ${inputs.lessons.length} lessons, ${inputs.quizzes.length} quizzes and the rest of the course content pass the content checks.`);
} else {
  for (const problem of problems) console.log(formatProblem(problem));
  console.log('');
  console.log(`${problems.length} problem${problems.length === 1 ? '' : 's'} found.`);
}
process.exitCode = problems.length === 0 ? 0 : 1;
