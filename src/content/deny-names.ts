// Names that must never appear in what a student reads: attackers, and small
// groups that seek notoriety (naming them is the publicity they want). The
// list is data, kept in content/deny-names.txt; this module parses it and
// finds the names in a file, by line. Pure.
import type { Problem } from './checker.ts';

export const DENY_NAMES_FILE = 'content/deny-names.txt';

/** One name per line; `#` starts a comment; case and spacing do not matter. */
export function parseDenyNames(text: string): string[] {
  const names = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const name = line.replace(/#.*$/, '').trim().replace(/\s+/g, ' ');
    if (name) names.add(name);
  }
  return [...names];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A whole-word, case-insensitive pattern; spaces in a name match any run of spaces, dashes or a line break. */
function namePattern(name: string): RegExp {
  const body = name
    .split(' ')
    .map(escapeRegExp)
    .join('[\\s\\-_]+');
  // Not inside a longer word or number ("1,764" is not "764").
  return new RegExp(`(?<![\\p{L}\\p{N}]|\\p{N}[,.])${body}(?![\\p{L}\\p{N}]|[,.]\\p{N})`, 'giu');
}

/**
 * Every deny-listed name in `text`, with its line. A name split over two lines
 * (as folded YAML text is) is found at the line where it starts.
 */
export function scanDeniedNames(file: string, text: string, names: readonly string[]): Problem[] {
  if (names.length === 0) return [];
  const problems: Problem[] = [];
  const lineStarts = [0];
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lineStarts.push(at + 1);
  const lineOf = (offset: number) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (lineStarts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
  const found: { start: number; end: number; text: string }[] = [];
  for (const name of names) {
    for (const match of text.matchAll(namePattern(name))) {
      found.push({ start: match.index ?? 0, end: (match.index ?? 0) + match[0].length, text: match[0] });
    }
  }
  // "Brenton Tarrant" also contains "Tarrant": report each place once, by its longest name.
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  let reachedTo = -1;
  for (const hit of found) {
    if (hit.end <= reachedTo) continue;
    reachedTo = hit.end;
    problems.push({
      file,
      line: lineOf(hit.start),
      message: `names "${hit.text.replace(/\s+/g, ' ')}", on the list of attackers and notoriety-seeking groups that student text never names (${DENY_NAMES_FILE}): describe the event or what the group does instead`,
    });
  }
  return problems.sort((a, b) => a.line - b.line);
}
