import ChuandaoLinearAlgebra
import _ChuandaoParallel

/// One run of `RankUncertainty`: the prepared data and the phases (base ranks, the draws
/// with their exact ranks or histograms, the estimated ranks of groups above the budget,
/// the per-row summaries).
final class RankUncertaintyEngine: @unchecked Sendable {
  let settings: RankUncertainty
  let workers: Int
  let draws: Int
  /// Base composites of all input rows.
  let composite: [Double]
  /// The ranked rows (group >= 0 and a composite) by group, and within a group by base
  /// composite descending, then row: position p of every per-position array is row
  /// `ranked[p]`. Being in base order, each draw's composites come nearly sorted, so the
  /// bucket sort's counting and scattering touch memory almost sequentially. (Ranks do not
  /// depend on the order in which exact ties are sorted, so this order is as good as the
  /// rows' own.)
  let ranked: [Int]
  /// Each group's block of positions, and its group id.
  let segments: [RankSegment]
  let segmentGroups: [Int32]
  /// Base composite per position.
  let baseKeys: [Double]
  /// Dirichlet parameters: concentration times the positive weights, scaled to sum 1.
  let alpha: [Double]
  let activeCount: Int
  /// The rows of X*M and M (positions, active indicators) in chunks of `chunkRows` rows:
  /// products of at most 65,536 multiply-adds, which OpenBLAS computes on the calling
  /// thread (its own thread pool starts above 4 x 65,536 by default), so that our workers
  /// share the products and no OpenBLAS thread spins while they rank. A chunk's products
  /// for a batch are the same call wherever they are made, so the histograms of a group
  /// above the budget and its estimated ranks see the very same composites.
  let chunkRows: Int
  let weightedChunks: [Matrix]
  let presentChunks: [Matrix]

  init(
    settings: RankUncertainty, values: Matrix, weights: [Double], groups: [Int32], workers: Int
  ) {
    self.settings = settings
    self.workers = workers
    draws = settings.draws
    let n = values.rows
    let columns = values.columns
    let storage = values.storage
    let indicator = CompositeIndicator(weights: weights)
    var composite = [Double](repeating: .nan, count: n)
    var row = [Double](repeating: .nan, count: columns)
    for i in 0..<n {
      for j in 0..<columns { row[j] = storage[i + j * n] }
      composite[i] = indicator.composite(row)
    }
    self.composite = composite
    // By group, then (composite descending, row) within a group: the bucket sort's order.
    var byGroup: [Int32: [Int]] = [:]
    for i in 0..<n where groups[i] >= 0 && !composite[i].isNaN {
      byGroup[groups[i], default: []].append(i)
    }
    var ranked: [Int] = []
    ranked.reserveCapacity(byGroup.values.reduce(0) { $0 + $1.count })
    var segments: [RankSegment] = []
    for group in byGroup.keys.sorted() {
      let rows = byGroup[group]!
      let ranker = CompetitionRanker(capacity: rows.count)
      let keys = rows.map { composite[$0] }
      keys.withUnsafeBufferPointer { ranker.sort(keys: $0.baseAddress!, count: rows.count) }
      segments.append(RankSegment(start: ranked.count, count: rows.count))
      for k in 0..<rows.count { ranked.append(rows[Int(ranker.sortedIndex[k])]) }
    }
    self.ranked = ranked
    self.segments = segments
    segmentGroups = byGroup.keys.sorted()
    baseKeys = ranked.map { composite[$0] }

    let active = indicator.weights.indices.filter { indicator.weights[$0] > 0 }
    activeCount = active.count
    alpha = active.map { settings.concentration * indicator.weights[$0] }
    chunkRows = max(1, 65_536 / (max(1, min(settings.batchSize, settings.draws)) * active.count))
    var weightedChunks: [Matrix] = []
    var presentChunks: [Matrix] = []
    for first in stride(from: 0, to: ranked.count, by: chunkRows) {
      let rows = min(chunkRows, ranked.count - first)
      var weighted = [Double](repeating: 0, count: rows * active.count)
      var present = weighted
      for (a, j) in active.enumerated() {
        for k in 0..<rows {
          let v = storage[ranked[first + k] + j * n]
          if !v.isNaN {
            weighted[k + a * rows] = v
            present[k + a * rows] = 1
          }
        }
      }
      weightedChunks.append(Matrix(rows: rows, columns: active.count, storage: weighted))
      presentChunks.append(Matrix(rows: rows, columns: active.count, storage: present))
    }
    self.weightedChunks = weightedChunks
    self.presentChunks = presentChunks
  }

