/**
 * The parts of a kernel name worth matching on. Patterns never see template arguments or parameter lists
 * (unless a table row asks for the whole demangled name): those are full of words (`cutlass::gemm::...`
 * inside an attention kernel's template) that would fool them.
 */
export interface KernelNameView {
  /** nsys' short name: `device_kernel`, `ncclDevKernel_AllReduce_Sum_bf16_RING_LL`. */
  short: string;
  /** Namespace-qualified function name of the demangled name: `vllm::cross_device_reduce_1stage`. */
  qualified: string;
  /** First identifier inside a generic wrapper's template arguments: `flash::FlashAttnFwdSm90` in
   *  `cutlass::device_kernel<flash::FlashAttnFwdSm90<...>>`; '' when the name is not a wrapper. */
  inner: string;
  /** The demangled name as given. */
  demangled: string;
}

/** Short names that say nothing: the kernel is identified by what they wrap or by their namespace. */
const GENERIC = /^(device_kernel|kernel|Kernel|Kernel2|dispatch|combine|void|launch_kernel|run_kernel|cutlass_kernel)$/;

/** Index of the bracket matching the closing one at `close`, scanning backwards; -1 if unbalanced. */
function openerOf(s: string, close: number): number {
  const pair: Record<string, string> = { ')': '(', '>': '<' };
  const stack: string[] = [];
  for (let i = close; i >= 0; i--) {
    const c = s[i]!;
    if (c === ')' || c === '>') stack.push(pair[c]!);
    else if (c === '(' || c === '<') {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

/**
 * Splits `ret ns::name<targs>(params) const` into the qualified name and its template arguments, working
 * from the end: return types may themselves be templates (`std::enable_if<...>::type ns::kernel<...>(...)`).
 */
function parseDemangled(d: string): { qualified: string; targs: string } {
  let end = withoutQualifier(d);
  let s = d.slice(0, end);
  if (s.endsWith(')')) {
    const open = openerOf(s, s.length - 1);
    if (open > 0) s = s.slice(0, open);
  }
  let targs = '';
  if (s.endsWith('>')) {
    const open = openerOf(s, s.length - 1);
    if (open > 0) {
      targs = s.slice(open, s.length);
      s = s.slice(0, open);
    }
  }
  end = s.length;
  const q = trailingName(s);
  return { qualified: q ?? s.trim(), targs };
}

/**
 * The length of `d` without one trailing ` const` / ` volatile` / ` &` / ` &&`, as
 * `d.replace(/\s+(const|volatile|&|&&)\s*$/, '')` has it, in linear time (that regex is quadratic in a long
 * run of spaces).
 */
function withoutQualifier(d: string): number {
  const t = d.trimEnd();
  const m = /(?:const|volatile|&&|&)$/.exec(t.slice(-8));
  if (!m) return d.length;
  const before = t.slice(0, t.length - m[0].length);
  const head = before.trimEnd();
  return head.length < before.length ? head.length : d.length;
}

/**
 * The identifier `/([A-Za-z_~][\w:~]*)\s*$/` finds, found by scanning back from the end: the regex takes
 * time quadratic in a long run of name characters that ends in something else (`aaaa...!`), and names
 * come from traces anyone may write.
 */
function trailingName(s: string): string | null {
  let end = s.length;
  while (end > 0 && /\s/.test(s[end - 1]!)) end--;
  let start = end;
  while (start > 0 && /[\w:~]/.test(s[start - 1]!)) start--;
  while (start < end && !/[A-Za-z_~]/.test(s[start]!)) start++;
  return start < end ? s.slice(start, end) : null;
}

export function kernelNameView(short: string, demangled: string): KernelNameView {
  const d = demangled.replace(/\(anonymous namespace\)|<unnamed>/g, 'anon');
  const { qualified, targs } = parseDemangled(d);
  const last = qualified.split('::').pop() ?? '';
  let inner = '';
  if ((GENERIC.test(last) || GENERIC.test(short)) && targs) {
    const m = /^<\s*(?:const\s+|struct\s+|class\s+)?([A-Za-z_][\w:]*)/.exec(targs);
    if (m) inner = m[1]!;
  }
  // A demangled name given as the short name (as `classify` reads them) is reduced to its function name.
  const bare = short && !/[\s<(]/.test(short) ? short : last;
  return { short: bare, qualified, inner, demangled };
}
