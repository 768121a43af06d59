/**
 * Preloaded into a measured process (`node --import rss.js ...`): at exit, writes the process's peak
 * resident memory (bytes) and CPU time (s, all threads) as JSON to the file named by $NSYS_TP_BENCH_RSS.
 * The measured program runs unchanged.
 */
import { writeFileSync } from 'node:fs';

const out = process.env.NSYS_TP_BENCH_RSS;
if (out) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ rssBytes: u.maxRSS * 1024, cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6 }));
  });
}
