// The check-up item bank (assessments/items.yaml): matched pairs of invented
// items, one using a technique and its neutral twin, grouped in parallel forms.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CARD_TYPES, renderCard } from '../content/cards.ts';
import { parseYamlFile } from '../content/schema.ts';

const itemSchema = z.strictObject({
  type: z.enum(CARD_TYPES),
  from: z.string().trim().min(1).optional(),
  text: z.string().trim().min(1),
  explanation: z.string().trim().min(1),
});

const bankSchema = z.strictObject({
  techniques: z.record(z.string().regex(/^[a-z-]+$/), z.string().trim().min(1)),
  pairs: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/),
        technique: z.string(),
        form: z.enum(['A', 'B', 'C']),
        manipulative: itemSchema,
        neutral: itemSchema,
      }),
    )
    .min(1),
});

export type Form = 'A' | 'B' | 'C';

export interface BankItem {
  /** `${pairId}-m` or `${pairId}-n`: stored in sittings and responses, shown only to teachers (CSV) */
  id: string;
  /** what pages and JSON show a student: a hash that says nothing about the item's kind */
  publicId: string;
  /** from the retired bank: kept so old sittings still show and score, never in a new sitting */
  retired: boolean;
  pairId: string;
  technique: string;
  techniqueName: string;
  form: Form;
  manipulative: boolean;
  type: (typeof CARD_TYPES)[number];
  from?: string;
  text: string;
  explanation: string;
  html: string;
}

export interface ItemBank {
  items: Map<string, BankItem>;
  /** by the id a student's page shows */
  byPublicId: Map<string, BankItem>;
  techniques: Record<string, string>;
  form(name: Form): BankItem[];
}

/** `i` + 10 hex digits of a hash of the stored id: the same every time, with no `-m` or `-n` to read. */
export function publicItemId(id: string): string {
  return `i${createHash('sha256').update(`framecheck-checkup-item\u0000${id}`).digest('hex').slice(0, 10)}`;
}

function readPairs(file: string, source: string, retired: boolean, items: Map<string, BankItem>): Record<string, string> {
  const { techniques, pairs } = parseYamlFile(file, source, bankSchema);
  pairs.forEach((pair, index) => {
    if (!techniques[pair.technique]) throw new Error(`${file}: pairs.${index}.technique: unknown technique "${pair.technique}"`);
    for (const manipulative of [true, false]) {
      const source = manipulative ? pair.manipulative : pair.neutral;
      const id = `${pair.id}-${manipulative ? 'm' : 'n'}`;
      if (items.has(id)) throw new Error(`${file}: pairs.${index}.id: duplicate pair id "${pair.id}"${items.get(id)!.retired !== retired ? ' (also in the other bank file)' : ''}`);
      items.set(id, {
        id,
        publicId: publicItemId(id),
        retired,
        pairId: pair.id,
        technique: pair.technique,
        techniqueName: techniques[pair.technique],
        form: pair.form,
        manipulative,
        type: source.type,
        from: source.from,
        text: source.text,
        explanation: source.explanation,
        html: renderCard({ type: source.type, from: source.from, text: source.text }),
      });
    }
  });
  return techniques;
}

/**
 * The bank from assessments/items.yaml, plus the items of retired banks
 * (assessments/retired-items.yaml): those are never given in a new sitting,
 * but sittings taken with them still show and score.
 */
export function parseItemBank(file: string, source: string, retired?: { file: string; source: string }): ItemBank {
  const items = new Map<string, BankItem>();
  const techniques = readPairs(file, source, false, items);
  if (retired) {
    const old = readPairs(retired.file, retired.source, true, items);
    for (const [id, name] of Object.entries(old)) techniques[id] ??= name;
  }
  const byForm = (name: Form) => [...items.values()].filter((item) => item.form === name && !item.retired);
  const techniquesOf = (name: Form) => new Set(byForm(name).map((item) => item.technique));
  const a = techniquesOf('A');
  const b = techniquesOf('B');
  if (a.size !== b.size || [...a].some((technique) => !b.has(technique))) {
    throw new Error(`${file}: forms A and B must cover the same techniques (they are parallel forms)`);
  }
  const byPublicId = new Map([...items.values()].map((item) => [item.publicId, item]));
  if (byPublicId.size !== items.size) throw new Error(`${file}: two items have the same public id; rename a pair`);
  return { items, byPublicId, techniques, form: byForm };
}
