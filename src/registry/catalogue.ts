/**
 * The property catalogue as a Markdown table (properties/README.md): id,
 * invariant number, statement, the mutants each is known to catch, and the
 * expected outcome under every built-in policy. `npm test` fails when the
 * committed file is stale; `npx tsx src/registry/catalogue.ts --write`
 * regenerates it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinPolicies } from '../../models/policies/index.ts';
import { expectationOf } from '../../models/policy.ts';
import { expectationText } from '../report/witness.ts';
import { applies } from './kind.ts';
import { kinds } from './kinds.ts';
import { packageRoot } from './paths.ts';

export const cataloguePath = join(packageRoot, 'properties', 'README.md');

export function renderCatalogue(): string {
  const lines = [
    '# Properties',
    '',
    'Generated from the property modules by `npx tsx src/registry/catalogue.ts --write`;',
    '`npm test` fails when this file is stale. Each property names the kernel predicate',
    'it checks, the broken variants (test mutants, `test/mutants/`) it is shown to catch,',
    'and the outcome each built-in policy declares for it (`-`: does not apply to that design).',
    '',
  ];
  for (const k of kinds) {
    lines.push(`## ${k.name}`, '');
    lines.push(
      `| id | ref | statement | catches | ${builtinPolicies.map((p) => p.id).join(' | ')} |`,
      `|---|---|---|---|${builtinPolicies.map(() => '---').join('|')}|`,
    );
    for (const p of k.properties) {
      const catches = p.catches
        .map((c) => (c.zoo ? `${c.mutant} (${c.zoo})` : c.mutant))
        .join(', ');
      const cols = builtinPolicies.map((pol) =>
        applies(p, pol) ? expectationText(expectationOf(pol, p.id)) : '-',
      );
      lines.push(
        `| \`${p.id}\` | ${p.ref} | ${p.statement.replace(/\|/g, '\\|')} | ${catches} | ${cols.join(' | ')} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

export function catalogueIsCurrent(): boolean {
  try {
    return readFileSync(cataloguePath, 'utf8') === renderCatalogue();
  } catch {
    return false;
  }
}

if (process.argv[1]?.endsWith('catalogue.ts') && process.argv.includes('--write'))
  writeFileSync(cataloguePath, renderCatalogue());
