import { randomBytes } from 'node:crypto';

/**
 * The farm key is the one shared secret of a farm. It is shown to the user as a pairing
 * code (`farmhand key`) and given to every agent. It never crosses the wire: the TLS channel's
 * pre-shared key is derived from it (tls-psk.ts).
 */
const KEY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'; // no 0/o, 1/l/i: readable aloud
const KEY_GROUPS = 6;
const KEY_GROUP_LENGTH = 5;
const KEY_PATTERN = new RegExp(`^[${KEY_ALPHABET}]{${KEY_GROUP_LENGTH}}(-[${KEY_ALPHABET}]{${KEY_GROUP_LENGTH}}){${KEY_GROUPS - 1}}$`);

export class FarmKeyError extends Error {
  override name = 'FarmKeyError';
}

/** A new random farm key such as `k7p2q-…` (6 groups of 5 from 31 symbols: ~148 bits). */
export function generateFarmKey(): string {
  const limit = 256 - (256 % KEY_ALPHABET.length); // rejection sampling keeps the alphabet uniform
  const symbols: string[] = [];
  while (symbols.length < KEY_GROUPS * KEY_GROUP_LENGTH) {
    for (const byte of randomBytes(64)) {
      if (byte < limit && symbols.length < KEY_GROUPS * KEY_GROUP_LENGTH) symbols.push(KEY_ALPHABET[byte % KEY_ALPHABET.length]!);
    }
  }
  const groups: string[] = [];
  for (let g = 0; g < KEY_GROUPS; g++) groups.push(symbols.slice(g * KEY_GROUP_LENGTH, (g + 1) * KEY_GROUP_LENGTH).join(''));
  return groups.join('-');
}

/** Normalises a key typed by a user (case, spaces) and checks its shape; throws FarmKeyError with the fix. */
export function parseFarmKey(input: string | undefined, source = 'the farm key'): string {
  if (input === undefined || input.trim() === '') {
    throw new FarmKeyError(`No farm key was given: pass ${source === 'the farm key' ? '--farm-key KEY or set FARMHAND_FARM_KEY' : source} (run \`farmhand key\` on the controller to see it).`);
  }
  const key = input.trim().toLowerCase().replace(/\s+/g, '');
  if (!KEY_PATTERN.test(key)) {
    throw new FarmKeyError(`The farm key from ${source} is malformed: expected ${KEY_GROUPS} groups of ${KEY_GROUP_LENGTH} letters/digits like "abcde-fghjk-…"; copy it again from \`farmhand key\`.`);
  }
  return key;
}
