/** The Go variables a run hands on, in a fixed order, with and without credentials. */
import type { GoEnvKey } from '../constants.js';
import type { Configured } from './configure.js';

export interface GoVariable {
  readonly name: GoEnvKey;
  /** As Go must see it (the private proxy's credentials included). */
  readonly value: string;
  /** Credential-free, for everything a person or an artifact sees. */
  readonly display: string;
}

/** Non-empty variables only: an empty GOPROXY= line breaks Go 1.21+, and empty means "Go's default" anyway. */
export function goVariables(configured: Configured): GoVariable[] {
  const { settings, display } = configured.selection;
  const all: GoVariable[] = [
    { name: 'GOPROXY', value: settings.GOPROXY, display: display.GOPROXY },
    { name: 'GOSUMDB', value: settings.GOSUMDB, display: display.GOSUMDB },
    { name: 'GOPRIVATE', value: configured.goprivate, display: configured.goprivate },
    { name: 'GONOPROXY', value: settings.GONOPROXY, display: display.GONOPROXY },
    { name: 'GONOSUMDB', value: settings.GONOSUMDB, display: display.GONOSUMDB },
  ];
  return all.filter((v) => v.value !== '');
}

/** True when writing the display form would lose credentials Go needs (a private proxy with user info). */
export function carriesCredentials(variables: readonly GoVariable[]): boolean {
  return variables.some((v) => v.value !== v.display);
}
