// Keyboard-only helpers: move with Tab and check every stop shows where focus is.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

export interface Focused {
  tag: string;
  id: string;
  name: string;
  type: string;
  value: string;
  href: string;
  text: string;
  className: string;
  checked: boolean;
  outline: string;
  /** a focus indicator of at least 2 px (outline) is drawn */
  indicator: boolean;
  /** the element is at least partly inside the viewport, not hidden off screen */
  onScreen: boolean;
}

export async function focused(page: Page): Promise<Focused | null> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (!element || element === document.body) return null;
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    const input = element as HTMLInputElement;
    return {
      tag: element.tagName.toLowerCase(),
      id: element.id,
      name: element.getAttribute('name') ?? '',
      type: element.getAttribute('type') ?? '',
      value: input.value ?? '',
      href: element.getAttribute('href') ?? '',
      text: (element.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 80),
      className: typeof element.className === 'string' ? element.className : '',
      checked: Boolean(input.checked),
      outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
      indicator: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
      onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < window.innerHeight && box.right > 0 && box.left < window.innerWidth,
    };
  });
}

function describe(stop: Focused | null): string {
  if (!stop) return 'nothing (body)';
  return `<${stop.tag}${stop.id ? `#${stop.id}` : ''}${stop.name ? ` name=${stop.name}` : ''}${stop.href ? ` href=${stop.href}` : ''}> "${stop.text}"`;
}

/** Asserts that the focused element is on screen with a visible focus indicator. */
export function assertVisibleFocus(stop: Focused | null, where: string): asserts stop is Focused {
  assert.ok(stop, `${where}: focus went nowhere`);
  if (stop.tag === 'main') return; // the skip link's target: focused by script-free #main, not a tab stop
  assert.ok(stop.indicator, `${where}: no visible focus indicator on ${describe(stop)} (outline: ${stop.outline})`);
  assert.ok(stop.onScreen, `${where}: focused ${describe(stop)} is off screen`);
}

/** Presses Tab (or Shift+Tab) once and returns the new stop, checked for a visible indicator. */
export async function tab(page: Page, where: string, key = 'Tab'): Promise<Focused> {
  await page.keyboard.press(key);
  const stop = await focused(page);
  assertVisibleFocus(stop, where);
  return stop;
}

/** Presses Tab until `wanted` matches, checking every stop on the way. */
export async function tabTo(page: Page, what: string, wanted: (stop: Focused) => boolean, limit = 150): Promise<Focused> {
  const seen: string[] = [];
  for (let presses = 0; presses < limit; presses++) {
    const stop = await tab(page, `tabbing to ${what}`);
    if (wanted(stop)) return stop;
    seen.push(describe(stop));
  }
  throw new Error(`could not reach ${what} with ${limit} Tab presses; went through: ${seen.slice(-15).join(', ')}`);
}
