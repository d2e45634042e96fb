/** The mirror simulator's public surface: import from here in tests, the demo and the benchmark. */
export { type CertBundle, SHARED_CERTS_ENV, generateCertificates } from './certs.js';
export {
  BIG,
  BIG_BLOB_BYTES,
  type Corpus,
  type CorpusModule,
  HELLO,
  type ModuleSpec,
  PRERELEASE,
  PRIVATE_MODULE,
  UPPER,
  buildCorpus,
  builtinModuleSpecs,
} from './corpus.js';
export {
  type ConsumerOptions,
  type GoResult,
  defaultConsumerModules,
  goSumLines,
  isolatedGoEnv,
  removeGoTree,
  runGo,
  writeConsumerModule,
} from './go.js';
export type { RequestRecord } from './log.js';
export { parseVerifierKey, verifyNote } from './note.js';
export {
  type BasicAuth,
  type Fault,
  type FaultRule,
  type MirrorEndpoint,
  type MirrorProfile,
  type SumdbProfile,
  twinName,
} from './profile.js';
export {
  DEFAULT_PRIVATE_AUTH,
  PRESETS,
  hostileFleet,
  privateFleet,
  realisticFleet,
} from './presets.js';
export {
  DNS_FAILURE_URL,
  type GoproxyOptions,
  type Simulator,
  type SimulatorOptions,
  type SumdbInfo,
  type UrlOptions,
  refusedUrl,
  startSimulator,
} from './simulator.js';
export { readZip, writeZip } from './zip.js';
