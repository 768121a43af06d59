/**
 * The trace model: one or several exports joined, sorted and put on one clock. Columnar typed arrays, no
 * object per event; everything downstream reads only this.
 */
import type { CaptureMeta, Exact, GpuInfo, Indices, OpName } from './input.js';

export { OpKind, type CaptureMeta, type Exact, type GpuInfo, type Indices, type OpName, type RecordedStreams } from './input.js';

/** Row indices into a small table, or -1 for none, as narrow as the table's size allows. */
export type Signed = Int8Array | Int16Array | Int32Array;

/** GPU operations (kernels, memcpy, memset) of every device, sorted by start time. */
export interface GpuOps {
  n: number;
  start: Float64Array;
  end: Float64Array;
  /** Index into TraceModel.devices. */
  device: Indices;
  /** The stream's id in its capture. */
  stream: Uint16Array | Int32Array | Float64Array;
  /** OpKind. */
  kind: Uint8Array;
  /** Index into TraceModel.opNames. */
  name: Indices;
  /** Bytes copied or set; 0 for kernels. */
  bytes: Exact;
  /** 1 when the op ran as a node of a CUDA graph. */
  fromGraph: Uint8Array;
  /** Id shared with the launching API call (per process); 0 when none. */
  correlation: Exact;
  /** Index into TraceModel.processes. */
  process: Indices;
  /** Start of the CUDA API call that launched the op; NaN when the launch is not in the trace. */
  launchStart: Float64Array;
  /** Index into TraceModel.threads of the launching thread; -1 when unknown. */
  thread: Signed;
  /** Index into TraceModel.apiNames of the launching call; -1 when unknown. */
  launchApi: Signed;
}

/** NVTX ranges (push/pop and start/end), sorted by start. */
export interface NvtxRanges {
  n: number;
  start: Float64Array;
  /** NaN when the range never ended. */
  end: Float64Array;
  /** Index into TraceModel.threads. */
  thread: Indices;
  /** Domain name ('' for the default domain), index into `domains`. */
  domain: Indices;
  domains: string[];
  /** Index into `texts`. */
  text: Indices;
  texts: string[];
}

/** NCCL API calls recorded with their NVTX payloads (`--include-blobs=true`), sorted by start. */
export interface NcclCalls {
  n: number;
  start: Float64Array;
  end: Float64Array;
  thread: Int32Array;
  /** Index into `names` (ncclAllReduce, ncclReduceScatter, ...). */
  name: Int32Array;
  names: string[];
  /** Index into TraceModel.communicators, -1 when unknown. */
  comm: Int32Array;
  /** Message size [bytes] from the payload, NaN when absent. */
  bytes: Float64Array;
}

/**
 * Collective kernels replayed from CUDA graphs, each with the thread and time at which its graph node was
 * captured (inside the collective call made at capture, which carries the size). Sorted by op.
 */
export interface GraphCaptures {
  n: number;
  /** Index into TraceModel.ops. */
  op: Int32Array;
  thread: Int32Array;
  /** Model clock, ns. */
  start: Float64Array;
}

export interface Communicator {
  /** NCCL's 64-bit communicator id, hex. */
  id: string;
  nranks: number;
  /** rank → device index (TraceModel.devices), from each rank's ncclCommInitRank payload. */
  devices: Map<number, number>;
}

/** Long or notable host calls (CUDA API, OS runtime) of the threads that launch GPU work, sorted by start. */
export interface HostCalls {
  n: number;
  start: Float64Array;
  end: Float64Array;
  /** Index into TraceModel.threads. */
  thread: Indices;
  /** Index into `names`. */
  name: Indices;
  names: string[];
  /** 0 CUDA API, 1 OS runtime. */
  source: Uint8Array;
}

export interface Device {
  /** Position in TraceModel.devices; what GpuOps.device refers to. */
  index: number;
  /** The CUDA device id of its capture (exact). */
  deviceId: number;
  /** Which input file the device's ops came from. */
  file: number;
  /** How reports name the device: `GPU 3`, or `r1:GPU 0` when several files reuse device ids. */
  label: string;
  gpu: GpuInfo | null;
}

export interface Process {
  index: number;
  file: number;
  /** The capture's id of the process (InputProcess.id: an nsys globalPid). */
  globalPid: number;
  pid: number;
  name: string;
}

export interface Thread {
  index: number;
  process: number;
  /** The capture's id of the thread (InputThread.id: an nsys globalTid). */
  globalTid: number;
  name: string;
}

export interface TraceFile {
  path: string;
  meta: CaptureMeta;
  /** Added to this file's timestamps to put them on the model's clock (session start alignment). */
  offsetNs: number;
}

export interface TraceModel {
  files: TraceFile[];
  devices: Device[];
  processes: Process[];
  threads: Thread[];
  ops: GpuOps;
  opNames: OpName[];
  /** Names of the CUDA API calls that launched ops (GpuOps.launchApi). The launch calls themselves are not
   *  kept: each op carries its launch (start, thread, API), and a production trace has millions of them. */
  apiNames: string[];
  nvtx: NvtxRanges;
  ncclCalls: NcclCalls;
  graphCaptures: GraphCaptures;
  communicators: Communicator[];
  hostCalls: HostCalls;
  warnings: string[];
}
