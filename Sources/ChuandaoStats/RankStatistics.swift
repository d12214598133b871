// Every draw's ranks of a group, packed, and the per-row summaries of them (the quantiles
// and grade stability of `RankUncertainty`).

/// The ranks of one group for every draw, in `width` little-endian bytes each (the fewest
/// that hold the group size), draw-major: entry (s, i) at byte (s * size + i) * width.
struct PackedRanks: @unchecked Sendable {
  let size: Int
  let draws: Int
  let width: Int
  let bytes: UnsafeMutableRawPointer

  init(size: Int, draws: Int) {
    self.size = size
    self.draws = draws
    width = size < 1 << 8 ? 1 : size < 1 << 16 ? 2 : size < 1 << 24 ? 3 : 4
    bytes = .allocate(byteCount: max(1, size * draws * width), alignment: 8)
  }

  func deallocate() { bytes.deallocate() }

  @inline(__always) func store(_ rank: UInt32, draw: Int, row: Int) {
    let offset = (draw * size + row) * width
    switch width {
    case 1:
      bytes.storeBytes(of: UInt8(truncatingIfNeeded: rank), toByteOffset: offset, as: UInt8.self)
    case 2:
      bytes.storeBytes(of: UInt16(truncatingIfNeeded: rank), toByteOffset: offset, as: UInt16.self)
    case 3:
      bytes.storeBytes(of: UInt16(truncatingIfNeeded: rank), toByteOffset: offset, as: UInt16.self)
      bytes.storeBytes(
        of: UInt8(truncatingIfNeeded: rank >> 16), toByteOffset: offset + 2, as: UInt8.self)
    default: bytes.storeBytes(of: rank, toByteOffset: offset, as: UInt32.self)
    }
  }

  /// Copies the ranks of `rows` for every draw into `out`, row-major (row q's S ranks at
  /// `out + q * draws`): the transpose, reading each draw's contiguous run of the rows.
  func gather(rows: Range<Int>, into out: UnsafeMutablePointer<UInt32>) {
    let count = rows.count
    for s in 0..<draws {
      let source = bytes + (s * size + rows.lowerBound) * width
      let target = out + s
      switch width {
      case 1:
        for q in 0..<count {
          target[q &* draws] = UInt32(source.load(fromByteOffset: q, as: UInt8.self))
        }
      case 2:
        for q in 0..<count {
          target[q &* draws] = UInt32(
            source.loadUnaligned(fromByteOffset: 2 &* q, as: UInt16.self))
        }
      case 3:
        for q in 0..<count {
          target[q &* draws] =
            UInt32(source.loadUnaligned(fromByteOffset: 3 &* q, as: UInt16.self))
            | UInt32(source.load(fromByteOffset: 3 &* q &+ 2, as: UInt8.self)) << 16
        }
      default:
        for q in 0..<count {
          target[q &* draws] = source.loadUnaligned(fromByteOffset: 4 &* q, as: UInt32.self)
        }
      }
    }
  }

}

/// Per-row summaries of S ranks: type-7 quantiles and grade stability; one per worker.
///
/// The order statistics come from a histogram of at most 1024 buckets over [min, max] of
/// the row's ranks: exact when the range is below 1024, else only the buckets holding a
/// wanted order statistic are gathered and sorted. O(S) per row instead of a sort.
final class RankStatistics: @unchecked Sendable {
  let draws: Int
  /// `tileRows` rows of S ranks each.
  let gathered: UnsafeMutablePointer<UInt32>
  let histogram: UnsafeMutablePointer<Int32>
  let slotOf: UnsafeMutablePointer<Int8>
  let collected: UnsafeMutablePointer<UInt32>
  /// Wanted order statistics (0-based, ascending, distinct), and per target its value,
  /// bucket, offset in the bucket and slot.
  let targetCount: Int
  let targets: UnsafeMutablePointer<Int>
  let found: UnsafeMutablePointer<UInt32>
  let targetBucket: UnsafeMutablePointer<Int>
  let targetOffset: UnsafeMutablePointer<Int>
  let slotStart: UnsafeMutablePointer<Int>
  let slotFill: UnsafeMutablePointer<Int>
  /// Per probability: the targets holding floor(h) and floor(h) + 1 (or the same at the
  /// end), and h - floor(h), with h = (S - 1) p as in `quantileType7(sorted:_:)`.
  let plan: [(low: Int, high: Int, fraction: Double)]
  static let buckets = 1024

