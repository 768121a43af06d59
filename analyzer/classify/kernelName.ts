/**
 * The parts of a kernel name worth matching on. Patterns never see template arguments or parameter lists:
 * those are full of words (`cutlass::gemm::...` inside an attention kernel's template) that would fool them.
 */
export interface KernelNameView {
  /** nsys' short name: `device_kernel`, `ncclDevKernel_AllReduce_Sum_bf16_RING_LL`. */
  short: string;
  /** Namespace-qualified function name of the demangled name: `vllm::cross_device_reduce_1stage`. */
  qualified: string;
  /** First identifier inside a generic wrapper's template arguments: `flash::FlashAttnFwdSm90` in
   *  `cutlass::device_kernel<flash::FlashAttnFwdSm90<...>>`; '' when the name is not a wrapper. */
  inner: string;
}

/** Short names that say nothing: the kernel is identified by what they wrap or by their namespace. */
const GENERIC = /^(device_kernel|kernel|Kernel|Kernel2|dispatch|combine|void|launch_kernel|run_kernel|cutlass_kernel)$/;

export function kernelNameView(short: string, demangled: string): KernelNameView {
  const d = demangled.replace(/\(anonymous namespace\)/g, 'anon');
  let depth = 0;
  let end = d.length;
  for (let i = 0; i < d.length; i++) {
    const c = d[i];
    if ((c === '<' || c === '(') && depth === 0) {
      end = i;
      break;
    }
    if (c === '<' || c === '(') depth++;
    else if (c === '>' || c === ')') depth--;
  }
  const head = d.slice(0, end).trim();
  const qualified = head.split(/\s+/).pop() ?? '';
  const last = qualified.split('::').pop() ?? '';
  let inner = '';
  if ((GENERIC.test(last) || GENERIC.test(short)) && d[end] === '<') {
    const m = /^<\s*(?:const\s+|struct\s+|class\s+)?([A-Za-z_][\w:]*)/.exec(d.slice(end));
    if (m) inner = m[1]!;
  }
  return { short: short || last, qualified, inner };
}