  func run() -> RankUncertainty.Result {
    let n = composite.count
    let m = ranked.count
    var result = RankUncertainty.Result(
      composite: composite, rank: [Int?](repeating: nil, count: n),
      groupCount: [Int](repeating: 0, count: n),
      rankMedian: [Double](repeating: .nan, count: n),
      rankP05: [Double](repeating: .nan, count: n), rankP95: [Double](repeating: .nan, count: n),
      gradeStability: [Double](repeating: .nan, count: n))
    if m == 0 { return result }

    // Base ranks and bands; a band table gives the band of each rank 1...n by one lookup.
    let rankers = (0..<workers).map { _ in
      CompetitionRanker(capacity: segments.map(\.count).max()!)
    }
    var baseRank = [UInt32](repeating: 0, count: m)
    var bandTables: [[UInt8]] = []
    var baseBand = [UInt8](repeating: 0, count: m)
    for segment in segments {
      baseKeys.withUnsafeBufferPointer { keys in
        rankers[0].sort(keys: keys.baseAddress! + segment.start, count: segment.count)
      }
      baseRank.withUnsafeMutableBufferPointer { buffer in
        rankers[0].emitRanks(count: segment.count, into: buffer.baseAddress! + segment.start)
      }
      let table = (0...segment.count).map { r in
        r == 0
          ? UInt8.max
          : UInt8(gradeBand(rank: r, of: segment.count, bounds: settings.gradeBounds))
      }
      bandTables.append(table)
      for p in segment.start..<segment.end { baseBand[p] = table[Int(baseRank[p])] }
    }

    for segment in segments {
      for p in segment.start..<segment.end {
        result.rank[ranked[p]] = Int(baseRank[p])
        result.groupCount[ranked[p]] = segment.count
      }
    }
    if draws == 0 { return result }

    let exact = settings.exactGroups(sizes: segments.map(\.count))
    let stores = segments.indices.map { g in
      exact[g] ? PackedRanks(size: segments[g].count, draws: draws) : nil
    }
    defer { for store in stores { store?.deallocate() } }
    let estimated = segments.indices.filter { !exact[$0] }
    let histograms =
      estimated.isEmpty
      ? nil
      : RankHistograms(
        engine: self, segments: estimated, bins: settings.histogramBins,
        batchSize: min(settings.batchSize, draws))
    let batches = weightBatches()
    drawAndRank(batches, into: stores, histograms: histograms, rankers: rankers)

    let summaries = RankSummaries(
      engine: self, bandTables: bandTables, baseBand: baseBand, positions: m)
    defer { summaries.deallocate() }
    summarise(stores, into: summaries)
    if let histograms {
      estimateRanks(batches, histograms: histograms, into: summaries)
      result.estimated = histograms.estimates(groups: estimated.map { segmentGroups[$0] })
    }

    for segment in segments {
      for p in segment.start..<segment.end {
        let i = ranked[p]
        result.rankP05[i] = summaries.out.base[p]
        result.rankMedian[i] = summaries.out.base[m + p]
        result.rankP95[i] = summaries.out.base[2 * m + p]
        result.gradeStability[i] = summaries.out.base[3 * m + p]
      }
    }
    return result
  }

  /// All S weight draws, in batches of `batchSize` (J' x B matrices, one column a draw), in
  /// the order they come from `RandomSource(seed:)`.
  func weightBatches() -> [Matrix] {
    let batchSize = min(settings.batchSize, draws)
    var random = RandomSource(seed: settings.seed)
    var batches: [Matrix] = []
    var first = 0
    while first < draws {
      let batch = min(batchSize, draws - first)
      var drawn = [Double](repeating: 0, count: activeCount * batch)
      for c in 0..<batch {
        let w = random.dirichlet(alpha)
        for a in 0..<activeCount { drawn[a + c * activeCount] = w[a] }
      }
      batches.append(Matrix(rows: activeCount, columns: batch, storage: drawn))
      first += batch
    }
    return batches
  }

