// Preloaded into a CLI child by runCliPeakRss (cli.ts): writes the process's peak RSS (KiB, getrusage) on exit.
import { writeFileSync } from 'node:fs';

process.on('exit', () => writeFileSync(process.env.MC_RSS_FILE, String(process.resourceUsage().maxRSS)));
