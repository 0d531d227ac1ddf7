// Random identifiers and the codes people type. Codes avoid characters that
// are easy to mix up (0/O, 1/l/I).
import { randomInt, randomUUID } from 'node:crypto';

/** 80 random bits as 20 hex digits; randomUUID draws from a buffered pool, which matters on the submission path. */
export function newId(): string {
  const uuid = randomUUID();
  return uuid.slice(0, 8) + uuid.slice(9, 13) + uuid.slice(15, 18) + uuid.slice(20, 23) + uuid.slice(24, 26);
}

const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const PASSWORD_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export function randomCode(length: number, alphabet = CODE_ALPHABET): string {
  let code = '';
  for (let i = 0; i < length; i++) code += alphabet[randomInt(alphabet.length)];
  return code;
}

/** Codes are typed by people: case, spaces and dashes do not matter. */
export function normaliseCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]+/g, '');
}

/** A temporary password a teacher can read out: three groups of four. */
export function temporaryPassword(): string {
  return [0, 1, 2].map(() => randomCode(4, PASSWORD_ALPHABET)).join('-');
}
