/** A configuration problem the user must fix: reported as one line, never with a stack trace. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** Formats any thrown value as one line for the user. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
