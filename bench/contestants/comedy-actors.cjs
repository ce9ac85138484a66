// comedy's threaded mode ships an actor's source text to its thread: keep these untranspiled.
class ComedyPong {
  ping(n) {
    return n;
  }
}

class ComedyCounter {
  constructor() {
    this.n = 0;
  }
  incr() {
    this.n++;
  }
  total() {
    return this.n;
  }
}



/** Ping-pong: creates its Pong, then `start(n)` does n round trips to it, each waiting for the answer. */
class ComedyPinger {
  initialize(selfActor) {
    return selfActor.createChild(ComedyPong).then((pong) => {
      this.pong = pong;
    });
  }
  async start(n) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await this.pong.sendAndReceive('ping', 1);
    return sum;
  }
}

/** A thread-ring node (in-memory mode passes the next node's reference and the callback as they are). */
class ComedyRingNode {
  link(next, done, index) {
    this.next = next;
    this.done = done;
    this.index = index;
  }
  token(left) {
    if (left === 0) this.done(this.index);
    else this.next.send('token', left - 1);
  }
}

/** Fork-join: computes the shared work function. */
class ComedyWorker {
  compute(n) {
    let s = 0;
    for (let i = 1; i <= n; i++) s += Math.sqrt(i);
    return Math.round(s);
  }
}
module.exports = { ComedyPong, ComedyCounter, ComedyPinger, ComedyRingNode, ComedyWorker };
