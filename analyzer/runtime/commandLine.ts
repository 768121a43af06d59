/** A profiled command line as a list of options, to say what differs between two runs. */

/** `torchrun --nproc_per_node=4 x.py --batch 8 --graph` → ['torchrun', '--nproc_per_node=4', 'x.py', '--batch 8', '--graph']. */
export function commandOptions(command: string): string[] {
  const words = command.trim().split(/\s+/).filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const v = words[i + 1];
    if (/^--?[A-Za-z]/.test(w) && !w.includes('=') && v !== undefined && !/^-/.test(v)) {
      out.push(`${w} ${v}`);
      i++;
    } else out.push(w);
  }
  return out;
}

/** What `b` has that `a` lacks (+) and lacks that `a` has (−), as one line: `+--graph −--batch 8`. */
export function commandDiff(a: string, b: string): string {
  const oa = commandOptions(a);
  const ob = commandOptions(b);
  return [...ob.filter((x) => !oa.includes(x)).map((x) => `+${x}`), ...oa.filter((x) => !ob.includes(x)).map((x) => `−${x}`)].join(' ');
}
