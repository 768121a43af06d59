/**
 * What a slice keeps of a capture: chosen by the analyses (analyzer/slice/sliceSpec.ts), copied by a
 * reader's writer (queries/slice.ts). Times are ns on the capture file's own clock, as its rows hold them.
 */

export interface Window {
  start: number;
  end: number;
}

export interface SliceSpec {
  /** Overall windows, merged: every timed table's rows overlapping them are kept. */
  windows: Window[];
  /** globalTid → the host ranges kept on that thread (its CUDA API calls and NVTX ranges). */
  threadWindows: Map<number, Window[]>;
  /** `${globalPid}:${correlationId}:${start}` of every GPU op kept. */
  gpuOps: Set<string>;
}
