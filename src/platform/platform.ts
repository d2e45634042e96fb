/**
 * The one small interface between the orchestrators and a CI platform (GitHub, GitLab, plain CLI).
 * Only implementations of this interface touch @actions/* or write platform files.
 */
export interface AnnotationProps {
  readonly title?: string;
}

export interface Platform {
  readonly name: 'github' | 'gitlab' | 'cli';
  info(message: string): void;
  debug(message: string): void;
  notice(message: string, props?: AnnotationProps): void;
  warning(message: string, props?: AnnotationProps): void;
  error(message: string, props?: AnnotationProps): void;
  /** Registers a value that must never be printed (GitHub masks it in logs). */
  setSecret(value: string): void;
  /** Runs fn inside a collapsible log group. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** Makes a variable visible to later steps/jobs (GITHUB_ENV, GitLab dotenv). */
  exportVariable(name: string, value: string): void;
  setOutput(name: string, value: string): void;
  saveState(name: string, value: string): void;
  getState(name: string): string;
  /** Appends markdown to the job summary, if the platform has one; returns false when it has none. */
  appendSummary(markdown: string): Promise<boolean>;
}
