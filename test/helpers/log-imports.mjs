// Loaded with `node --import`: records every module URL the process resolves into $IMPORT_LOG,
// so tests can prove that cheap commands do not load heavy dependencies.
import { register } from 'node:module';
register('./log-imports-hooks.mjs', import.meta.url);
