// Checks the check-up item bank (assessments/items.yaml) like lessons: it
// loads, it is balanced, it reads easily, and it holds no links, raw HTML or
// deny-listed hosts. Pure: takes the file's text, returns problems with lines.
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import { parseItemBank } from '../checkups/bank.ts';
import { deniedHost, readingGrade, type Problem } from './checker.ts';

export const BANK_RULES = {
  minPairs: 20,
  pairsPerParallelForm: 8,
  techniques: 10,
  maxGrade: 9,
} as const;

export interface BankStats {
  pairs: number;
  forms: Record<string, number>;
  techniques: number;
  grade: number;
}

const URL_LIKE = /\bhttps?:\/\/|\bwww\.|\b[a-z0-9-]+\.(com|org|net|io|me|ly|gg|tv|info|ru)\b/i;
const HTML_LIKE = /<\/?[a-z][^>]*>/i;

export function checkItemBank(file: string, source: string, denyHosts: readonly string[] = []): { problems: Problem[]; stats: BankStats | null } {
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
  const pairsNode = isMap(doc.contents) ? doc.contents.get('pairs', true) : undefined;
  const pairs = isSeq(pairsNode) ? pairsNode.items : [];
  const forms: Record<string, number> = {};
  const techniques = new Set<string>();
  const allText: string[] = [];
  for (const pairNode of pairs) {
    if (!isMap(pairNode)) continue;
    const pair = pairNode.toJSON() as Record<string, any>;
    forms[pair.form] = (forms[pair.form] ?? 0) + 1;
    techniques.add(pair.technique);
    for (const side of ['manipulative', 'neutral']) {
      const itemNode = pairNode.get(side, true) as Node | undefined;
      const item = (pair[side] ?? {}) as Record<string, unknown>;
      for (const field of ['text', 'explanation', 'from']) {
        const value = item[field];
        if (typeof value !== 'string') continue;
        const line = isMap(itemNode) ? lineOf(itemNode.get(field, true) as Node) : lineOf(pairNode);
        if (HTML_LIKE.test(value)) problems.push({ file, line, message: `${pair.id} (${side}) ${field}: raw HTML is not allowed` });
        if (URL_LIKE.test(value)) {
          const host = value.match(/\S+\.[a-z]{2,}\S*/i)?.[0] ?? '';
          const denied = deniedHost(/^https?:/i.test(host) ? host : `http://${host}`, denyHosts);
          problems.push({ file, line, message: `${pair.id} (${side}) ${field}: ${denied ? `links to the deny-listed host "${denied}"` : 'items must not contain links or web addresses'}` });
        }
        if (field !== 'from') allText.push(value);
      }
    }
  }
  if (pairs.length < BANK_RULES.minPairs) problems.push({ file, line: lineOf(pairsNode as Node), message: `needs at least ${BANK_RULES.minPairs} matched pairs (${BANK_RULES.minPairs * 2} items), found ${pairs.length}` });
  for (const form of ['A', 'B']) {
    if ((forms[form] ?? 0) !== BANK_RULES.pairsPerParallelForm) {
      problems.push({ file, line: lineOf(pairsNode as Node), message: `form ${form} needs ${BANK_RULES.pairsPerParallelForm} pairs, found ${forms[form] ?? 0}` });
    }
  }
  if (techniques.size < BANK_RULES.techniques) problems.push({ file, line: lineOf(pairsNode as Node), message: `the pairs must cover all ${BANK_RULES.techniques} techniques, found ${techniques.size}` });
  // Short items read as sentences; a full stop keeps the formula from joining them.
  const grade = readingGrade(allText.map((text) => (/[.!?]\s*$/.test(text) ? text : `${text}.`)).join('\n'));
  if (grade > BANK_RULES.maxGrade) problems.push({ file, line: 1, message: `reading grade ${grade} is above ${BANK_RULES.maxGrade}` });
  return { problems, stats: { pairs: pairs.length, forms, techniques: techniques.size, grade } };
}
