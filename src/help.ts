// Where to get help. A school puts its own contacts and local helplines in
// DATA_DIR/help.yaml; nothing local is hard-coded. The file is re-read when it
// changes, so no restart is needed.
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

export interface HelpContacts {
  current(): HelpInfo;
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
      return cached;
    },
  };
}
