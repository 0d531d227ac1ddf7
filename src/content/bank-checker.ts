// Checks the check-up item bank (assessments/items.yaml): it loads, it reads
// easily, it holds no links, raw HTML, deny-listed hosts or names; and it
// measures what it claims (issue 11, docs/assessment.md): each pair is one
// post written twice, with only the technique changed; every form covers all
// techniques; no item repeats lesson or quiz text; no surface cue sorts the
// items. Pure: takes the file's text (and the lesson and quiz sources to
// compare with), returns problems with lines.
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import { parseItemBank } from '../checkups/bank.ts';
import { deniedHost, readingGrade, type ContentFile, type Problem } from './checker.ts';
import { scanDeniedNames } from './deny-names.ts';
import { capitalisedWords, cueFigures, DATES_AND_NUMBERS, type CueFigure, type CueItem } from './surface-cues.ts';

export const BANK_RULES = {
  techniques: 10,
  forms: ['A', 'B', 'C'] as const,
  /** a form needs at least this many pairs: one per technique */
  minPairsPerForm: 10,
  maxGrade: 8,
  /** a pair's texts may differ in length (characters) by at most this share of the shorter */
  maxLengthGap: 0.25,
  /** no item shares this many words in a row with a lesson or a quiz */
  sharedRun: 8,
  /** no surface cue may sort the items better than this */
  maxCueAccuracy: 0.65,
} as const;

export interface BankStats {
  pairs: number;
  forms: Record<string, number>;
  techniques: number;
  grade: number;
  cues: CueFigure[];
}

export interface BankCheckOptions {
  denyHosts?: readonly string[];
  denyNames?: readonly string[];
  /** lessons and quizzes, for the shared-words and speaker rules */
  compareWith?: readonly ContentFile[];
}

const URL_LIKE = /\bhttps?:\/\/|\bwww\.|\b[a-z0-9-]+\.(com|org|net|io|me|ly|gg|tv|info|ru)\b/i;
const HTML_LIKE = /<\/?[a-z][^>]*>/i;

