/**
 * What a reader hands the trace model: one capture file, already decoded. Ids are the capture's own
 * (exact numbers), names are strings, times are nanoseconds on the capture's clock, and every table is
 * columns of one row per event in the order the capture holds them. Nothing here is specific to nsys:
 * the nsys SQLite reader (queries/) is one producer; another (a per-rank PyTorch-profiler JSON, say)
 * fills the same shape. The model (build.ts) does the rest: clocks across files, the launch join,
 * interning across files, sorting.
 *
 * Columns are as narrow as their values allow (see `Indices`, `Exact`): a production capture has tens of
 * millions of rows, and the model keeps these arrays as they are.
 */

/** Row indices into a small table (devices, names, threads), as narrow as the table's size allows. */
export type Indices = Uint8Array | Uint16Array | Int32Array;
/** Integers kept exact: uint32 when every value of the column fits, else float64. */
export type Exact = Uint32Array | Float64Array;

export interface CaptureMeta {
  /** The profiler that wrote the capture (nsys: its product version), when recorded. */
  nsysVersion: string | null;
  /** The capture format's version (nsys: the export schema), when recorded. */
  exportSchema: string | null;
  /** Wall-clock time of capture time 0, ns since the Unix epoch: what aligns several files. */
  sessionStartUtcNs: number | null;
  /** The capture's CUDA graph trace mode ('Graph' or 'Node'), when recorded. */
  cudaGraphTraceMode: string | null;
  /** Environment of the profiled processes as recorded. */
  environment: Map<string, string>;
  /** The profiled command line, when recorded. */
  command: string | null;
  /** Host name of the profiled machine, when recorded. */
  hostname: string | null;
  /** What the capture recorded besides the GPU work (doctor's evidence); absent for a hand-made input. */
  recorded?: RecordedStreams;
}

/** The event streams a capture holds (row counts) and the trace options it recorded. */
export interface RecordedStreams {
  /** What the profiler was asked to trace (nsys: Cuda, NvtxEvents, OSRuntime, ...), null when not recorded. */
  traced: string[] | null;
  cudaApiCalls: number;
  osRuntimeCalls: number;
  nvtxEvents: number;
  /** NVTX events carrying a binary payload (NCCL's message sizes, with nsys export --include-blobs=true). */
  payloadBlobs: number;
  gpuMetricSamples: number;
  /** Whole-graph executions (CUDA graphs traced at graph level: their kernels are not recorded). */
  graphExecutions: number;
  /** The first cudaProfilerStart / cuProfilerStart call on the capture's clock (ns), if the workload made one. */
  profilerStartNs: number | null;
  /** The first CUDA API call recorded (ns): a capture range opened by cudaProfilerApi records nothing before its start call. */
  firstCudaApiNs: number | null;
  startTrigger: string | null;
  startDelayMs: number | null;
  durationMs: number | null;
  /** nsys --trace-fork-before-exec, when recorded. */
  forkBeforeExec: boolean | null;
}

/** A GPU as the capture describes it. Units: bytes, bytes/s, Hz. */
export interface GpuInfo {
  /** The CUDA device id, as ops name their device. */
  deviceId: number;
  name: string;
  busLocation: string | null;
  totalMemoryBytes: number | null;
  memoryBandwidthBytesPerS: number | null;
  clockHz: number | null;
  smCount: number | null;
  chipName: string | null;
  computeCapability: string | null;
}

export const OpKind = { kernel: 0, memcpy: 1, memset: 2, graph: 3 } as const;

export interface OpName {
  /** Short name as the profiler shows it (`ncclDevKernel_AllReduce_Sum_bf16_RING_LL`, `[CUDA memcpy HtoD]`). */
  short: string;
  /** Demangled name; equal to `short` for memory operations. */
  long: string;
  /** OpKind. */
  kind: number;
}

export interface InputProcess {
  /** The capture's id of the process (unique within the file; nsys: globalPid). */
  id: number;
  /** The OS process id. */
  pid: number;
  name: string;
}

export interface InputThread {
  /** The capture's id of the thread (unique within the file; nsys: globalTid). */
  id: number;
  /** Index into TraceInput.processes. */
  process: number;
  name: string;
}

