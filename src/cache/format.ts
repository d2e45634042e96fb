/** Small wording helpers shared by the restore and save messages. */

export { formatBytes } from '../units.js';

export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
