// npm run testwise [folder]
// A simulated "test-wise" student who learned nothing: it reads only what a
// student's page shows (the quiz as presentQuiz gives it, the check-up item
// as the check-up page gives it) and answers from surface cues: the longest
// option, the most or least "absolute" one, the lowest id, a card position;
// on the check-up it rates an item high when it is long or carries a cue.
// Prints how each strategy scores against chance. tests/testwise.test.ts runs
// the same functions and fails when a strategy beats chance.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalog, type Catalog, type Quiz } from '../src/content/catalog.ts';
import type { BankItem, Form } from '../src/checkups/bank.ts';
import { presentQuiz } from '../src/learning/learning.ts';
import { quizIds } from '../src/learning/public-ids.ts';
import { CUES } from '../src/content/surface-cues.ts';

type ShownQuestion = ReturnType<typeof presentQuiz>['questions'][number];
type ShownOption = ShownQuestion['options'][number];

const ABSOLUTES = CUES.find((cue) => cue.id === 'absolutes')!.count;

/** A quiz strategy scores each shown option; it picks the highest (ties: any of them, equally likely). */
export interface QuizStrategy {
  name: string;
  score(option: ShownOption, question: ShownQuestion): number;
}

export const QUIZ_STRATEGIES: QuizStrategy[] = [
  { name: 'longest option', score: (option) => option.text.trim().length },
  { name: 'shortest option', score: (option) => -option.text.trim().length },
  { name: 'most absolute option (always, never, only ...)', score: (option) => ABSOLUTES(option.text) },
  { name: 'least absolute option', score: (option) => -ABSOLUTES(option.text) },
  { name: 'lowest option id in the page source', score: (option, question) => -[...question.options].sort((a, b) => a.id.localeCompare(b.id)).indexOf(option) },
  { name: 'the option naming the first card', score: (option, question) => cardIndex(option, question) === 0 ? 1 : 0 },
  { name: 'the option naming the second card', score: (option, question) => cardIndex(option, question) === 1 ? 1 : 0 },
];

/** Which card an option names ("Post A", "Chat 2"), by the cards' labels; -1 when none. */
function cardIndex(option: ShownOption, question: ShownQuestion): number {
  const labels = question.cards.map((card) => card.label?.trim().toLowerCase());
  return labels.findIndex((label) => label !== undefined && option.text.trim().toLowerCase().startsWith(label));
}

export interface StrategyResult {
  strategy: string;
  questions: number;
  /** expected number right (ties broken at random) */
  expected: number;
  /** expected number right for a student who guesses at random among valid answers */
  chance: number;
  /** (expected - chance) / sd of the number right under chance */
  z: number;
}

/** The chance of a random valid answer being right: 1/k for one answer, 1/(2^k - 1) for "choose all that apply". */
function chanceOf(question: Quiz['questions'][number]): number {
  const k = question.options.length;
  return question.kind === 'single' ? 1 / k : 1 / (2 ** k - 1);
}

/** One strategy over every quiz of the course: it answers each question with one option. */
export function runQuizStrategy(quizzes: readonly Quiz[], strategy: QuizStrategy): StrategyResult {
  let expected = 0;
  let chance = 0;
  let variance = 0;
  let questions = 0;
  for (const quiz of quizzes) {
    const shown = presentQuiz(quiz, 'testwise');
    const ids = quizIds(quiz);
    for (const question of shown.questions) {
      const source = question.source;
      const right = new Set(source.options.filter((option) => option.correct).map((option) => ids.option.get(source.id)!.get(option.id)!));
      const scores = question.options.map((option) => strategy.score(option, question));
      const top = Math.max(...scores);
      const picked = question.options.filter((_, index) => scores[index] === top);
      // One option picked: right only when the question has exactly that one right answer.
      const p = right.size === 1 ? picked.filter((option) => right.has(option.id)).length / picked.length : 0;
      const c = chanceOf(source);
      expected += p;
      chance += c;
      variance += c * (1 - c);
      questions += 1;
    }
  }
  return { strategy: strategy.name, questions, expected, chance, z: variance > 0 ? (expected - chance) / Math.sqrt(variance) : 0 };
}

/** A check-up rater: a rating from 1 to 7 from the item as the page shows it. */
export interface Rater {
  name: string;
  rate(item: { text: string; from?: string; id: string }, median: number): number;
}

