// Queue(maxsize=0) as Queue(n) or Queue({ maxsize }) (issue 14, item 9):
// Python rejects an unknown keyword, so a misspelled option is a TypeError
// rather than a silently unbounded queue.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  LifoQueue,
  PriorityQueue,
  Queue,
  SimpleQueue,
} from "../../queue/mod.ts";
import { assertNoLeaks } from "../_leaks.ts";

const unexpected = (fn: string, key: string) => (e: Error) =>
  e instanceof TypeError &&
  e.message === `${fn}() got an unexpected option '${key}'`;

describe("queue constructor options", () => {
  it("Queue, LifoQueue and PriorityQueue take maxsize positionally or as { maxsize }", () => {
    for (const Q of [Queue, LifoQueue, PriorityQueue]) {
      assert.equal(new Q(2).maxsize, 2);
      assert.equal(new Q({ maxsize: 2 }).maxsize, 2);
      assert.equal(new Q({}).maxsize, 0);
      assert.equal(new Q().maxsize, 0);
      const q = new Q({ maxsize: 1 });
      q.putNowait(1);
      assert.equal(q.full(), true);
    }
    const p = new PriorityQueue<number>({
      maxsize: 3,
      compare: (a, b) => b - a,
    });
    p.putNowait(1);
    p.putNowait(3);
    assert.equal(p.getNowait(), 3);
    assert.equal(new SimpleQueue().qsize(), 0);
  });

  it("Queue({ maxsiz }) and other unknown options throw TypeError", () => {
    assert.throws(
      () => new Queue({ maxsiz: 2 } as never),
      unexpected("Queue", "maxsiz"),
    );
    assert.throws(
      () => new LifoQueue({ compare: () => 0 } as never),
      unexpected("LifoQueue", "compare"),
    );
    assert.throws(
      () => new Queue({ compare: () => 0 } as never),
      unexpected("Queue", "compare"),
    );
    assert.throws(
      () => new PriorityQueue({ maxsize: 1, order: 1 } as never),
      unexpected("PriorityQueue", "order"),
    );
    assert.throws(() => new Queue([3] as never), TypeError);
    assert.throws(() => new Queue({ maxsize: "3" as never }), {
      name: "TypeError",
      message: "maxsize must be a number, got string",
    });
  });
});

after(() => assertNoLeaks());
