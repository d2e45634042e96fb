/**
 * Our side: the probe and the selection exactly as src/orchestrators/configure.ts wires them
 * (candidates from the `mirrors` input, probe modules chosen from go.mod, the database from
 * GOSUMDB), with the action's realistic settings: timeout 10 s, max-mirrors 2, fallback direct.
 * They run in a worker (probe-worker.ts) watched by a heartbeat, so a probe that hangs is reported
 * as such instead of freezing the benchmark.
 */
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ProbeJob, ProbeOutcome, WorkerMessage } from './probe-protocol.js';

export const PROBE_TIMEOUT_MS = 10_000;
export const MAX_MIRRORS = 2;

/** No heartbeat for this long: the worker's event loop is blocked (its own deadline timer cannot fire). */
const STALL_MS = 3000;
/** The probe's own deadline plus this much: it ignored its deadline. */
const OVERRUN_MS = 5000;
/** A spinning probe allocates fast: stop it before it takes the machine's memory. */
const WORKER_HEAP_MB = 768;

const here = dirname(fileURLToPath(import.meta.url));

/** Where the probed sources come from: GPS_BENCH_SRC (a patched copy of src/), else ../src. */
export function sourceRoot(): string {
  return resolve(process.env.GPS_BENCH_SRC ?? join(here, '..', 'src'));
}

export type ProbeRequest = Omit<ProbeJob, 'id' | 'timeoutMs' | 'maxMirrors'>;

export class ProbeHost {
  #worker: Worker | null = null;
  #ready: Promise<void> | null = null;
  #nextId = 1;
  #lastBeat = 0;
  #listener: ((message: WorkerMessage) => void) | null = null;
  #exit: ((reason: string) => void) | null = null;

  constructor(private readonly srcRoot: string) {}

  /** Wall time of the warm-up run of each worker (cold: module loading and JIT), for the record. */
  readonly warmUps: ProbeOutcome[] = [];

  /**
   * Runs one probe. A fresh worker first runs the same job once unmeasured (a cold first run costs
   * module loading and JIT, which says nothing about the mirrors); if that hangs, so would this.
   */
  async run(request: ProbeRequest): Promise<ProbeOutcome> {
    if (!this.#worker) {
      const warmUp = await this.#runOnce(request);
      this.warmUps.push(warmUp);
      if (warmUp.kind !== 'done') return warmUp;
    }
    return this.#runOnce(request);
  }

  async #runOnce(request: ProbeRequest): Promise<ProbeOutcome> {
    const worker = await this.#start();
    const id = this.#nextId++;
    const job: ProbeJob = { ...request, id, timeoutMs: PROBE_TIMEOUT_MS, maxMirrors: MAX_MIRRORS };
    const started = performance.now();
    return new Promise<ProbeOutcome>((done) => {
      let finished = false;
      const finish = (outcome: ProbeOutcome) => {
        if (finished) return;
        finished = true;
        clearInterval(watch);
        this.#listener = null;
        this.#exit = null;
        done(outcome);
      };
      const hang = (message: string) => {
        finish({ kind: 'hung', message });
        void this.#kill();
      };
      this.#listener = (message) => {
        if (message.type === 'result' && message.id === id) finish(message.outcome);
      };
      this.#exit = (reason) => hang(reason);
      this.#lastBeat = performance.now();
      const watch = setInterval(() => {
        const now = performance.now();
        if (now - this.#lastBeat > STALL_MS)
          hang(
            `the probe's event loop stopped for > ${STALL_MS / 1000} s (no timer can fire, so its ${PROBE_TIMEOUT_MS / 1000} s deadline cannot either); worker terminated after ${Math.round((now - started) / 100) / 10} s`,
          );
        else if (now - started > PROBE_TIMEOUT_MS + OVERRUN_MS)
          hang(
            `the probe ran past its ${PROBE_TIMEOUT_MS / 1000} s deadline by ${OVERRUN_MS / 1000} s`,
          );
      }, 100);
      worker.postMessage(job);
    });
  }

  async close(): Promise<void> {
    await this.#kill();
  }

  #start(): Promise<Worker> {
    if (this.#worker && this.#ready) return this.#ready.then(() => this.#worker!);
    const worker = new Worker(join(here, 'probe-worker.ts'), {
      workerData: { srcRoot: this.srcRoot },
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    this.#worker = worker;
    this.#ready = new Promise<void>((ready, fail) => {
      worker.on('message', (message: WorkerMessage) => {
        this.#lastBeat = performance.now();
        if (message.type === 'ready') ready();
        else this.#listener?.(message);
      });
      worker.on('error', (error) => {
        fail(error);
        this.#exit?.(`the probe worker died: ${error.message}`);
      });
      worker.on('exit', (code) => {
        if (this.#worker === worker) {
          this.#worker = null;
          this.#ready = null;
        }
        this.#exit?.(
          `the probe worker exited (code ${code}) while probing: out of memory (heap limit ${WORKER_HEAP_MB} MB) or a crash`,
        );
      });
    });
    return this.#ready.then(() => worker);
  }

  async #kill(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    this.#ready = null;
    if (worker) await worker.terminate();
  }
}

/** `go env GOVERSION`, as configure.ts detects it (GOTOOLCHAIN=local). */
export function detectGoVersion(): Promise<string | null> {
  return new Promise((done) => {
    execFile(
      'go',
      ['env', 'GOVERSION'],
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '/tmp',
          GOTOOLCHAIN: 'local',
          GOFLAGS: '',
        },
        timeout: 10_000,
      },
      (error, stdout) => done(error ? null : stdout.trim() || null),
    );
  });
}