export const RATERS: Rater[] = [
  { name: 'long items are manipulative', rate: (item, median) => (item.text.trim().length > median ? 7 : 1) },
  { name: 'short items are manipulative', rate: (item, median) => (item.text.trim().length > median ? 1 : 7) },
  ...CUES.map((cue) => ({ name: `items with ${cue.name}: manipulative`, rate: (item: { text: string }) => (cue.count(item.text) > 0 ? 7 : 1) })),
  ...CUES.map((cue) => ({ name: `items with ${cue.name}: ordinary`, rate: (item: { text: string }) => (cue.count(item.text) > 0 ? 1 : 7) })),
  {
    name: 'a cue score: more absolutes, "!" and "real/true", less reassurance and fewer dates',
    rate: (item) => {
      const count = (id: string) => CUES.find((cue) => cue.id === id)!.count(item.text);
      const score = count('absolutes') + count('exclamation') + count('real-true') - count('reassurance') - count('dates');
      return Math.max(1, Math.min(7, 4 + 2 * score));
    },
  },
  { name: 'the public id (low hash = manipulative)', rate: (item) => 1 + Math.round((6 * parseInt(item.id.slice(1, 3), 16)) / 255) },
];

export interface RaterResult {
  rater: string;
  form: Form | 'all';
  pairs: number;
  /** mean rating of manipulative items minus mean rating of their twins (1-7 scale; chance is 0, a perfect rater 6) */
  discernment: number;
  /** share of pairs where the manipulative item is rated higher (ties half); chance is 0.5 */
  pairAccuracy: number;
}

/** One rater over the items of a form (or the whole current bank). */
export function runRater(items: readonly BankItem[], rater: Rater, form: Form | 'all'): RaterResult {
  const lengths = items.map((item) => item.text.trim().length).sort((a, b) => a - b);
  const median = lengths[Math.floor(lengths.length / 2)] ?? 0;
  const byPair = new Map<string, { m?: number; n?: number }>();
  for (const item of items) {
    // Only what the page shows: the public id, the card's text and speaker.
    const rating = rater.rate({ id: item.publicId, text: item.text, from: item.from }, median);
    const pair = byPair.get(item.pairId) ?? {};
    pair[item.manipulative ? 'm' : 'n'] = rating;
    byPair.set(item.pairId, pair);
  }
  let sum = 0;
  let wins = 0;
  let pairs = 0;
  for (const pair of byPair.values()) {
    if (pair.m === undefined || pair.n === undefined) continue;
    pairs += 1;
    sum += pair.m - pair.n;
    wins += pair.m > pair.n ? 1 : pair.m === pair.n ? 0.5 : 0;
  }
  return { rater: rater.name, form, pairs, discernment: pairs ? sum / pairs : 0, pairAccuracy: pairs ? wins / pairs : 0.5 };
}

export function quizResults(catalog: Catalog): StrategyResult[] {
  const quizzes = catalog.lessons.map((lesson) => catalog.quiz(lesson.id)).filter((quiz): quiz is Quiz => Boolean(quiz));
  return QUIZ_STRATEGIES.map((strategy) => runQuizStrategy(quizzes, strategy));
}

export function checkupResults(catalog: Catalog, retired = false): RaterResult[] {
  const bank = catalog.bank;
  if (!bank) return [];
  const items = [...bank.items.values()].filter((item) => item.retired === retired);
  const forms: Form[] = ['A', 'B', 'C'];
  return RATERS.flatMap((rater) => [
    ...forms.map((form) => runRater(items.filter((item) => item.form === form), rater, form)),
    runRater(items, rater, 'all'),
  ]);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const format = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ');
  return [format(header), widths.map((width) => '-'.repeat(width)).join('-|-'), ...rows.map(format)].join('\n');
}

function main(): void {
  const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  const catalog = loadCatalog(root);
  const quizzes = quizResults(catalog);
  console.log(`Quizzes: a test-wise student answers every question of the ${catalog.lessons.length} quizzes from the page alone.`);
  console.log(
    table(
      ['strategy', 'questions', 'right (expected)', 'by chance', 'percent', 'chance %', 'z'],
      quizzes.map((row) => [
        row.strategy,
        String(row.questions),
        row.expected.toFixed(1),
        row.chance.toFixed(1),
        `${((100 * row.expected) / row.questions).toFixed(0)}%`,
        `${((100 * row.chance) / row.questions).toFixed(0)}%`,
        row.z.toFixed(2),
      ]),
    ),
  );
  for (const [label, retired] of [['current bank', false], ['retired bank (before issue 11)', true]] as const) {
    const results = checkupResults(catalog, retired);
    if (!results.length || results.every((row) => row.pairs === 0)) continue;
    console.log('');
    console.log(`Check-up, ${label}: discernment of a test-wise rater (chance 0; a rater who knows the techniques gets up to 6)`);
    const raters = [...new Set(results.map((row) => row.rater))];
    console.log(
      table(
        ['rater', 'form A', 'form B', 'form C', 'all', 'pairs won (all)'],
        raters.map((rater) => {
          const of = (form: string) => results.find((row) => row.rater === rater && row.form === form)!;
          const cell = (form: string) => (of(form).pairs ? of(form).discernment.toFixed(2) : '-');
          return [rater, cell('A'), cell('B'), cell('C'), cell('all'), `${(100 * of('all').pairAccuracy).toFixed(0)}%`];
        }),
      ),
    );
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
