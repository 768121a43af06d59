/**
 * Templates several rules share: a rule that uses one spreads it into its own messages, so every rule's
 * messages list all it can say (`nsys-tp rules --format json`) and the engine looks in one place.
 */

/** What analyzer/timeline/locations.ts typicalStepAt names. */
export const TYPICAL_STEP = { typicalStep: 'typical {phase} step "{step}"' } as const;

/**
 * What the host did in a stretch of GPU idle time (analyzer/host/hostActivity.ts HostActivity): the
 * calls in flight with their time in ms, the CPU-side rest where no call covers most of it, and a
 * kernel library loaded at run time.
 */
export const HOST_CALLS = {
  hostCalls:
    '{calls, select, none {no CUDA or OS call in flight: CPU-side work (Python, framework, scheduling)} ' +
    'other {{calls, comma, {name} {overlapNs / 1e6, fixed, 2} ms}' +
    '{mostlyUncovered, select, true {; the rest ({uncoveredNs / windowNs, pct0}) CPU-side work with no call in flight} other {}}' +
    '{libraryLoad, select, true { (a kernel library was loaded during the gap: a kernel compiled or loaded at run time, such as a new cuDNN or Triton plan)} other {}}}}',
} as const;

/** Recorded settings (analyzer/runtime/environment.ts settingList) as `NCCL_P2P_DISABLE=1, NCCL_ALGO=Tree`. */
export const SETTING_LIST = { settingList: '{settings, comma, {name}={value}}' } as const;