  /// The draws batch by batch: per batch, the workers first share the row chunks of the two
  /// products (turning them into composites, which go to the key buffer for groups with
  /// exact ranks and into the histograms for the others), then the draws, one worker
  /// ranking all exact groups of a draw and summing up its histograms.
  func drawAndRank(
    _ batches: [Matrix], into stores: [PackedRanks?], histograms: RankHistograms?,
    rankers: [CompetitionRanker]
  ) {
    let batchSize = min(settings.batchSize, draws)
    let chunkCount = weightedChunks.count
    // The composites of the exact groups' positions for a batch, draw-major; in a run
    // where every group is exact, offset = the group's start.
    var keyOffset = [Int](repeating: -1, count: segments.count)
    var keyRows = 0
    for g in segments.indices where stores[g] != nil {
      keyOffset[g] = keyRows
      keyRows += segments[g].count
    }
    let offsets = keyOffset
    let exactRows = keyRows
    let keys = SharedPointer<Double>(base: .allocate(capacity: max(1, keyRows * batchSize)))
    let chunkLow = SharedPointer<Double>(base: .allocate(capacity: chunkCount * batchSize))
    let chunkHigh = SharedPointer<Double>(base: .allocate(capacity: chunkCount * batchSize))
    let rankBuffers = (0..<workers).map { _ in
      SharedPointer<UInt32>(base: .allocate(capacity: segments.map(\.count).max()!))
    }
    defer {
      keys.base.deallocate()
      chunkLow.base.deallocate()
      chunkHigh.base.deallocate()
      for buffer in rankBuffers { buffer.base.deallocate() }
    }
    let scratches = (0..<workers).map { _ in ProductScratch() }
    var first = 0
    for w in batches {
      let batch = w.columns
      Parallel.forEachWorker(workers) { worker in
        let scratch = scratches[worker]
        for chunk in stride(from: worker, to: chunkCount, by: self.workers) {
          let chunkFirst = chunk * self.chunkRows
          let rows = self.weightedChunks[chunk].rows
          self.composites(chunk: chunk, weights: w, scratch: scratch) { values in
            for c in 0..<batch {
              var least = Double.infinity
              var largest = -Double.infinity
              let column = values + c * rows - chunkFirst
              for g in self.segments(overlapping: chunkFirst..<(chunkFirst + rows)) {
                let segment = self.segments[g]
                let lower = max(chunkFirst, segment.start)
                let upper = min(chunkFirst + rows, segment.end)
                if offsets[g] >= 0 {
                  let out = keys.base + c * exactRows + offsets[g] - segment.start
                  for p in lower..<upper {
                    let x = column[p]
                    out[p] = x
                    least = x < least ? x : least
                    largest = x > largest ? x : largest
                  }
                } else {
                  histograms!.count(
                    column + lower, upper - lower, segment: g, worker: worker, draw: c)
                }
              }
              chunkLow.base[c * chunkCount + chunk] = least
              chunkHigh.base[c * chunkCount + chunk] = largest
            }
          }
        }
      }
      let batchFirst = first
      Parallel.forEachWorker(workers) { worker in
        let ranker = rankers[worker]
        let ranks = rankBuffers[worker].base
        for c in stride(from: worker, to: batch, by: self.workers) {
          for (g, segment) in self.segments.enumerated() where offsets[g] >= 0 {
            // Bounds of the segment's composites: those of the chunks it overlaps.
            var low = Double.infinity
            var high = -Double.infinity
            for chunk in (segment.start / self.chunkRows)...((segment.end - 1) / self.chunkRows) {
              low = min(low, chunkLow.base[c * chunkCount + chunk])
              high = max(high, chunkHigh.base[c * chunkCount + chunk])
            }
            ranker.sort(
              keys: keys.base + c * exactRows + offsets[g], count: segment.count, low: low,
              high: high)
            ranker.emitRanks(count: segment.count, into: ranks)
            stores[g]!.store(draw: batchFirst + c, ranks: ranks)
          }
          histograms?.merge(draw: c, as: batchFirst + c)
        }
      }
      first += batch
    }
  }

