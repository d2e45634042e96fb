/**
 * Did a mirror serve what the checksum database signed? Per mirror and module version: an empty
 * `.mod` is `empty-mod`; a `.mod` (or a whole `.zip`) whose `h1:` differs from the reference is a
 * `mismatch`. The reference is the signed database record, else a hash pinned in the code for a
 * built-in module, else what a strict majority of the mirrors served (`agreed`; the odd one out is
 * the `mismatch`).
 */
import { EMPTY_GO_MOD_HASH } from '../goenv/dirhash.js';
import type { ModuleHashes } from '../goenv/note.js';
import type { IntegrityResult } from '../report/types.js';
import { PINNED_HASHES } from './modules.js';

export interface IntegrityInput {
  readonly id: string;
  readonly isPrivate: boolean;
  readonly modHashes: Readonly<Record<string, string>>;
  readonly zipHashes: Readonly<Record<string, string>>;
}

export interface IntegrityVerdict {
  readonly integrity: IntegrityResult;
  readonly detail: string;
}

export interface IntegrityOptions {
  /** Signed hashes from the checksum database, keyed by `path@version`. */
  readonly signed: Readonly<Record<string, ModuleHashes>>;
  /**
   * Mirrors still being probed: their votes could change a majority, so agreement must hold even
   * if they all disagreed (used by the early stop; 0 for the final verdict).
   */
  readonly undecidedVotes?: number;
}

/** `unchecked-zip`: zips are fetched from the leaders only, so a lone zip without a record is neutral. */
type KeyVerdict = {
  kind: 'verified' | 'pinned' | 'agreed' | 'mismatch' | 'empty' | 'unchecked' | 'unchecked-zip';
  text: string;
};

export function judgeIntegrity(
  mirrors: readonly IntegrityInput[],
  options: IntegrityOptions,
): Map<string, IntegrityVerdict> {
  const out = new Map<string, IntegrityVerdict>();
  const publicMirrors = mirrors.filter((m) => !m.isPrivate);
  for (const mirror of mirrors) {
    if (mirror.isPrivate) {
      out.set(mirror.id, {
        integrity: 'unchecked',
        detail: 'private modules are not in the checksum database (GONOSUMDB)',
      });
      continue;
    }
    const verdicts: KeyVerdict[] = [];
    for (const [key, hash] of Object.entries(mirror.modHashes)) {
      verdicts.push(
        judgeFile(key, 'go.mod', hash, mirror, publicMirrors, options, (m) => m.modHashes[key]),
      );
    }
    for (const [key, hash] of Object.entries(mirror.zipHashes)) {
      verdicts.push(
        judgeFile(key, 'zip', hash, mirror, publicMirrors, options, (m) => m.zipHashes[key]),
      );
    }
    out.set(mirror.id, summarize(verdicts));
  }
  return out;
}

function judgeFile(
  key: string,
  what: 'go.mod' | 'zip',
  hash: string,
  _mirror: IntegrityInput,
  all: readonly IntegrityInput[],
  options: IntegrityOptions,
  pick: (m: IntegrityInput) => string | undefined,
): KeyVerdict {
  if (what === 'go.mod' && hash === EMPTY_GO_MOD_HASH)
    return { kind: 'empty', text: `${key}: empty .mod served (${EMPTY_GO_MOD_HASH})` };
  const signed = options.signed[key];
  const signedHash = what === 'go.mod' ? signed?.mod : signed?.zip;
  if (signedHash) {
    return signedHash === hash
      ? { kind: 'verified', text: `${key} ${what} matches the checksum database` }
      : {
          kind: 'mismatch',
          text: `${key} ${what}: served ${hash}, checksum database has ${signedHash}`,
        };
  }
  const pinned = PINNED_HASHES[key];
  const pinnedHash = what === 'go.mod' ? pinned?.mod : pinned?.zip;
  if (pinnedHash) {
    return pinnedHash === hash
      ? {
          kind: 'pinned',
          text: `${key} ${what} matches the hash pinned in go-proxy-setup (checksum database not reached)`,
        }
      : {
          kind: 'mismatch',
          text: `${key} ${what}: served ${hash}, expected ${pinnedHash} (pinned; checksum database not reached)`,
        };
  }
  const votes = new Map<string, number>();
  let voters = 0;
  for (const m of all) {
    const h = pick(m);
    if (h === undefined) continue;
    voters++;
    votes.set(h, (votes.get(h) ?? 0) + 1);
  }
  const undecided = options.undecidedVotes ?? 0;
  const [majority, count] = [...votes.entries()].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
  const others = voters - count;
  if (voters >= 2 && count > others + undecided) {
    return majority === hash
      ? {
          kind: 'agreed',
          text: `${key} ${what} agrees with ${count - 1} of ${voters - 1} other mirrors (checksum database not reached)`,
        }
      : {
          kind: 'mismatch',
          text: `${key} ${what}: served ${hash}, ${count} of ${voters} mirrors served ${majority} (checksum database not reached)`,
        };
  }
  return {
    kind: what === 'zip' ? 'unchecked-zip' : 'unchecked',
    text: `${key} ${what}: no checksum database record and no majority among ${voters} mirror(s)`,
  };
}

function summarize(verdicts: readonly KeyVerdict[]): IntegrityVerdict {
  if (verdicts.every((v) => v.kind === 'unchecked-zip'))
    return { integrity: 'unchecked', detail: 'no .mod was served' };
  const pick = (...kinds: KeyVerdict['kind'][]) => verdicts.filter((v) => kinds.includes(v.kind));
  const empty = pick('empty');
  if (empty.length > 0)
    return { integrity: 'empty-mod', detail: empty.map((v) => v.text).join('; ') };
  const mismatch = pick('mismatch');
  if (mismatch.length > 0)
    return { integrity: 'mismatch', detail: mismatch.map((v) => v.text).join('; ') };
  const unchecked = pick('unchecked');
  if (unchecked.length > 0)
    return { integrity: 'unchecked', detail: unchecked.map((v) => v.text).join('; ') };
  const agreed = pick('agreed', 'unchecked-zip');
  if (pick('agreed').length > 0)
    return { integrity: 'agreed', detail: agreed.map((v) => v.text).join('; ') };
  const pinned = pick('pinned');
  if (pinned.length > 0)
    return { integrity: 'verified', detail: pinned.map((v) => v.text).join('; ') };
  return {
    integrity: 'verified',
    detail: `${verdicts.length} file(s) match the checksum database`,
  };
}
