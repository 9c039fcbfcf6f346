/**
 * Whether objects can be collected: tests of what a structure lets go of hold `WeakRef`s to it
 * and ask after a full collection.
 */
import { setImmediate } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
/** V8's `gc()`, taken from a fresh context so that node need not run with `--expose-gc`. */
const fullCollection = vm.runInNewContext('gc') as () => void;

/**
 * Which of `refs` still point at their object after a full collection. Waits a turn first: a
 * `WeakRef` keeps its target alive until the job that created or read it has ended.
 */
export async function survivorsOf(refs: ReadonlyArray<WeakRef<object>>): Promise<boolean[]> {
  await setImmediate();
  fullCollection();
  return refs.map((ref) => ref.deref() !== undefined);
}
