/**
 * A user policy: mainline with the fix of BZ-10 reverted, i.e. an
 * atomic_pool_expand() that frees (rather than leaks) a block whose
 * set_memory_decrypted() failed, as v5.8 .. 6.1 did.
 *
 *   npx poolcheck check --policy ./examples/revert-0510cb5b2303.ts
 *   npx poolcheck diff --policy mainline --policy ./examples/revert-0510cb5b2303.ts
 */
import { mainline } from '../models/policies/mainline.ts';
import type { UserPolicy } from '../src/index.ts';

const pool = mainline.dmaPool;
if (!pool) throw new Error('mainline has atomic pools');

const policy: UserPolicy = {
  id: 'mainline-revert-0510cb5b2303',
  extends: 'mainline',
  dmaPool: { ...pool, expand_decrypt_failure: 'free' },
};

export default policy;
