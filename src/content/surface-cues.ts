// Surface cues: features a student could use to sort check-up items without
// knowing any technique (issue 11). Each cue is a simple rule ("call it
// manipulative when it has an exclamation mark"); its figure is how well that
// rule sorts the bank's items. A sound bank keeps every figure near 50%.
// Pure functions, shared by the bank checker and scripts/testwise.ts.

export interface Cue {
  id: string;
  name: string;
  /** how many times the cue occurs in a text */
  count(text: string): number;
}

const words = (pattern: string) => new RegExp(`(?<![\\p{L}'])(?:${pattern})(?![\\p{L}'])`, 'giu');
const counter = (pattern: RegExp) => (text: string) => (text.match(pattern) ?? []).length;

const MONTHS = 'january|february|march|april|may|june|july|august|september|october|november|december';
const DAYS = 'monday|tuesday|wednesday|thursday|friday|saturday|sunday|mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays';

/** Numbers (7, 3:30, 2.5, 10th), clock times and weekday or month names: the "concrete details" of a post. */
export const DATES_AND_NUMBERS = new RegExp(`\\d+(?:[:.,/]\\d+)*(?:st|nd|rd|th|am|pm|p|k)?|(?<![\\p{L}])(?:${MONTHS}|${DAYS})(?![\\p{L}])`, 'giu');

export const CUES: readonly Cue[] = [
  {
    id: 'reassurance',
    name: 'reassurance words (welcome, no rush, no pressure, feel free ...)',
    count: counter(words("welcome|no rush|no pressure|take your time|no worries|don't worry|feel free|if you like|if you want|optional|relax|no problem|happy to help|anyone can|all levels|totally fine|it's fine|it's okay|it's ok")),
  },
  { id: 'dates', name: 'dates, times and numbers', count: counter(DATES_AND_NUMBERS) },
  { id: 'real-true', name: '"real", "true" and kin', count: counter(words('real|really|realest|true|truth|truly|genuine|fake|wake up|woke up')) },
  { id: 'exclamation', name: 'exclamation marks', count: counter(/!/g) },
  {
    id: 'absolutes',
    name: 'absolutes (always, never, every, nobody, only ...)',
    count: counter(words('always|never|all|every|everyone|everybody|everything|nobody|no one|nothing|only|totally|completely|forever|must|none')),
  },
  { id: 'urgency-words', name: 'hurry words (now, today, tonight, hurry, last chance ...)', count: counter(words('now|right now|today|tonight|hurry|quick|quickly|last chance|before it|asap|immediately')) },
  { id: 'capitals', name: 'capitalised words inside sentences', count: (text) => capitalisedWords(text) },
  { id: 'question', name: 'question marks', count: counter(/\?/g) },
];

/** Words starting with a capital letter that do not start a sentence or a line (names, places, shouting). */
export function capitalisedWords(text: string): number {
  let count = 0;
  for (const line of text.split('\n')) {
    // A chat line "Name: text" starts a sentence after the colon.
    const tokens = line.trim().split(/\s+/).filter(Boolean);
    tokens.forEach((token, index) => {
      const previous = tokens[index - 1];
      const startsSentence = index === 0 || /[.!?:]["')\u201d\u2019]*$/.test(previous ?? '');
      if (!startsSentence && /^["'(\u201c\u2018]?\p{Lu}/u.test(token) && !/^["'(\u201c\u2018]?I(?:'|\u2019|$)/.test(token)) count += 1;
    });
  }
  return count;
}

export interface CueItem {
  pairId: string;
  manipulative: boolean;
  text: string;
}

export interface CueFigure {
  cue: string;
  name: string;
  /** manipulative items with the cue, neutral items with the cue */
  inManipulative: number;
  inNeutral: number;
  /** best accuracy of "has the cue -> manipulative" or its opposite, over all items */
  itemAccuracy: number;
  /** accuracy of "of a pair, the one with more of the cue is manipulative" (ties count half), best direction */
  pairAccuracy: number;
}

function best(accuracy: number): number {
  return Math.max(accuracy, 1 - accuracy);
}

/** How well one cue sorts the items: the item rule and the within-pair rule. */
export function cueFigure(name: string, label: string, items: readonly CueItem[], count: (text: string) => number): CueFigure {
  let right = 0;
  let inManipulative = 0;
  let inNeutral = 0;
  for (const item of items) {
    const has = count(item.text) > 0;
    if (has && item.manipulative) inManipulative += 1;
    if (has && !item.manipulative) inNeutral += 1;
    if (has === item.manipulative) right += 1;
  }
  const pairs = new Map<string, { m?: number; n?: number }>();
  for (const item of items) {
    const pair = pairs.get(item.pairId) ?? {};
    pair[item.manipulative ? 'm' : 'n'] = count(item.text);
    pairs.set(item.pairId, pair);
  }
  let pairScore = 0;
  let pairCount = 0;
  for (const pair of pairs.values()) {
    if (pair.m === undefined || pair.n === undefined) continue;
    pairCount += 1;
    pairScore += pair.m > pair.n ? 1 : pair.m < pair.n ? 0 : 0.5;
  }
  return {
    cue: name,
    name: label,
    inManipulative,
    inNeutral,
    itemAccuracy: items.length ? best(right / items.length) : 0.5,
    pairAccuracy: pairCount ? best(pairScore / pairCount) : 0.5,
  };
}

/** Every cue's figure, plus text length ("the longer one is manipulative"). */
export function cueFigures(items: readonly CueItem[]): CueFigure[] {
  const figures = CUES.map((cue) => cueFigure(cue.id, cue.name, items, cue.count));
  // Length as an item rule: longer than the bank's median length -> manipulative.
  const lengths = items.map((item) => item.text.trim().length).sort((a, b) => a - b);
  const median = lengths.length ? lengths[Math.floor(lengths.length / 2)] : 0;
  const length = cueFigure('length', 'length (longer than the median; the longer of a pair)', items, (text) => text.trim().length);
  const itemRule = cueFigure('length', '', items, (text) => (text.trim().length > median ? 1 : 0));
  figures.push({ ...length, inManipulative: itemRule.inManipulative, inNeutral: itemRule.inNeutral, itemAccuracy: itemRule.itemAccuracy });
  return figures;
}

/** "cue | in manipulative | in neutral | item rule | pair rule", aligned. */
export function formatCueTable(figures: readonly CueFigure[]): string {
  const header = ['surface cue', 'in manip.', 'in neutral', 'item rule', 'pair rule'];
  const rows = figures.map((figure) => [
    figure.name,
    String(figure.inManipulative),
    String(figure.inNeutral),
    `${(figure.itemAccuracy * 100).toFixed(0)}%`,
    `${(figure.pairAccuracy * 100).toFixed(0)}%`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const format = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ');
  return [format(header), widths.map((width) => '-'.repeat(width)).join('-|-'), ...rows.map(format)].join('\n');
}
