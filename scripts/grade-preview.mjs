// Rough Flesch-Kincaid preview for writers: node scripts/grade-preview.mjs lessons/01-*.md
// (npm run check:content is the real check.)
import { readFileSync } from 'node:fs';
import rs from 'text-readability';
for (const file of process.argv.slice(2)) {
  const body = readFileSync(file, 'utf8').replace(/^---[\s\S]*?\n---\n/, '');
  const text = body
    .replace(/^```.*$/gm, '')
    .replace(/^(from|label):.*$/gm, '')
    .replace(/^---$/gm, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^#+\s*(.*)$/gm, '$1.')
    .replace(/^\s*[-*]\s+/gm, '')
    .replace(/[*_`>#]/g, '');
  const words = text.split(/\s+/).filter(Boolean).length;
  console.log(`${file}: grade ${rs.fleschKincaidGrade(text).toFixed(1)}, ${words} words`);
}
