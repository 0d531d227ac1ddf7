// Example cards: an invented post, chat, headline or message shown as a
// styled block that reads as "an example" to the eye and to a screen reader.
import { z } from 'zod';

export const CARD_TYPES = ['post', 'chat', 'headline', 'message'] as const;
export type CardType = (typeof CARD_TYPES)[number];

export const cardSchema = z.strictObject({
  type: z.enum(CARD_TYPES),
  label: z.string().trim().min(1).optional(),
  from: z.string().trim().min(1).optional(),
  text: z.string().trim().min(1, 'a card needs text'),
  /**
   * For authors and the content checker only: this card is the one that uses
   * the technique, in a question that compares two cards. Never sent to a page
   * or a JSON answer, since it is the answer.
   */
  manipulative: z.boolean().optional(),
});
export type Card = z.infer<typeof cardSchema>;

const NOUN: Record<CardType, string> = {
  post: 'Example post',
  chat: 'Example chat',
  headline: 'Example headline',
  message: 'Example message',
};

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Parses a fenced block body: optional `from:`/`label:` lines ended by `---`, then the text. */
export function parseCardBlock(type: CardType, body: string): Card {
  const lines = body.replace(/\s+$/, '').split('\n');
  const separator = lines.indexOf('---');
  const header: Record<string, string> = {};
  let textLines = lines;
  if (separator >= 0 && lines.slice(0, separator).every((line) => /^(from|label):/.test(line))) {
    for (const line of lines.slice(0, separator)) {
      const at = line.indexOf(':');
      header[line.slice(0, at)] = line.slice(at + 1).trim();
    }
    textLines = lines.slice(separator + 1);
  }
  return { type, from: header.from || undefined, label: header.label || undefined, text: textLines.join('\n').trim() };
}

export function renderCard(card: Card): string {
  const caption =
    `<span class="card-kind">${NOUN[card.type]}</span>` +
    (card.label ? ` <span class="card-label">${escapeHtml(card.label)}</span>` : '') +
    ' <span class="visually-hidden">(invented for practice)</span>';
  const from = card.from ? `<p class="card-from">${escapeHtml(card.from)}</p>` : '';
  return (
    `<figure class="card card-${card.type}">` +
    `<figcaption>${caption}</figcaption>` +
    from +
    `<div class="card-body">${card.type === 'chat' ? renderChat(card.text) : renderParagraphs(card.text)}</div>` +
    `</figure>`
  );
}

function renderParagraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => `<p>${escapeHtml(paragraph.trim()).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

function renderChat(text: string): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const items = lines.map((line) => {
    const match = /^([^:]{1,40}):\s*(.*)$/.exec(line);
    if (!match) return `<li>${escapeHtml(line.trim())}</li>`;
    return `<li><span class="chat-name">${escapeHtml(match[1].trim())}:</span> ${escapeHtml(match[2])}</li>`;
  });
  return `<ul class="chat">${items.join('')}</ul>`;
}
