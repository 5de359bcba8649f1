/** `poolcheck list`: models (system kinds), policies, scenarios and properties. */
import { builtinPolicies } from '../../models/policies/index.ts';
import type { Policy } from '../../models/policy.ts';
import { kinds } from '../registry/kinds.ts';
import { shippedScenarios } from '../registry/scenarios.ts';
import { cell, wrap } from '../report/text.ts';
import type { CommandResult } from './check.ts';
import { EXIT } from './errors.ts';

/** A policy's rule sets, each with the tree it was read in. */
function ruleSources(p: Policy): string[] {
  const sets = [
    ['page allocator', p.pageAlloc],
    ['atomic pools', p.dmaPool],
    ['dma-direct', p.dmaDirect],
    ['reserve pool', p.reservePool],
  ] as const;
  return sets.flatMap(([what, rules]) => (rules ? [`${what}: ${rules.source}`] : []));
}

export function runList(): CommandResult {
  const lines: string[] = ['policies:'];
  const indent = ' '.repeat(21);
  for (const p of builtinPolicies) {
    lines.push(...wrap(`  ${cell(p.id, 18)} ${p.source}`, indent));
    for (const s of ruleSources(p)) lines.push(...wrap(`${indent}${s}`, `${indent}  `));
  }
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
