/**
 * ACTIONS_CACHE_MODE, which the runner may export to restrict the cache (`read`, `write`,
 * `write-only`, `none`) and which @actions/cache 6.3 obeys silently: a forbidden restore looks like
 * a miss and a forbidden save returns -1. Knowing the mode lets the log name the real reason.
 * Unset or unknown values permit everything, as in the library.
 */
import type { Env } from './modcache.js';

const READABLE = new Set(['read', 'write']);
const WRITABLE = new Set(['write', 'write-only']);
const KNOWN = new Set(['none', 'read', 'write', 'write-only']);

/** The mode (lower-case) when it forbids `access`, else null. */
export function cacheModeForbids(env: Env, access: 'read' | 'write'): string | null {
  const mode = (env.ACTIONS_CACHE_MODE ?? '').trim().toLowerCase();
  if (!KNOWN.has(mode)) return null;
  const allowed = access === 'read' ? READABLE : WRITABLE;
  return allowed.has(mode) ? null : mode;
}
