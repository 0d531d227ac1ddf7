// The ten techniques the course teaches, and which one each lesson is mainly
// about (/work/shared PRACTICE-FORMAT: lessons 11 and 12 mix several, so
// their questions count for a technique only when they name one).

export const TECHNIQUES = [
  { id: 'utopia', name: 'Utopia framing' },
  { id: 'grievance', name: 'Grievance and revenge' },
  { id: 'us-vs-them', name: 'Us versus them' },
  { id: 'branding', name: 'Branding and impersonation' },
  { id: 'humour', name: 'Humour, memes and games' },
  { id: 'fake-volume', name: 'Fake volume' },
  { id: 'love-bombing', name: 'Love-bombing and isolation' },
  { id: 'fear', name: 'Fear and intimidation' },
  { id: 'urgency', name: 'Urgency and calls to act' },
  { id: 'belonging', name: 'Belonging and adventure' },
] as const;

export type TechniqueId = (typeof TECHNIQUES)[number]['id'];

export const TECHNIQUE_IDS: readonly string[] = TECHNIQUES.map((technique) => technique.id);

export function isTechnique(value: unknown): value is TechniqueId {
  return typeof value === 'string' && TECHNIQUE_IDS.includes(value);
}

export function techniqueName(id: string): string {
  return TECHNIQUES.find((technique) => technique.id === id)?.name ?? id;
}

/** Lesson id -> its main technique. */
export const LESSON_TECHNIQUE: Readonly<Record<string, TechniqueId>> = {
  'recruitment-funnel': 'belonging',
  'paradise-on-screen': 'utopia',
  'grievance-and-revenge': 'grievance',
  'us-versus-them': 'us-vs-them',
  'the-brand': 'branding',
  'memes-games-music': 'humour',
  'fake-volume': 'fake-volume',
  'feed-to-private-chat': 'love-bombing',
  'fear-as-a-weapon': 'fear',
  'urgency-and-the-call': 'urgency',
};

/** A quiz question's technique: its own `technique:`, else its lesson's main one, else none. */
export function techniqueOfQuestion(lessonId: string, question: { technique?: string }): TechniqueId | null {
  if (isTechnique(question.technique)) return question.technique;
  return LESSON_TECHNIQUE[lessonId] ?? null;
}
