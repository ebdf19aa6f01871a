// Types of scripts/findings.mjs, for the tests that import it.
export interface CatalogueEntry {
  id: string;
  severities: Set<string>;
  temporary: 'never' | 'sometimes' | 'always';
  modules: Set<string>;
  meaning: string;
  /** 'src/mx/findings.ts:42' for each place that emits it. */
  sites: string[];
}
export interface FindingsScan {
  entries: Map<string, CatalogueEntry>;
  /** 'file:line: expression' of each finding id that cannot be read from the code. */
  unresolved: string[];
}
export const ROOT: string;
export const CATALOGUE: string;
export function scanFindings(root?: string): FindingsScan;
export function renderCatalogue(scan: FindingsScan): string;
export function parseCatalogue(text: string): Map<string, { severity: string; module: string }>;
export function expectedRow(e: CatalogueEntry): { severity: string; module: string };
