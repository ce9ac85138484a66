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

module.exports = { ComedyPong, ComedyCounter };
