import Dispatch
import Foundation

/// The package's one way to use both cores: contiguous chunks of a large input processed
/// on all cores with results in input order (the JSON writer's long arrays, CSV export's
/// rows, node rows), independent pieces of work (periods, levels, a dataset's files), and
/// workers that each own a share of a computation (Monte Carlo draws, funnel limits).
/// Results never depend on scheduling. `package`: for this package's modules only.
package enum Parallel {
  /// The processors available to this process.
  package static var cores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

  /// Inputs with more items than this are split; smaller ones are not worth a thread.
  package static let threshold = 4096

  /// `0..<count` as contiguous, nearly equal ranges in order: several per core, so that
  /// a slow chunk does not leave a core idle, and at least two when `count` ≥ 2.
  package static func ranges(count: Int) -> [Range<Int>] {
    let k = min(count, max(2, 4 * cores))
    guard k > 1 else { return [0..<count] }
    return (0..<k).map { c in (c * count / k)..<((c + 1) * count / k) }
  }

  /// `body(i)` for every i in `0..<count`, concurrently (directly when `count` is 1); the
  /// results in index order.
  package static func perform<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
    if count == 1 { return [body(0)] }
    var results = [T?](repeating: nil, count: count)
    results.withUnsafeMutableBufferPointer { slots in
      // Each iteration writes only its own slot, and all have finished on return.
      nonisolated(unsafe) let base = slots.baseAddress!
      DispatchQueue.concurrentPerform(iterations: count) { i in base[i] = body(i) }
    }
    return results.map { $0! }
  }

  /// `body` applied to each range of `ranges(count:)`, concurrently; results in order.
  package static func map<T: Sendable>(count: Int, _ body: @Sendable (Range<Int>) -> T) -> [T] {
    let ranges = ranges(count: count)
    return perform(ranges.count) { body(ranges[$0]) }
  }

  /// `transform` applied to every index of `0 ..< count`, in order, by contiguous chunks
  /// on all cores (directly up to `threshold`): the node rows of a province's output.
  package static func mapIndices<T: Sendable>(_ count: Int, _ transform: @Sendable (Int) -> T) -> [T] {
    if count <= threshold { return (0..<count).map(transform) }
    return map(count: count) { $0.map(transform) }.flatMap { $0 }
  }

  /// Appends the buffers to `out` in order, growing it at most once.
  package static func concatenate(_ parts: [[UInt8]], onto out: inout [UInt8]) {
    let needed = out.count + parts.reduce(0) { $0 + $1.count }
    if needed > out.capacity { out.reserveCapacity(max(needed, 2 * out.capacity)) }
    for part in parts { out.append(contentsOf: part) }
  }

  /// `body(worker)` for each worker in `0..<count`, concurrently (directly for one): the
  /// caller gives each worker a disjoint share of the work.
  package static func forEachWorker(_ count: Int, _ body: @Sendable (Int) -> Void) {
    if count <= 1 {
      body(0)
    } else {
      DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }
  }

  /// `0..<n` as one contiguous range per core, or one range when `n` is below `minimum`
  /// (where threads cost more than they save).
  package static func perCore(_ n: Int, minimum: Int) -> [Range<Int>] {
    let workers = n < minimum ? 1 : cores
    return (0..<workers).map { w in (n * w / workers)..<(n * (w + 1) / workers) }
  }

  /// `a` on this thread and `b` on another; both results.
  package static func both<A: Sendable, B: Sendable>(_ a: () -> A, _ b: @escaping @Sendable () -> B) -> (A, B) {
    let slot = Slot<B>()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { slot.value = b() }
    let ra = a()
    group.wait()
    return (ra, slot.value!)
  }

  /// A result written by one thread and read by another after a `DispatchGroup.wait()`,
  /// which orders the two accesses.
  private final class Slot<T>: @unchecked Sendable {
    var value: T?
  }
}