/** Lowercase words, apostrophes kept, punctuation dropped: what "the same words in a row" compares. */
export function wordsOf(text: string): string[] {
  return (text.toLowerCase().replace(/[\u2018\u2019]/g, "'").match(/[\p{L}\p{N}']+/gu) ?? []).map((word) => word.replace(/^'+|'+$/g, '')).filter(Boolean);
}

function runs(words: readonly string[], size: number): string[] {
  const result: string[] = [];
  for (let at = 0; at + size <= words.length; at++) result.push(words.slice(at, at + size).join(' '));
  return result;
}

/** Speakers named in example cards (`from:` lines) of lessons and quizzes. */
function speakersIn(files: readonly ContentFile[]): Map<string, string> {
  const speakers = new Map<string, string>();
  for (const file of files) {
    for (const match of file.source.matchAll(/^\s*(?:-\s+)?from:\s*["']?(.+?)["']?\s*$/gm)) {
      const key = match[1].trim().toLowerCase();
      if (key && !speakers.has(key)) speakers.set(key, file.file);
    }
  }
  return speakers;
}

const count = (pattern: RegExp, text: string) => (text.match(pattern) ?? []).length;

export function checkItemBank(file: string, source: string, options: BankCheckOptions = {}): { problems: Problem[]; stats: BankStats | null } {
  const { denyHosts = [], denyNames = [], compareWith = [] } = options;
  const problems: Problem[] = [];
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter });
  if (doc.errors.length) {
    const error = doc.errors[0];
    return { problems: [{ file, line: lineCounter.linePos(error.pos[0]).line, message: `not valid YAML: ${error.message.split('\n')[0]}` }], stats: null };
  }
  const lineOf = (node: Node | null | undefined) => (node?.range ? lineCounter.linePos(node.range[0]).line : 1);
  try {
    parseItemBank(file, source);
  } catch (error) {
    problems.push({ file, line: 1, message: (error as Error).message.replace(`${file}: `, '') });
  }
  problems.push(...scanDeniedNames(file, source, denyNames));

  const pairsNode = isMap(doc.contents) ? doc.contents.get('pairs', true) : undefined;
  const pairsLine = lineOf(pairsNode as Node);
  const pairs = isSeq(pairsNode) ? pairsNode.items : [];
  const techniqueNames = isMap(doc.contents) ? ((doc.contents.get('techniques') as { toJSON(): Record<string, string> } | undefined)?.toJSON() ?? {}) : {};
  const allTechniques = Object.keys(techniqueNames);
  const perForm: Record<string, Record<string, number>> = {};
  const typesPerForm: Record<string, Record<string, number>> = {};
  const forms: Record<string, number> = {};
  const techniques = new Set<string>();
  const allText: string[] = [];
  const cueItems: CueItem[] = [];

  const lessonRuns = new Map<string, string>();
  for (const other of compareWith) {
    for (const run of runs(wordsOf(other.source), BANK_RULES.sharedRun)) if (!lessonRuns.has(run)) lessonRuns.set(run, other.file);
  }
  const speakers = speakersIn(compareWith);

  for (const pairNode of pairs) {
    if (!isMap(pairNode)) continue;
    const pair = pairNode.toJSON() as Record<string, any>;
    const pairLine = lineOf(pairNode);
    const name = `pair "${pair.id}"`;
    forms[pair.form] = (forms[pair.form] ?? 0) + 1;
    perForm[pair.form] ??= {};
    perForm[pair.form][pair.technique] = (perForm[pair.form][pair.technique] ?? 0) + 1;
    typesPerForm[pair.form] ??= {};
    typesPerForm[pair.form][pair.manipulative?.type] = (typesPerForm[pair.form][pair.manipulative?.type] ?? 0) + 1;
    techniques.add(pair.technique);
    const texts: Record<string, string> = {};
    for (const side of ['manipulative', 'neutral'] as const) {
      const itemNode = pairNode.get(side, true) as Node | undefined;
      const item = (pair[side] ?? {}) as Record<string, unknown>;
      const fieldLine = (field: string) => (isMap(itemNode) ? lineOf(itemNode.get(field, true) as Node) : pairLine);
      for (const field of ['text', 'explanation', 'from']) {
        const value = item[field];
        if (typeof value !== 'string') continue;
        const line = fieldLine(field);
        if (HTML_LIKE.test(value)) problems.push({ file, line, message: `${pair.id} (${side}) ${field}: raw HTML is not allowed` });
        if (URL_LIKE.test(value)) {
          const host = value.match(/\S+\.[a-z]{2,}\S*/i)?.[0] ?? '';
          const denied = deniedHost(/^https?:/i.test(host) ? host : `http://${host}`, denyHosts);
          problems.push({ file, line, message: `${pair.id} (${side}) ${field}: ${denied ? `links to the deny-listed host "${denied}"` : 'items must not contain links or web addresses'}` });
        }
        if (field !== 'from') allText.push(value);
      }
      if (typeof item.text === 'string') {
        texts[side] = item.text.trim();
        cueItems.push({ pairId: String(pair.id), manipulative: side === 'manipulative', text: item.text });
        const line = fieldLine('text');
        const shared = runs(wordsOf(item.text), BANK_RULES.sharedRun).find((run) => lessonRuns.has(run));
        if (shared) {
          problems.push({ file, line, message: `${pair.id} (${side}) text shares ${BANK_RULES.sharedRun} words in a row with ${lessonRuns.get(shared)}: "${shared}" (the check-up would test recall of lesson text)` });
        }
      }
      if (typeof item.from === 'string' && speakers.has(item.from.trim().toLowerCase())) {
        problems.push({ file, line: fieldLine('from'), message: `${pair.id} (${side}) from: "${item.from}" is a speaker in ${speakers.get(item.from.trim().toLowerCase())}: the check-up uses its own invented speakers` });
      }
    }
    if (pair.manipulative?.from !== pair.neutral?.from || pair.manipulative?.type !== pair.neutral?.type) {
      problems.push({ file, line: pairLine, message: `${name}: the two items must be the same kind of card from the same speaker (type and from match)` });
    }
    const m = texts.manipulative;
    const n = texts.neutral;
    if (m !== undefined && n !== undefined) {
      const gap = Math.abs(m.length - n.length) / Math.max(1, Math.min(m.length, n.length));
      if (gap > BANK_RULES.maxLengthGap) {
        problems.push({ file, line: pairLine, message: `${name}: the texts differ in length by ${Math.round(gap * 100)}% (${m.length} and ${n.length} characters; limit ${BANK_RULES.maxLengthGap * 100}%)` });
      }
      const compare: [string, (text: string) => number][] = [
        ['dates and numbers', (text) => count(DATES_AND_NUMBERS, text)],
        ["'!'", (text) => count(/!/g, text)],
        ['capitalised words', capitalisedWords],
      ];
      for (const [what, measure] of compare) {
        if (measure(m) !== measure(n)) {
          problems.push({ file, line: pairLine, message: `${name}: the texts differ in the count of ${what} (${measure(m)} manipulative, ${measure(n)} neutral): keep the same concrete details and punctuation in both` });
        }
      }
    }
  }

  // Forms: each covers every technique, and A, B and C are parallel.
  const known = allTechniques.length ? allTechniques : [...techniques];
  for (const form of BANK_RULES.forms) {
    const counts = perForm[form] ?? {};
    const missing = known.filter((technique) => !counts[technique]);
    if (missing.length) problems.push({ file, line: pairsLine, message: `form ${form} misses ${missing.length === 1 ? 'a technique' : `${missing.length} techniques`}: ${missing.join(', ')} (every sitting covers all ${known.length})` });
    if ((forms[form] ?? 0) < BANK_RULES.minPairsPerForm) {
      problems.push({ file, line: pairsLine, message: `form ${form} has ${forms[form] ?? 0} pairs: it needs at least ${BANK_RULES.minPairsPerForm} (${BANK_RULES.minPairsPerForm * 2} items, one pair per technique)` });
    }
  }
  const shape = (form: string) => known.map((technique) => `${technique} ${perForm[form]?.[technique] ?? 0}`).join(', ');
  for (const form of BANK_RULES.forms.slice(1)) {
    if (shape(form) !== shape('A')) problems.push({ file, line: pairsLine, message: `form ${form} is not parallel to form A: each form needs the same number of pairs per technique (A: ${shape('A')}; ${form}: ${shape(form)})` });
    const types = (name: string) => Object.entries(typesPerForm[name] ?? {}).sort().map(([type, n]) => `${type} ${n}`).join(', ');
    if (types(form) !== types('A')) problems.push({ file, line: pairsLine, message: `form ${form} is not parallel to form A in its kinds of card (A: ${types('A')}; ${form}: ${types(form)})` });
  }
  if (techniques.size < BANK_RULES.techniques) problems.push({ file, line: pairsLine, message: `the pairs must cover all ${BANK_RULES.techniques} techniques, found ${techniques.size}` });

  // Surface cues: none may sort manipulative from neutral items.
  const cues = cueFigures(cueItems);
  for (const figure of cues) {
    const worst = Math.max(figure.itemAccuracy, figure.pairAccuracy);
    if (worst > BANK_RULES.maxCueAccuracy) {
      problems.push({
        file,
        line: pairsLine,
        message: `the surface cue "${figure.name}" sorts ${Math.round(worst * 100)}% of items correctly (in ${figure.inManipulative} manipulative and ${figure.inNeutral} neutral items; limit ${BANK_RULES.maxCueAccuracy * 100}%): use it as often in neutral twins`,
      });
    }
  }

  // Short items read as sentences; a full stop keeps the formula from joining them.
  const grade = readingGrade(allText.map((text) => (/[.!?]\s*$/.test(text) ? text : `${text}.`)).join('\n'));
  if (grade > BANK_RULES.maxGrade) problems.push({ file, line: 1, message: `reading grade ${grade} is above ${BANK_RULES.maxGrade}` });
  return { problems, stats: { pairs: pairs.length, forms, techniques: techniques.size, grade, cues } };
}