/** GPU operations (kernels, copies, sets, whole-graph executions) in the capture's order. */
export interface InputOps {
  n: number;
  start: Float64Array;
  /** Normally at or after start; the model makes an op that ends before it starts zero length, and says so. */
  end: Float64Array;
  /** Index into TraceInput.deviceIds. */
  device: Indices;
  /** The stream's id in the capture. */
  stream: Uint16Array | Int32Array | Float64Array;
  /** OpKind. */
  kind: Uint8Array;
  /** Index into TraceInput.opNames. */
  name: Indices;
  /** Bytes moved (copies) or set (sets); 0 for kernels. */
  bytes: Exact;
  /** 1 when the op ran as a node of a CUDA graph (its launch is the graph's). */
  fromGraph: Uint8Array;
  /** Id shared with the API call that launched the op, unique per process; 0 when none. */
  correlation: Exact;
  /** Index into TraceInput.processes: the process that launched the op. */
  process: Indices;
}

/** The host calls that put ops on a GPU; the model joins each op to its launch on (process, correlation). */
export interface InputLaunches {
  n: number;
  start: Float64Array;
  /** Index into TraceInput.threads. */
  thread: Indices;
  correlation: Exact;
  /** Index into TraceInput.apiNames. */
  api: Indices;
}

export interface InputNvtx {
  n: number;
  start: Float64Array;
  /** NaN when the range never ended. */
  end: Float64Array;
  /** Index into TraceInput.threads. */
  thread: Indices;
  /** Index into `domains`. */
  domain: Indices;
  /** Domain names; '' is the default domain. */
  domains: string[];
  /** Index into `texts`. */
  text: Indices;
  texts: string[];
}

/** Long or notable CUDA API and OS runtime calls of the threads that launch GPU work. */
export interface InputHostCalls {
  n: number;
  start: Float64Array;
  end: Float64Array;
  /** Index into TraceInput.threads. */
  thread: Indices;
  /** Index into `names`. */
  name: Indices;
  names: string[];
  /** 0 CUDA API, 1 OS runtime. */
  source: Uint8Array;
}

/** A collective call with its message size and communicator, when the capture records them. */
export interface InputNcclCall {
  start: number;
  end: number;
  /** Index into TraceInput.threads. */
  thread: number;
  /** ncclAllReduce, ncclReduceScatter, ncclAllGather, ncclSend, ... */
  name: string;
  /** The communicator's id, hex; null when unknown. */
  comm: string | null;
  /** Message size [bytes] per rank; null when unknown. */
  bytes: number | null;
}

/** One rank joining a communicator: how ranks map onto devices. */
export interface InputNcclInit {
  comm: string;
  nranks: number;
  rank: number;
  /** The CUDA device id of the rank, -1 when unknown. */
  cudaDevice: number;
}

/**
 * Where a kernel replayed from a CUDA graph was captured: the thread and time at which its graph node was
 * created. A replay makes no collective call of its own; the call made at capture carries the size.
 */
export interface InputGraphCapture {
  /** The replayed kernel: index into TraceInput.deviceIds, and its start (ns). */
  device: number;
  start: number;
  /** Index into TraceInput.threads: the thread that created the node, and when (ns). */
  thread: number;
  captureStart: number;
}

export interface TraceInput {
  path: string;
  meta: CaptureMeta;
  gpus: GpuInfo[];
  processes: InputProcess[];
  threads: InputThread[];
  /** The devices ops ran on, by their id in the capture (exact), in order of first appearance. */
  deviceIds: number[];
  ops: InputOps;
  opNames: OpName[];
  launches: InputLaunches;
  apiNames: string[];
  nvtx: InputNvtx;
  hostCalls: InputHostCalls;
  ncclCalls: InputNcclCall[];
  ncclInits: InputNcclInit[];
  /** Graph-replayed collective kernels with their capture, when the capture records both. */
  graphCaptures: InputGraphCapture[];
  /** What the reader skipped or could not find, in words for the report. */
  warnings: string[];
}
