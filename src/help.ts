// Where to get help. A school puts its own contacts and local helplines in
// DATA_DIR/help.yaml; the file is re-read when it changes, so no restart is
// needed. A teen who opens the help page must never find it empty, so until a
// school adds its own helplines the page shows a short national (UK) list.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseYamlFile } from './content/schema.ts';
import { isAllowedHref } from './content/markdown.ts';

const contactSchema = z.strictObject({
  name: z.string().trim().min(1),
  details: z.string().trim().min(1).optional(),
  phone: z.string().trim().min(1).optional(),
  url: z.string().trim().refine((url) => /^https?:\/\//.test(url) && isAllowedHref(url), 'must start with https://').optional(),
  hours: z.string().trim().min(1).optional(),
});

const helpFileSchema = z.strictObject({
  school: z.string().trim().min(1).optional(),
  contacts: z.array(contactSchema).default([]),
  helplines: z.array(contactSchema).default([]),
});

export type HelpInfo = z.infer<typeof helpFileSchema>;
export type Helpline = HelpInfo['helplines'][number];

/** What the help page shows: the school's file, with the national list standing in for missing helplines. */
export interface HelpPage extends HelpInfo {
  /** true when the school configured no helplines and these are the national defaults */
  helplinesAreDefault: boolean;
  /** where the default helplines work, so a school elsewhere sees at once that it must add its own */
  defaultHelplinesRegion?: string;
}

export interface HelpContacts {
  current(): HelpPage;
}

/** Free national services in the UK, shown until a school lists its own. */
export const DEFAULT_HELPLINES_REGION = 'UK';
export const DEFAULT_HELPLINES: readonly Helpline[] = Object.freeze([
  {
    name: 'Childline',
    details: 'Free, private help for anyone under 19, about anything that worries you. You can call, chat online or send an email.',
    phone: '0800 1111',
    url: 'https://www.childline.org.uk',
    hours: 'Any time, day or night',
  },
  {
    name: 'Shout',
    details: 'Free text support when you feel you cannot cope. Text SHOUT to 85258.',
    url: 'https://giveusashout.org',
    hours: 'Any time, day or night',
  },
  {
    name: 'Samaritans',
    details: 'Someone to talk to about anything, for people of any age.',
    phone: '116 123',
    url: 'https://www.samaritans.org',
    hours: 'Any time, day or night',
  },
  {
    name: 'ACT Early Support Line',
    details: 'For anyone worried that a friend or family member is being drawn into extremism. Trained Prevent officers listen and give advice, in confidence.',
    phone: '0800 011 3764',
    url: 'https://actearly.uk',
    hours: '9am to 5pm every day',
  },
]);

export function helpPage(info: HelpInfo): HelpPage {
  if (info.helplines.length) return { ...info, helplinesAreDefault: false };
  return {
    ...info,
    helplines: DEFAULT_HELPLINES.map((line) => ({ ...line })),
    helplinesAreDefault: true,
    defaultHelplinesRegion: DEFAULT_HELPLINES_REGION,
  };
}

export const HELP_FILE = 'help.yaml';

export function parseHelpFile(file: string, source: string): HelpInfo {
  return parseYamlFile(file, source, helpFileSchema);
}

/** Throws at start-up on a broken file; later a broken edit keeps the last good version. */
export function helpContacts(dataDir: string): HelpContacts {
  const file = path.join(dataDir, HELP_FILE);
  let cached: HelpInfo = { contacts: [], helplines: [] };
  let cachedTime = -1;
  const read = (strict: boolean) => {
    let mtime: number;
    try {
      mtime = statSync(file).mtimeMs;
    } catch {
      cached = { contacts: [], helplines: [] };
      cachedTime = -1;
      return;
    }
    if (mtime === cachedTime) return;
    try {
      cached = parseHelpFile(file, readFileSync(file, 'utf8'));
      cachedTime = mtime;
    } catch (error) {
      if (strict) throw error;
      console.error(error);
    }
  };
  read(true);
  return {
    current() {
      read(false);
      return helpPage(cached);
    },
  };
}
