// Exact competition ranks of many keys at once: the bucket sort behind `competitionRanks`
// and every draw of `RankUncertainty`.

/// Sorts keys exactly by (value descending, index ascending) and hands out competition
/// ranks; owns its scratch buffers, one ranker per worker.
///
/// A counting sort into 2n buckets by the monotone map b(x) = round((high - x) (2n - 1) /
/// (high - low)) (floating-point subtraction, multiplication and rounding are monotone, so
/// x > y never puts x in a later bucket, and equal keys share a bucket), stable so that
/// exact ties stay in index order; then one insertion pass over the whole array, which
/// never moves a key past a bucket boundary. Buckets hold half a key on average, so this
/// is three linear passes; a bucket of more than 32 keys (clusters, outliers stretching
/// the range) is sorted by comparison instead, so the worst case is O(n log n). Two
/// buckets per key beat one by about 10% (fewer collisions for the insertion pass, whose
/// mispredicted branches cost most); four were no better. Measured against the
/// alternatives in `RankUncertainty`'s documentation.
final class CompetitionRanker: @unchecked Sendable {
  let capacity: Int
  let bucketOf: UnsafeMutablePointer<UInt32>
  let counts: UnsafeMutablePointer<Int32>
  let sortedKeys: UnsafeMutablePointer<Double>
  let sortedIndex: UnsafeMutablePointer<Int32>

  static let largeBucket = 32
  /// Buckets per key: two halve the collisions (and the insertion pass) of one.
  static let bucketsPerKey = 2

  init(capacity: Int) {
    precondition(capacity < Int(Int32.max), "CompetitionRanker: \(capacity) keys")
    self.capacity = capacity
    let c = max(1, capacity)
    bucketOf = .allocate(capacity: c)
    counts = .allocate(capacity: Self.bucketsPerKey * c + 1)
    sortedKeys = .allocate(capacity: c)
    sortedIndex = .allocate(capacity: c)
  }

  deinit {
    bucketOf.deallocate()
    counts.deallocate()
    sortedKeys.deallocate()
    sortedIndex.deallocate()
  }

  /// Sorts `keys[0..<count]` (no NaN) into `sortedKeys` and `sortedIndex`.
  func sort(keys: UnsafePointer<Double>, count n: Int) {
    var low = Double.infinity
    var high = -Double.infinity
    for i in 0..<n {
      low = keys[i] < low ? keys[i] : low
      high = keys[i] > high ? keys[i] : high
    }
    sort(keys: keys, count: n, low: low, high: high)
  }

  /// Sorts `keys[0..<count]` (no NaN), which all lie in [low, high].
  func sort(keys: UnsafePointer<Double>, count n: Int, low: Double, high: Double) {
    precondition(n <= capacity, "CompetitionRanker: \(n) keys for capacity \(capacity)")
    if n == 0 { return }
    let nb = Self.bucketsPerKey * n
    let range = high - low
    let scale = Double(nb - 1) / range
    if !(range > 0 && range.isFinite && scale.isFinite) {
      // Equal bounds: all keys equal, already in index order. Infinite keys or a range
      // beyond the largest double (or below the smallest normal one): by comparison.
      for i in 0..<n {
        sortedKeys[i] = keys[i]
        sortedIndex[i] = Int32(i)
      }
      if high != low { sortByComparison(0, n) }
      return
    }
    counts.update(repeating: 0, count: nb + 1)
    let last = UInt64(nb - 1)
    for i in 0..<n {
      // (high - x) scale is in [0, n - 1] (times 1 + 2^-52 at most); adding 2^52 rounds
      // it to the nearest integer in the low mantissa bits: monotone, and no range checks.
      let u = ((high - keys[i]) * scale + 0x1p52).bitPattern & 0x000F_FFFF_FFFF_FFFF
      let b = Int(truncatingIfNeeded: min(last, u))
      bucketOf[i] = UInt32(truncatingIfNeeded: b)
      counts[b &+ 1] &+= 1
    }
    var largest: Int32 = 0
    var running: Int32 = 0
    for b in 0..<nb {
      let c = counts[b &+ 1]
      largest = max(largest, c)
      counts[b] = running
      running &+= c
    }
    for i in 0..<n {
      let b = Int(truncatingIfNeeded: bucketOf[i])
      let p = Int(truncatingIfNeeded: counts[b])
      counts[b] = Int32(truncatingIfNeeded: p &+ 1)
      sortedKeys[p] = keys[i]
      sortedIndex[p] = Int32(truncatingIfNeeded: i)
    }
    // Now counts[b] is the end of bucket b.
    if Int(largest) <= Self.largeBucket {
      insertionSort(0, n)
    } else {
      var start = 0
      for b in 0..<nb {
        let end = Int(counts[b])
        if end - start > Self.largeBucket {
          sortByComparison(start, end)
        } else if end - start > 1 {
          insertionSort(start, end)
        }
        start = end
      }
    }
  }

  /// Stable insertion sort of `start..<end` by key descending (ties keep their order).
  @inline(__always) private func insertionSort(_ start: Int, _ end: Int) {
    var k = start + 1
    while k < end {
      let x = sortedKeys[k]
      if x > sortedKeys[k - 1] {
        let xi = sortedIndex[k]
        var j = k
        repeat {
          sortedKeys[j] = sortedKeys[j - 1]
          sortedIndex[j] = sortedIndex[j - 1]
          j -= 1
        } while j > start && x > sortedKeys[j - 1]
        sortedKeys[j] = x
        sortedIndex[j] = xi
      }
      k += 1
    }
  }

  /// Sorts `start..<end` by (key descending, index ascending) by comparison; a block of
  /// equal keys (in index order already) is left as it is.
  private func sortByComparison(_ start: Int, _ end: Int) {
    if (start..<end).allSatisfy({ sortedKeys[$0] == sortedKeys[start] }) { return }
    var pairs = (start..<end).map { (key: sortedKeys[$0], index: sortedIndex[$0]) }
    pairs.sort { $0.key > $1.key || ($0.key == $1.key && $0.index < $1.index) }
    for (k, pair) in pairs.enumerated() {
      sortedKeys[start + k] = pair.key
      sortedIndex[start + k] = pair.index
    }
  }

  /// Writes the competition rank of key i to `ranks[i]`, after `sort`.
  func emitRanks(count n: Int, into ranks: UnsafeMutablePointer<UInt32>) {
    if n == 0 { return }
    var rank: UInt32 = 1
    var previous = sortedKeys[0]
    ranks[Int(sortedIndex[0])] = 1
    for k in 1..<n {
      let x = sortedKeys[k]
      if !Ties.equal(x, previous) { rank = UInt32(truncatingIfNeeded: k + 1) }
      ranks[Int(sortedIndex[k])] = rank
      previous = x
    }
  }
}
