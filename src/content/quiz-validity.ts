// Quiz validity rules (issue 11, docs/assessment.md): a student who learned
// nothing must not be able to pass a quiz from cues that have nothing to do
// with the techniques. Pure: takes a quiz's raw YAML data and a way to find
// the line of a path in it, returns problems. The definitions are the ones
// quiz writers follow (QUIZ-RULES in the content guide).

export const VALIDITY_RULES = {
  /** fail when the right option is the longest in more than this share of single-answer questions with 3+ options */
  maxLongestRight: 0.45,
  /** the options a question needs before the longest-option count applies */
  longestMinOptions: 3,
  /** fail when one card position holds the manipulative card in more than this share of two-card questions */
  maxCardPosition: 0.65,
} as const;

/**
 * Words that must not be a dash-separated part of a question or option id:
 * authors' ids are not shown any more, but a word like "neutral" in an id
 * has leaked answers before and would again the day an id is shown.
 */
export const ANSWER_WORDS = [
  'correct', 'right', 'wrong', 'neutral', 'manipulative', 'manip', 'tricky', 'trick', 'fake', 'real', 'true', 'false',
  'safe', 'unsafe', 'honest', 'bad', 'good', 'yes', 'no', 'answer', 'ok', 'twin',
] as const;

export interface ValidityProblem {
  line: number;
  message: string;
}

type PathKey = string | number;

interface RawOption {
  id?: unknown;
  text?: unknown;
  correct?: unknown;
}

interface RawCard {
  manipulative?: unknown;
}

/** A quiz question as the YAML holds it, before validation (shared with the checker). */
export interface RawQuestion {
  id?: unknown;
  kind?: unknown;
  pair?: unknown;
  cards?: unknown;
  options?: unknown;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const record = <T>(value: unknown): T => (value && typeof value === 'object' ? (value as T) : ({} as T));

/** The answer word an id contains as a dash-separated part, if any. */
export function answerWordIn(id: string): string | undefined {
  const parts = id.toLowerCase().split('-');
  return ANSWER_WORDS.find((word) => parts.includes(word));
}

/** Right option at least as long as every other (trimmed characters; ties count as longest). */
export function rightIsLongest(options: readonly { text: string; correct: boolean }[]): boolean {
  const right = options.find((option) => option.correct);
  if (!right) return false;
  const length = right.text.trim().length;
  return options.every((option) => option.text.trim().length <= length);
}

export interface CardPositions {
  /** two-card questions whose manipulative card is first */
  first: number;
  /** ... and second */
  second: number;
}

export interface ValidityStats {
  /** single-answer questions with 3+ options */
  longestEligible: number;
  /** of those, where the right option is the longest */
  longestRight: number;
  cards: CardPositions;
}

/** Too one-sided: more than `share` of n in one place, and more than the most even split allows. */
export function tooOneSided(larger: number, total: number, share: number): boolean {
  return total > 0 && larger / total > share && larger > Math.ceil(total / 2);
}

export function checkQuizValidity(data: unknown, lineOf: (path: readonly PathKey[]) => number): { problems: ValidityProblem[]; stats: ValidityStats } {
  const problems: ValidityProblem[] = [];
  const questions = list(record<{ questions?: unknown }>(data).questions).map((question) => record<RawQuestion>(question));
  const stats: ValidityStats = { longestEligible: 0, longestRight: 0, cards: { first: 0, second: 0 } };
  const longestLines: number[] = [];
  const firstLines: number[] = [];
  const secondLines: number[] = [];

  questions.forEach((question, index) => {
    const at = (...rest: PathKey[]) => lineOf(['questions', index, ...rest]);
    const options = list(question.options).map((option) => record<RawOption>(option));

    // 5. Ids reveal nothing.
    if (typeof question.id === 'string') {
      const word = answerWordIn(question.id);
      if (word) problems.push({ line: at('id'), message: `question id "${question.id}" contains the answer word "${word}": use a topic word or a number (ids must not tell the answer)` });
    }
    options.forEach((option, optionIndex) => {
      if (typeof option.id !== 'string') return;
      const word = answerWordIn(option.id);
      if (word) problems.push({ line: at('options', optionIndex, 'id'), message: `option id "${option.id}" contains the answer word "${word}": use a, b, c ... or a topic word` });
    });

    // 1. Longest-option cue.
    if (question.kind === 'single' && options.length >= VALIDITY_RULES.longestMinOptions) {
      const texts = options.map((option) => ({ text: typeof option.text === 'string' ? option.text : '', correct: option.correct === true }));
      if (texts.filter((option) => option.correct).length === 1) {
        stats.longestEligible += 1;
        if (rightIsLongest(texts)) {
          stats.longestRight += 1;
          longestLines.push(at());
        }
      }
    }

    // 3. Card position: a question comparing two cards, one of them the technique.
    const cards = list(question.cards).map((card) => record<RawCard>(card));
    if (cards.length === 2) {
      const marked = cards.map((card) => card.manipulative === true);
      const count = marked.filter(Boolean).length;
      if (count === 1) {
        if (marked[0]) {
          stats.cards.first += 1;
          firstLines.push(at());
        } else {
          stats.cards.second += 1;
          secondLines.push(at());
        }
      } else if (count === 2) {
        problems.push({ line: at('cards'), message: 'both cards are marked manipulative: true; mark only the one that uses the technique' });
      } else if (typeof question.pair === 'string') {
        problems.push({ line: at('cards'), message: 'a matched pair shown as two cards: mark the card that uses the technique with manipulative: true (never shown to students; the checker balances its position)' });
      }
    }
  });

  // 4. Matched pairs are never adjacent in the file.
  questions.forEach((question, index) => {
    if (index === 0 || typeof question.pair !== 'string') return;
    if (questions[index - 1].pair === question.pair) {
      problems.push({ line: lineOf(['questions', index, 'pair']), message: `pair "${question.pair}": its two questions are next to each other; put other questions between them (the first answer gives the second away)` });
    }
  });

  const quizLine = lineOf(['questions']);
  if (stats.longestEligible > 0 && stats.longestRight / stats.longestEligible > VALIDITY_RULES.maxLongestRight) {
    problems.push({
      line: quizLine,
      message:
        `the right option is the longest in ${stats.longestRight} of ${stats.longestEligible} single-answer questions with 3+ options ` +
        `(${percent(stats.longestRight / stats.longestEligible)}, limit ${percent(VALIDITY_RULES.maxLongestRight)}; questions at lines ${longestLines.join(', ')}): ` +
        'make the wrong options as long and detailed as the right one',
    });
  }
  const { first, second } = stats.cards;
  const total = first + second;
  if (tooOneSided(Math.max(first, second), total, VALIDITY_RULES.maxCardPosition)) {
    const where = first > second ? 'first' : 'second';
    problems.push({
      line: quizLine,
      message:
        `the manipulative card is ${where} in ${Math.max(first, second)} of ${total} two-card questions ` +
        `(${percent(Math.max(first, second) / total)}, limit ${percent(VALIDITY_RULES.maxCardPosition)}; questions at lines ${(first > second ? firstLines : secondLines).join(', ')}): swap some cards`,
    });
  }
  return { problems, stats };
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}
