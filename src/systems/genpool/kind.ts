/** The gen_pool system as a kind the CLI can run: config and op validation. */
import { genpoolProperties } from '../../../properties/genpool/index.ts';
import { defineKind } from '../../registry/kind.ts';
import { expectShape, parseOpWith, type Shape } from '../../registry/validate.ts';
import { GENPOOL_ALGOS, type GenpoolOp } from './ops.ts';
import { GENPOOL_CONFIGS, type GenpoolConfig, makeGenpoolSystem } from './system.ts';

const algo: Shape = GENPOOL_ALGOS;
const OP_SHAPES: Readonly<Record<string, Readonly<Record<string, Shape>>>> = {
  gen_pool_alloc_algo: {
    algo,
    size: 'integer',
    align: { optional: 'integer' },
    offset: { optional: 'integer' },
  },
  gen_pool_alloc: { size: 'integer' },
  gen_pool_set_algo: { algo, align: { optional: 'integer' }, offset: { optional: 'integer' } },
  gen_pool_free: {
    pick: 'integer',
    part: { optional: { object: { first: 'integer', count: 'integer' } } },
  },
  gen_pool_add_virt: { size: 'integer', gap: 'integer', below: 'boolean' },
  gen_pool_has_addr: {
    pick: 'integer',
    at: ['start', 'end', 'inside'],
    delta: 'integer',
    size: 'integer',
    permille: 'integer',
  },
};

const PRESETS = Object.keys(GENPOOL_CONFIGS);

/** A scenario config names one of the built-in configurations: `{ "preset": "pages" }`. */
export function parseGenpoolConfig(raw: unknown): GenpoolConfig {
  expectShape(raw, { object: { preset: PRESETS } }, 'config');
  return GENPOOL_CONFIGS[(raw as { preset: keyof typeof GENPOOL_CONFIGS }).preset];
}

export const genpoolKind = defineKind({
  name: 'genpool',
  properties: genpoolProperties,
  parseConfig: parseGenpoolConfig,
  parseOp: (raw) => parseOpWith<GenpoolOp>(raw, OP_SHAPES),
  make: (config) => makeGenpoolSystem(config),
});
