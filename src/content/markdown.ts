// Owns the one Marked instance. Raw HTML is shown as text, links are limited
// to http(s) and relative addresses, images become their alt text (every
// byte comes from this server), and fenced post/chat/headline/message blocks
// become example cards.
import { Marked, type Tokens } from 'marked';
import { cachedParse } from './parse-cache.ts';
import { CARD_TYPES, escapeHtml, parseCardBlock, renderCard, type CardType } from './cards.ts';

export function isAllowedHref(href: string): boolean {
  const trimmed = href.trim();
  if (/^https?:\/\//i.test(trimmed)) return true;
  // Relative: no scheme before the first slash, question mark or hash.
  return !/^[a-z][a-z0-9+.-]*:/i.test(trimmed) && !trimmed.startsWith('//');
}

export function isCardType(lang: string | undefined): lang is CardType {
  return (CARD_TYPES as readonly string[]).includes(lang ?? '');
}

const marked = new Marked({
  gfm: true,
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(token.text);
    },
    link(token: Tokens.Link) {
      const text = this.parser.parseInline(token.tokens);
      if (!isAllowedHref(token.href)) return text;
      const external = /^https?:/i.test(token.href);
      const title = token.title ? ` title="${escapeHtml(token.title)}"` : '';
      const rel = external ? ' rel="noopener noreferrer"' : '';
      return `<a href="${escapeHtml(token.href)}"${title}${rel}>${text}</a>`;
    },
    image(token: Tokens.Image) {
      return escapeHtml(token.text);
    },
    code(token: Tokens.Code) {
      const lang = token.lang?.trim().split(/\s+/)[0];
      if (isCardType(lang)) return renderCard(parseCardBlock(lang, token.text));
      return `<pre><code>${escapeHtml(token.text)}</code></pre>`;
    },
    heading(token: Tokens.Heading) {
      const text = this.parser.parseInline(token.tokens);
      const id = slugify(token.text);
      return `<h${token.depth} id="${id}">${text}</h${token.depth}>`;
    },
  },
});

export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export function renderMarkdown(source: string): string {
  return cachedParse('markdown', source, () => marked.parse(source, { async: false }));
}

export function lexMarkdown(source: string) {
  return marked.lexer(source);
}
