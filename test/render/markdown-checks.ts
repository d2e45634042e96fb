/** Structural checks on rendered markdown: every block the renderer opens is closed. */
import { expect } from 'vitest';

export function expectWellFormedMarkdown(md: string): void {
  const count = (re: RegExp): number => md.match(re)?.length ?? 0;
  expect(count(/<details>/g)).toBe(count(/<\/details>/g));
  expect(count(/<summary>/g)).toBe(count(/<\/summary>/g));
  expect(count(/<code>/g)).toBe(count(/<\/code>/g));
  expect(count(/<sub>/g)).toBe(count(/<\/sub>/g));
  // Fences open and close in pairs.
  expect(count(/^`{3,}/gm) % 2).toBe(0);
  // Each table row has as many cell separators as its header.
  let columns: number | null = null;
  for (const line of md.split('\n')) {
    if (!line.startsWith('|')) {
      columns = null;
      continue;
    }
    const pipes = line.split('|').length - 1;
    if (columns === null) columns = pipes;
    else expect(pipes, line).toBe(columns);
  }
}
