// The check-up item bank (assessments/items.yaml): matched pairs of invented
// items, one using a technique and its neutral twin, grouped in parallel forms.
import { readFileSync } from 'node:fs';
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
  /** `${pairId}-m` or `${pairId}-n` */
  id: string;
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
  techniques: Record<string, string>;
  form(name: Form): BankItem[];
}

export function parseItemBank(file: string, source: string): ItemBank {
  const { techniques, pairs } = parseYamlFile(file, source, bankSchema);
  const items = new Map<string, BankItem>();
  pairs.forEach((pair, index) => {
    if (!techniques[pair.technique]) throw new Error(`${file}: pairs.${index}.technique: unknown technique "${pair.technique}"`);
    for (const manipulative of [true, false]) {
      const source = manipulative ? pair.manipulative : pair.neutral;
      const id = `${pair.id}-${manipulative ? 'm' : 'n'}`;
      if (items.has(id)) throw new Error(`${file}: pairs.${index}.id: duplicate pair id "${pair.id}"`);
      items.set(id, {
        id,
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
  const byForm = (name: Form) => [...items.values()].filter((item) => item.form === name);
  const techniquesOf = (name: Form) => new Set(byForm(name).map((item) => item.technique));
  const a = techniquesOf('A');
  const b = techniquesOf('B');
  if (a.size !== b.size || [...a].some((technique) => !b.has(technique))) {
    throw new Error(`${file}: forms A and B must cover the same techniques (they are parallel forms)`);
  }
  return { items, techniques, form: byForm };
}

export function loadItemBank(file: string): ItemBank {
  return parseItemBank(file, readFileSync(file, 'utf8'));
}