  /// The segments (indices) that overlap `positions`, in order.
  func segments(overlapping positions: Range<Int>) -> Range<Int> {
    // The first segment that ends after the lower bound, by bisection.
    var low = 0
    var high = segments.count
    while low < high {
      let mid = (low + high) / 2
      if segments[mid].end <= positions.lowerBound { low = mid + 1 } else { high = mid }
    }
    var end = low
    while end < segments.count && segments[end].start < positions.upperBound { end += 1 }
    return low..<end
  }

  /// The composites of one row chunk for every draw of the batch: the two products, then
  /// sum / mass (the base composite where the mass underflowed), column-major (rows x
  /// batch), handed to `body`.
  func composites<R>(
    chunk: Int, weights w: Matrix, scratch: ProductScratch,
    _ body: (UnsafePointer<Double>) -> R
  ) -> R {
    let rows = weightedChunks[chunk].rows
    let first = chunk * chunkRows
    scratch.reshape(rows: rows, columns: w.columns)
    Matrix.gemm(weightedChunks[chunk], w, into: &scratch.sums)
    Matrix.gemm(presentChunks[chunk], w, into: &scratch.masses)
    return scratch.sums.storage.withUnsafeBufferPointer { sums in
      scratch.masses.storage.withUnsafeBufferPointer { masses in
        baseKeys.withUnsafeBufferPointer { base in
          scratch.values.withUnsafeMutableBufferPointer { values in
            for c in 0..<w.columns {
              for k in 0..<rows {
                let mass = masses[k + c * rows]
                let x = sums[k + c * rows] / mass
                values[k + c * rows] = mass > 0 && x.isFinite ? x : base[first + k]
              }
            }
            return body(UnsafePointer(values.baseAddress!))
          }
        }
      }
    }
  }

  /// The summaries of the exact groups, a tile of 64 positions at a time (their S ranks
  /// gathered, transposed, into scratch).
  func summarise(_ stores: [PackedRanks?], into summaries: RankSummaries) {
    var tiles: [(segment: Int, start: Int)] = []
    for (g, segment) in segments.enumerated() where stores[g] != nil {
      for start in stride(from: 0, to: segment.count, by: PackedRanks.tileRows) {
        tiles.append((g, start))
      }
    }
    if tiles.isEmpty { return }
    let tileList = tiles
    let statWorkers = min(workers, tiles.count)
    Parallel.forEachWorker(statWorkers) { worker in
      let scratch = summaries.statistics[worker]
      for t in stride(from: worker, to: tileList.count, by: statWorkers) {
        let tile = tileList[t]
        let rows = stores[tile.segment]!.gather(tileAt: tile.start, into: scratch.gathered)
        summaries.summarise(
          segment: tile.segment, positions: (self.segments[tile.segment].start + tile.start),
          rows: rows, statistics: scratch)
      }
    }
  }
}

/// One worker's outputs of the two products for a row chunk, and the composites.
final class ProductScratch: @unchecked Sendable {
  var sums = Matrix(rows: 0, columns: 0)
  var masses = Matrix(rows: 0, columns: 0)
  var values: [Double] = []

  func reshape(rows: Int, columns: Int) {
    if sums.rows != rows || sums.columns != columns {
      sums = Matrix(rows: rows, columns: columns)
      masses = Matrix(rows: rows, columns: columns)
      values = [Double](repeating: 0, count: rows * columns)
    }
  }
}

/// A group's block of the ranked rows.
struct RankSegment {
  var start: Int
  var count: Int
  var end: Int { start + count }
}

/// A pointer handed to workers that write disjoint parts of its memory, or only read it.
struct SharedPointer<Pointee>: @unchecked Sendable {
  let base: UnsafeMutablePointer<Pointee>
}
