/** `poolcheck list`: models (system kinds), policies, scenarios and properties. */
import { builtinPolicies } from '../../models/policies/index.ts';
import { kinds } from '../registry/kinds.ts';
import { shippedScenarios } from '../registry/scenarios.ts';
import { cell, wrap } from '../report/text.ts';
import type { CommandResult } from './check.ts';
import { EXIT } from './errors.ts';

export function runList(): CommandResult {
  const lines: string[] = ['policies:'];
  for (const p of builtinPolicies)
    lines.push(...wrap(`  ${cell(p.id, 18)} ${p.source}`, ' '.repeat(21)));
  lines.push('', 'scenarios:');
  for (const s of shippedScenarios(kinds))
    lines.push(
      ...wrap(
        `  ${cell(s.name, 18)} ${s.system}${s.default ? ', default' : ''}: ${s.description}`,
        ' '.repeat(21),
      ),
    );
  lines.push('', 'models and properties:');
  for (const k of kinds) {
    lines.push(`  ${k.name}`);
    for (const p of k.properties) {
      lines.push(`    ${p.id} (${p.ref})`);
      lines.push(...wrap(`      ${p.statement}`, '      '));
    }
  }
  return { code: EXIT.ok, stdout: `${lines.join('\n')}\n` };
}
