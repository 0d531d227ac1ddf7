// Random identifiers and the codes people type. Codes avoid characters that
// are easy to mix up (0/O, 1/l/I).
import { randomBytes, randomInt } from 'node:crypto';

export function newId(): string {
  return randomBytes(12).toString('hex');
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
