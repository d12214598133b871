import Foundation
import Synchronization
import Testing

@testable import _ChuandaoParallel

/// `Parallel`, the package's one way to use both cores: tested here once for every user
/// (the loader, the output layer, the statistics layer, the analyses).
@Suite("Parallel")
struct ParallelTests {
  @Test("chunks are contiguous, ordered and cover the input")
  func chunkRanges() {
    for count in [0, 1, 2, 3, 7, 4_097, 210_000] {
      let ranges = Parallel.ranges(count: count)
      #expect(ranges.first?.lowerBound == 0)
      #expect(ranges.last?.upperBound == count)
      #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
      #expect(ranges.count >= min(count, 2))
      #expect(ranges.allSatisfy { !$0.isEmpty } || count == 0)
    }
  }

  @Test("perform, map and mapIndices give results in index order, whatever the threads")
  func order() {
    #expect(Parallel.perform(5) { $0 * $0 } == [0, 1, 4, 9, 16])
    #expect(Parallel.perform(1) { $0 + 7 } == [7])
    for n in [0, 10, 4_096, 4_097, 100_003] {
      #expect(Parallel.mapIndices(n) { 3 * $0 + 1 } == (0..<n).map { 3 * $0 + 1 })
      #expect(Parallel.map(count: n) { $0 }.flatMap { $0 } == Array(0..<n))
    }
  }

  @Test("perCore: one range below the minimum, one per core above it, covering 0..<n")
  func perCore() {
    #expect(Parallel.perCore(100, minimum: 2048) == [0..<100])
    let ranges = Parallel.perCore(10_000, minimum: 2048)
    #expect(ranges.count == Parallel.cores)
    #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == 10_000)
    #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
  }

  @Test("forEachWorker runs every worker exactly once")
  func workers() {
    for count in [0, 1, 2, 5, 64] {
      let seen = Mutex([Int](repeating: 0, count: max(count, 1)))
      Parallel.forEachWorker(count) { w in seen.withLock { $0[w] += 1 } }
      #expect(seen.withLock { $0 } == (count == 0 ? [1] : [Int](repeating: 1, count: count)))
    }
  }

  @Test("both runs its two closures, the second on another thread, and returns both results")
  func both() {
    let (a, b) = Parallel.both({ (1...1000).reduce(0, +) }, { (1...10).reduce(1, *) })
    #expect(a == 500_500)
    #expect(b == 3_628_800)
  }
}
