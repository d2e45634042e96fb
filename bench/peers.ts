/**
 * The two peer strategies, reproduced faithfully (failure-modes.md §2) so the benchmark can time
 * a real download through the mirror each would pick.
 *
 * nrm (Pana/nrm `onTest`): one `fetch` per registry, all at once (`Promise.all`), each with
 * `AbortSignal.timeout(5000)`; the time is `Date.now()` around `await fetch(...)`, which resolves
 * at the response headers (DNS + connect + TLS + time to first byte; the body is never read);
 * `success = response.ok`; the fastest successful registry wins.
 *
 * chsrc: per source, one after the other, `curl -qsL -m 8` of a big file and curl's
 * `%{speed_download}` = bytes received / total time (connect and TLS included); the HTTP code is
 * printed but not used, so any body counts, a 403 page included; the highest bytes/s wins.
 * chsrc has no test URL for proxy.golang.org (score −1, chsrc#289), so the default never wins.
 */
import { Agent, fetch } from 'undici';

export interface PeerMirror {
  readonly name: string;
  readonly url: string;
}

export interface NrmSample {
  readonly name: string;
  readonly success: boolean;
  readonly timeMs: number;
  readonly isTimeout: boolean;
  readonly status: number | null;
}

export interface PeerPick<S> {
  /** Mirror name, or null when nothing qualified. */
  readonly pick: string | null;
  readonly samples: readonly S[];
  /** How long the strategy itself took to decide. */
  readonly wallMs: number;
}

const NRM_TIMEOUT_MS = 5000;
const CHSRC_MAX_TIME_MS = 8000;

/** Trusts the simulator's CA only: parsing the whole root store per agent would bill nrm for our setup. */
function agentTrusting(caPem: string): Agent {
  return new Agent({ connect: { ca: caPem } });
}

/**
 * One unmeasured fetch first: undici's fetch loads lazily, and its first call would be charged to
 * whichever mirror happens to go first.
 */
async function warmUpFetch(url: string, caPem: string): Promise<void> {
  const agent = agentTrusting(caPem);
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000), dispatcher: agent });
    await response.arrayBuffer();
  } catch {
    // Only the warm-up.
  } finally {
    await agent.destroy();
  }
}

/** nrm's `test`: concurrent single GETs of a small document (`<module>/@v/list`). */
export async function nrmPick(
  mirrors: readonly PeerMirror[],
  documentPath: string,
  caPem: string,
  warmUpUrl: string,
): Promise<PeerPick<NrmSample>> {
  await warmUpFetch(warmUpUrl, caPem);
  const agent = agentTrusting(caPem);
  const started = performance.now();
  try {
    const samples = await Promise.all(
      mirrors.map(async ({ name, url }): Promise<NrmSample> => {
        const start = Date.now();
        let success = false;
        let isTimeout = false;
        let status: number | null = null;
        try {
          const response = await fetch(`${url}/${documentPath}`, {
            signal: AbortSignal.timeout(NRM_TIMEOUT_MS),
            dispatcher: agent,
          });
          status = response.status;
          success = response.ok;
        } catch (error) {
          isTimeout = (error as Error).name === 'TimeoutError';
        }
        return { name, success, timeMs: Date.now() - start, isTimeout, status };
      }),
    );
    const wallMs = performance.now() - started;
    const [fastest] = samples.filter((s) => s.success).sort((a, b) => a.timeMs - b.timeMs);
    return { pick: fastest?.name ?? null, samples, wallMs };
  } finally {
    // Unread bodies and the blackholed connection must not outlive the measurement.
    await agent.destroy();
  }
}

export interface ChsrcSample {
  readonly name: string;
  /** Bytes per second as curl's speed_download computes it; 0 when nothing arrived; null: not measured. */
  readonly bytesPerSec: number | null;
  readonly bytes: number;
  readonly elapsedMs: number;
  /** curl's `%{http_code}`: printed by chsrc, not used; 0 when no response arrived. */
  readonly httpCode: number;
  readonly note?: string;
}

/**
 * chsrc's measurement: each mirror in turn, one download of `filePath`, at most 8 s. Mirrors named
 * in `unmeasured` get no URL (chsrc's proxy.golang.org) and can never win.
 */
export async function chsrcPick(
  mirrors: readonly PeerMirror[],
  filePath: string,
  caPem: string,
  unmeasured: readonly string[],
  warmUpUrl: string,
): Promise<PeerPick<ChsrcSample>> {
  await warmUpFetch(warmUpUrl, caPem);
  const started = performance.now();
  const samples: ChsrcSample[] = [];
  for (const mirror of mirrors) {
    if (unmeasured.includes(mirror.name)) {
      samples.push({
        name: mirror.name,
        bytesPerSec: null,
        bytes: 0,
        elapsedMs: 0,
        httpCode: 0,
        note: 'no test URL (chsrc#289)',
      });
      continue;
    }
    samples.push(await curlSpeed(mirror, filePath, caPem));
  }
  const wallMs = performance.now() - started;
  let best: ChsrcSample | null = null;
  for (const s of samples) {
    if (s.bytesPerSec === null || s.bytesPerSec <= 0) continue;
    if (best === null || s.bytesPerSec > best.bytesPerSec!) best = s;
  }
  return { pick: best?.name ?? null, samples, wallMs };
}

/** `curl -qsL -m 8 -o /dev/null -w '%{http_code} %{speed_download}'`, on a fresh connection. */
async function curlSpeed(
  mirror: PeerMirror,
  filePath: string,
  caPem: string,
): Promise<ChsrcSample> {
  const agent = agentTrusting(caPem);
  const signal = AbortSignal.timeout(CHSRC_MAX_TIME_MS);
  const start = performance.now();
  let bytes = 0;
  let httpCode = 0;
  try {
    const response = await fetch(`${mirror.url}/${filePath}`, {
      signal,
      dispatcher: agent,
      redirect: 'follow',
    });
    httpCode = response.status;
    if (response.body) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
      }
    }
  } catch {
    // Timeout (curl exit 28) or a transport error: curl still reports what it received.
  } finally {
    await agent.destroy();
  }
  const elapsedMs = performance.now() - start;
  return {
    name: mirror.name,
    bytesPerSec: elapsedMs > 0 ? bytes / (elapsedMs / 1000) : 0,
    bytes,
    elapsedMs,
    httpCode,
  };
}
