// npm run check:content [folder]
// Checks lessons/ and quizzes/ under the folder (default: this repository)
// with src/content/checker.ts, prints a table of per-lesson stats, then each
// problem as `file:line: message`. Exits 1 when there is any problem.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkContent, formatProblem, formatStatsTable, parseDenyHosts, type ContentFile } from '../src/content/checker.ts';
import { checkItemBank } from '../src/content/bank-checker.ts';
import { checkPracticeContent, parseDenyTerms } from '../src/content/practice-checker.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const root = path.resolve(process.argv[2] ?? repoRoot);

function readFolder(folder: string, pattern: RegExp): ContentFile[] {
  const full = path.join(root, folder);
  if (!existsSync(full)) return [];
  return readdirSync(full)
    .filter((name) => pattern.test(name))
    .sort()
    .map((name) => ({
      file: path.join(folder, name).split(path.sep).join('/'),
      source: readFileSync(path.join(full, name), 'utf8'),
    }));
}

function readDenyHosts(): string[] {
  // The repository's list always applies; a checked folder may add its own.
  const files = [path.join(repoRoot, 'content', 'deny-hosts.txt'), path.join(root, 'content', 'deny-hosts.txt')];
  return [...new Set(files)].filter((file) => existsSync(file)).flatMap((file) => parseDenyHosts(readFileSync(file, 'utf8')));
}

const lessons = readFolder('lessons', /\.md$/);
const quizzes = readFolder('quizzes', /\.ya?ml$/);
const denyHosts = readDenyHosts();
const { problems, stats } = checkContent({ lessons, quizzes, denyHosts, lessonsFolder: 'lessons' });
const bankFile = path.join(root, 'assessments', 'items.yaml');
const bank = existsSync(bankFile) ? checkItemBank('assessments/items.yaml', readFileSync(bankFile, 'utf8'), denyHosts) : null;
if (bank) problems.push(...bank.problems);
// Chat scenarios and booster pools (src/content/practice-checker.ts).
const denyTermsFile = path.join(repoRoot, 'content', 'deny-terms.txt');
const practice = checkPracticeContent({
  scenarios: readFolder('scenarios', /\.ya?ml$/),
  boosters: readFolder('boosters', /\.ya?ml$/),
  lessons,
  quizzes,
  bank: existsSync(bankFile) ? { file: 'assessments/items.yaml', source: readFileSync(bankFile, 'utf8') } : null,
  denyHosts,
  denyTerms: existsSync(denyTermsFile) ? parseDenyTerms(readFileSync(denyTermsFile, 'utf8')) : [],
});
problems.push(...practice.problems);

console.log(formatStatsTable(stats));
console.log('');
if (bank?.stats) {
  const forms = Object.entries(bank.stats.forms).map(([form, n]) => `${form} ${n}`).join(', ');
  console.log(`Check-up item bank: ${bank.stats.pairs} pairs (${bank.stats.pairs * 2} items), forms ${forms}, ${bank.stats.techniques} techniques, grade ${bank.stats.grade}`);
  console.log('');
}
console.log(practice.summary);
console.log('');
if (problems.length === 0) {
  console.log(`OK: ${lessons.length} lessons, ${quizzes.length} quizzes${bank ? ' and the check-up item bank' : ''} pass the content checks.`);
} else {
  for (const problem of problems) console.log(formatProblem(problem));
  console.log('');
  console.log(`${problems.length} problem${problems.length === 1 ? '' : 's'} found.`);
}
process.exitCode = problems.length === 0 ? 0 : 1;
