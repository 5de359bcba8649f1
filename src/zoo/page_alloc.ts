/**
 * The bug zoo's page-allocator variants: mm/page_alloc.c and mm/vmscan.c
 * bugs put back through a rules override or a variant (one named kernel
 * function replaced by a broken twin, models/page_alloc/fns.ts), each on
 * the machine where it shows.
 */
import { kernelFns, type PageAllocVariant } from '../../models/page_alloc/fns.ts';
import type { MachineConfig } from '../../models/page_alloc/machine.ts';
import type { PageAllocRules } from '../../models/page_alloc/rules.ts';
import { machine256M } from '../systems/page_alloc/machines.ts';

/**
 * The 256 MiB machine with vm.min_free_kbytes raised to 32768 at boot (the
 * default is 1796): watermarks far above what reclaim can free, so kswapd
 * fails pass after pass (the setting of c73322d098e4 and the 2017 fix).
 */
export const machine256MHighMin: MachineConfig = {
  ...machine256M,
  name: '256M-min_free_kbytes=32768',
  min_free_kbytes: 32768,
};

/** A broken page allocator: rules and function overrides on a policy's rule set. */
export interface PageAllocZooVariant {
  readonly id: string;
  readonly zoo: string;
  /** What is wrong, in one line. */
  readonly why: string;
  /** How it is built: the rule overridden or the function replaced. */
  readonly how: string;
  /** The built-in policy whose page-allocator rules it starts from. */
  readonly base: 'v5.4' | '6.1' | 'mainline';
  /** The machine it runs on. */
  readonly machine: MachineConfig;
  readonly rules?: Partial<PageAllocRules>;
  readonly variant?: PageAllocVariant;
}

const k = kernelFns();

/** BZ-28 (fixed by f80b08fc4453, v5.9): an atomic order-0 request still pays watermark_boost. */
export const boostInAtomicMin: PageAllocZooVariant = {
  id: 'boost-in-atomic-min',
  zoo: 'BZ-28',
  why: 'the min watermark of an atomic order-0 request keeps watermark_boost',
  how: "page-alloc rule boost_exemption: 'none'",
  base: 'mainline',
  machine: machine256M,
  rules: { boost_exemption: 'none' },
};

/** BZ-34a (fixed by c73322d098e4, v4.12): kswapd keeps balancing a node it cannot reclaim. */
export const kswapdNeverBacksOff: PageAllocZooVariant = {
  id: 'kswapd-never-backs-off',
  zoo: 'BZ-34',
  why: 'prepare_kswapd_sleep() ignores kswapd_failures: kswapd spins on a hopeless node',
  how: 'prepare_kswapd_sleep() without the MAX_RECLAIM_RETRIES test',
  base: '6.1',
  machine: machine256MHighMin,
  variant: {
    // a hopeless node is not a reason to sleep
    prepare_kswapd_sleep: (pa, order, hz) => pa.fns.pgdat_balanced(pa, order, hz),
  },
};

/** BZ-34b (the 2017 throttle fix): reclaimers wait on a kswapd that has given up. */
export const throttleIgnoresBackoff: PageAllocZooVariant = {
  id: 'throttle-ignores-backoff',
  zoo: 'BZ-34',
  why: 'allow_direct_reclaim() throttles reclaimers on a kswapd that has given up',
  how: 'allow_direct_reclaim() without the kswapd_failures escape',
  base: '6.1',
  machine: machine256MHighMin,
  variant: {
    // the kernel's predicate, evaluated as if kswapd had never failed
    allow_direct_reclaim: (pa) => {
      const failures = pa.pgdat.kswapd_failures;
      pa.pgdat.kswapd_failures = 0;
      try {
        return k.allow_direct_reclaim(pa);
      } finally {
        pa.pgdat.kswapd_failures = failures;
      }
    },
  },
};

/** Every page-allocator variant the zoo ships, in bug order. */
export const zooPageAllocVariants: readonly PageAllocZooVariant[] = [
  boostInAtomicMin,
  kswapdNeverBacksOff,
  throttleIgnoresBackoff,
];