  init(draws: Int, tileRows: Int, probabilities: [Double]) {
    precondition(probabilities.count == 3)
    self.draws = draws
    gathered = .allocate(capacity: draws * tileRows)
    histogram = .allocate(capacity: Self.buckets)
    slotOf = .allocate(capacity: Self.buckets)
    slotOf.initialize(repeating: -1, count: Self.buckets)
    collected = .allocate(capacity: draws)
    var wanted: Set<Int> = []
    var raw: [(Int, Int, Double)] = []
    for p in probabilities {
      let h = Double(draws - 1) * p
      let lowIndex = Int(h.rounded(.down))
      let highIndex = min(lowIndex + 1, draws - 1)
      wanted.insert(lowIndex)
      wanted.insert(highIndex)
      raw.append((lowIndex, highIndex, h - Double(lowIndex)))
    }
    let sortedTargets = wanted.sorted()
    targetCount = sortedTargets.count
    targets = .allocate(capacity: targetCount)
    targets.initialize(from: sortedTargets, count: targetCount)
    plan = raw.map {
      (sortedTargets.firstIndex(of: $0.0)!, sortedTargets.firstIndex(of: $0.1)!, $0.2)
    }
    found = .allocate(capacity: targetCount)
    targetBucket = .allocate(capacity: targetCount)
    targetOffset = .allocate(capacity: targetCount)
    slotStart = .allocate(capacity: targetCount)
    slotFill = .allocate(capacity: targetCount)
  }

  deinit {
    gathered.deallocate()
    histogram.deallocate()
    slotOf.deallocate()
    collected.deallocate()
    targets.deallocate()
    found.deallocate()
    targetBucket.deallocate()
    targetOffset.deallocate()
    slotStart.deallocate()
    slotFill.deallocate()
  }

  /// (p05, median, p95, stability) of the S ranks at `ranks`, which it leaves as they are;
  /// `bands[r]` is the grade band of rank r.
  func summarise(
    _ ranks: UnsafeMutablePointer<UInt32>, bands: UnsafePointer<UInt8>, baseBand: UInt8,
    interval: ClosedRange<UInt32>?
  ) -> (Double, Double, Double, Double) {
    var low = ranks[0]
    var high = ranks[0]
    var same = 0
    if let interval {
      let first = interval.lowerBound
      let span = interval.upperBound &- first
      for s in 0..<draws {
        let r = ranks[s]
        low = min(low, r)
        high = max(high, r)
        same &+= r &- first <= span ? 1 : 0
      }
    } else {
      for s in 0..<draws {
        let r = ranks[s]
        low = min(low, r)
        high = max(high, r)
        same &+= bands[Int(r)] == baseBand ? 1 : 0
      }
    }
    let range = Int(high - low)
    var shift = 0
    while range >> shift >= Self.buckets { shift += 1 }
    histogram.update(repeating: 0, count: (range >> shift) + 1)
    for s in 0..<draws { histogram[Int(truncatingIfNeeded: ranks[s] &- low) >> shift] &+= 1 }
    var bucket = 0
    var before = 0
    for t in 0..<targetCount {
      let k = targets[t]
      while before &+ Int(truncatingIfNeeded: histogram[bucket]) <= k {
        before &+= Int(truncatingIfNeeded: histogram[bucket])
        bucket &+= 1
      }
      targetBucket[t] = bucket
      targetOffset[t] = k - before
    }
    if shift == 0 {
      for t in 0..<targetCount { found[t] = low + UInt32(targetBucket[t]) }
    } else {
      // The members of each wanted bucket, each bucket in a slot of its own, sorted.
      var slots = 0
      var fill = 0
      for t in 0..<targetCount where slotOf[targetBucket[t]] < 0 {
        slotOf[targetBucket[t]] = Int8(slots)
        slotStart[slots] = fill
        slotFill[slots] = fill
        fill += Int(histogram[targetBucket[t]])
        slots += 1
      }
      for s in 0..<draws {
        let r = ranks[s]
        let slot = Int(slotOf[Int(truncatingIfNeeded: r &- low) >> shift])
        if slot >= 0 {
          collected[slotFill[slot]] = r
          slotFill[slot] &+= 1
        }
      }
      for slot in 0..<slots {
        var members = UnsafeMutableBufferPointer(
          start: collected + slotStart[slot], count: slotFill[slot] - slotStart[slot])
        members.sort()
      }
      for t in 0..<targetCount {
        found[t] = collected[slotStart[Int(slotOf[targetBucket[t]])] + targetOffset[t]]
      }
      for t in 0..<targetCount { slotOf[targetBucket[t]] = -1 }
    }
    func quantile(_ q: Int) -> Double {
      let step = plan[q]
      let a = Double(found[step.low])
      let b = Double(found[step.high])
      // The arithmetic of `quantileType7(sorted:_:)`, so that results match it bit for bit.
      return b == a ? a : a + step.fraction * (b - a)
    }
    return (quantile(0), quantile(1), quantile(2), Double(same) / Double(draws))
  }
}
