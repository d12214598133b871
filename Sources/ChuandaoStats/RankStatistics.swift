// Every draw's ranks of a group, packed, and the per-row summaries of them (the quantiles
// and grade stability of `RankUncertainty`).

/// The ranks of `size` rows for every draw, in `width` little-endian bytes each, tile-major:
/// the rows in tiles of `tileRows` (the last may be shorter), each tile holding its rows'
/// ranks draw after draw, so that a tile's ranks are one contiguous block. Entry (s, i) of
/// tile t = i / tileRows, with r rows, is at byte (t tileRows S + s r + i mod tileRows) width.
///
/// A draw's ranks arrive in row order (`store(draw:ranks:)` writes runs of `tileRows`
/// entries), and the summaries read a tile as one block (`gather`): both sequential. Storing
/// them draw-major instead, each draw one contiguous block, made the summaries' transpose
/// read S separate runs per tile, 0.4 s of 1000 draws of 200,000 rows.
struct PackedRanks: @unchecked Sendable {
  let size: Int
  let draws: Int
  let width: Int
  let bytes: UnsafeMutableRawPointer
  static let tileRows = 64

  /// The fewest whole bytes that hold ranks up to `largest` (1, 2, 3 or 4).
  static func width(largest: Int) -> Int {
    largest < 1 << 8 ? 1 : largest < 1 << 16 ? 2 : largest < 1 << 24 ? 3 : 4
  }

  /// A store of its own for a group of `size` rows.
  init(size: Int, draws: Int) {
    let width = Self.width(largest: size)
    self.init(
      size: size, draws: draws, width: width,
      bytes: .allocate(byteCount: max(1, size * draws * width), alignment: 8))
  }

  /// A view of `bytes`, which must hold size x draws x width bytes.
  init(size: Int, draws: Int, width: Int, bytes: UnsafeMutableRawPointer) {
    self.size = size
    self.draws = draws
    self.width = width
    self.bytes = bytes
  }

  func deallocate() { bytes.deallocate() }

  /// Stores draw s's ranks of all rows, `ranks[i]` for row i.
  func store(draw s: Int, ranks: UnsafePointer<UInt32>) {
    var first = 0
    while first < size {
      let rows = min(Self.tileRows, size - first)
      let target = bytes + (first * draws + s * rows) * width
      let source = ranks + first
      switch width {
      case 1:
        for q in 0..<rows {
          target.storeBytes(
            of: UInt8(truncatingIfNeeded: source[q]), toByteOffset: q, as: UInt8.self)
        }
      case 2:
        for q in 0..<rows {
          target.storeBytes(
            of: UInt16(truncatingIfNeeded: source[q]), toByteOffset: 2 &* q, as: UInt16.self)
        }
      case 3:
        // Four-byte stores, each overwriting the spare byte of the one before; the last
        // entry as 2 + 1 bytes, so as not to touch the next run (another draw's, written
        // by another worker).
        for q in 0..<(rows - 1) {
          target.storeBytes(of: source[q], toByteOffset: 3 &* q, as: UInt32.self)
        }
        let q = rows - 1
        target.storeBytes(
          of: UInt16(truncatingIfNeeded: source[q]), toByteOffset: 3 &* q, as: UInt16.self)
        target.storeBytes(
          of: UInt8(truncatingIfNeeded: source[q] >> 16), toByteOffset: 3 &* q &+ 2,
          as: UInt8.self)
      default:
        for q in 0..<rows {
          target.storeBytes(of: source[q], toByteOffset: 4 &* q, as: UInt32.self)
        }
      }
      first += Self.tileRows
    }
  }

  /// Copies the ranks of the tile that starts at row `first` (a multiple of `tileRows`)
  /// for every draw into `out`, row-major (row q's S ranks at `out + q * draws`): the
  /// transpose of one contiguous block. Returns the tile's row count.
  @discardableResult
  func gather(tileAt first: Int, into out: UnsafeMutablePointer<UInt32>) -> Int {
    let rows = min(Self.tileRows, size - first)
    let tile = bytes + first * draws * width
    for s in 0..<draws {
      let source = tile + s * rows * width
      let target = out + s
      switch width {
      case 1:
        for q in 0..<rows {
          target[q &* draws] = UInt32(source.load(fromByteOffset: q, as: UInt8.self))
        }
      case 2:
        for q in 0..<rows {
          target[q &* draws] = UInt32(
            source.loadUnaligned(fromByteOffset: 2 &* q, as: UInt16.self))
        }
      case 3:
        for q in 0..<rows {
          target[q &* draws] =
            UInt32(source.loadUnaligned(fromByteOffset: 3 &* q, as: UInt16.self))
            | UInt32(source.load(fromByteOffset: 3 &* q &+ 2, as: UInt8.self)) << 16
        }
      default:
        for q in 0..<rows {
          target[q &* draws] = source.loadUnaligned(fromByteOffset: 4 &* q, as: UInt32.self)
        }
      }
    }
    return rows
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

/// Where the per-position summaries go: type-7 quantiles (5%, 50%, 95%) of a position's S
/// ranks and its grade stability, with the band tables and per-worker scratch they need.
final class RankSummaries: @unchecked Sendable {
  let m: Int
  let draws: Int
  let bandTables: [[UInt8]]
  let baseBand: [UInt8]
  /// When bands do not decrease with rank (ascending bounds), the ranks of a band form an
  /// interval, and counting a row's draws in its base band needs no table lookups.
  let bandIntervals: [[ClosedRange<UInt32>?]]
  let statistics: [RankStatistics]
  /// p05, median, p95 and stability, m each.
  let out: SharedPointer<Double>

  init(engine: RankUncertaintyEngine, bandTables: [[UInt8]], baseBand: [UInt8], positions m: Int) {
    self.m = m
    draws = engine.draws
    self.bandTables = bandTables
    self.baseBand = baseBand
    bandIntervals = bandTables.map { table in
      var intervals = [ClosedRange<UInt32>?](repeating: nil, count: 256)
      for r in 1..<table.count {
        let band = Int(table[r])
        if r > 1 && table[r] < table[r - 1] {
          return [ClosedRange<UInt32>?](repeating: nil, count: 256)
        }
        intervals[band] = (intervals[band]?.lowerBound ?? UInt32(r))...UInt32(r)
      }
      return intervals
    }
    statistics = (0..<engine.workers).map { _ in
      RankStatistics(
        draws: engine.draws, tileRows: PackedRanks.tileRows, probabilities: [0.05, 0.5, 0.95])
    }
    out = SharedPointer(base: .allocate(capacity: 4 * m))
  }

  func deallocate() { out.base.deallocate() }

  /// Summarises `rows` positions from `first` on (of segment g), whose S ranks each are in
  /// `statistics.gathered`, row after row.
  func summarise(segment g: Int, positions first: Int, rows: Int, statistics: RankStatistics) {
    bandTables[g].withUnsafeBufferPointer { table in
      for q in 0..<rows {
        let p = first + q
        let summary = statistics.summarise(
          statistics.gathered + q * draws, bands: table.baseAddress!, baseBand: baseBand[p],
          interval: bandIntervals[g][Int(baseBand[p])])
        out.base[p] = summary.0
        out.base[m + p] = summary.1
        out.base[2 * m + p] = summary.2
        out.base[3 * m + p] = summary.3
      }
    }
  }
}
