import ChuandaoLinearAlgebra
import _ChuandaoParallel

/// One run of `RankUncertainty`: the prepared data and the three phases (base ranks,
/// draws, per-row summaries).
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
  /// Each group's block of positions.
  let segments: [RankSegment]
  /// Base composite per position.
  let baseKeys: [Double]
  /// Dirichlet parameters: concentration times the positive weights, scaled to sum 1.
  let alpha: [Double]
  let activeCount: Int
  /// The rows of X*M and M (positions, active indicators) in chunks of `chunkRows` rows:
  /// products of at most 65,536 multiply-adds, which OpenBLAS computes on the calling
  /// thread (its own thread pool starts above 4 x 65,536 by default), so that our workers
  /// share the products and no OpenBLAS thread spins while they rank.
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
    var ranked = (0..<n).filter { groups[$0] >= 0 && !composite[$0].isNaN }
    ranked.sort {
      groups[$0] != groups[$1]
        ? groups[$0] < groups[$1]
        : composite[$0] != composite[$1] ? composite[$0] > composite[$1] : $0 < $1
    }
    self.ranked = ranked
    var segments: [RankSegment] = []
    for (p, i) in ranked.enumerated() {
      if p == 0 || groups[ranked[p - 1]] != groups[i] {
        segments.append(RankSegment(start: p, count: 0))
      }
      segments[segments.count - 1].count += 1
    }
    self.segments = segments
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
        rankers[0].emitRanks(
          count: segment.count, into: BufferRankSink(ranks: buffer.baseAddress! + segment.start))
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

    let stores = segments.map { PackedRanks(size: $0.count, draws: draws) }
    defer { for store in stores { store.deallocate() } }
    drawAndRank(into: stores, rankers: rankers)
    let summary = summarise(stores, bandTables: bandTables, baseBand: baseBand)

    for segment in segments {
      for p in segment.start..<segment.end {
        let i = ranked[p]
        result.rankP05[i] = summary.lower[p]
        result.rankMedian[i] = summary.median[p]
        result.rankP95[i] = summary.upper[p]
        result.gradeStability[i] = summary.stability[p]
      }
    }
    return result
  }

  /// Draws the weights batch by batch and stores every draw's ranks: per batch, the workers
  /// first share the row chunks of the two products (and turn them into composites), then
  /// the draws, one worker ranking all groups of a draw.
  func drawAndRank(into stores: [PackedRanks], rankers: [CompetitionRanker]) {
    let m = ranked.count
    let batchSize = min(settings.batchSize, draws)
    let chunkCount = weightedChunks.count
    let keys = SharedPointer<Double>(base: .allocate(capacity: m * batchSize))
    let chunkLow = SharedPointer<Double>(base: .allocate(capacity: chunkCount * batchSize))
    let chunkHigh = SharedPointer<Double>(base: .allocate(capacity: chunkCount * batchSize))
    defer {
      keys.base.deallocate()
      chunkLow.base.deallocate()
      chunkHigh.base.deallocate()
    }
    let scratches = (0..<workers).map { _ in ProductScratch() }
    var random = RandomSource(seed: settings.seed)
    var first = 0
    while first < draws {
      let batch = min(batchSize, draws - first)
      var drawn = [Double](repeating: 0, count: activeCount * batch)
      for c in 0..<batch {
        let w = random.dirichlet(alpha)
        for a in 0..<activeCount { drawn[a + c * activeCount] = w[a] }
      }
      let w = Matrix(rows: activeCount, columns: batch, storage: drawn)
      Parallel.forEachWorker(workers) { worker in
        let scratch = scratches[worker]
        for chunk in stride(from: worker, to: chunkCount, by: self.workers) {
          self.composites(
            chunk: chunk, weights: w, scratch: scratch, into: keys.base,
            low: chunkLow.base + chunk, high: chunkHigh.base + chunk, stride: chunkCount)
        }
      }
      let batchFirst = first
      Parallel.forEachWorker(workers) { worker in
        let ranker = rankers[worker]
        for c in stride(from: worker, to: batch, by: self.workers) {
          for (g, segment) in self.segments.enumerated() {
            // Bounds of the segment's composites: those of the chunks it overlaps.
            var low = Double.infinity
            var high = -Double.infinity
            for chunk in (segment.start / self.chunkRows)...((segment.end - 1) / self.chunkRows) {
              low = min(low, chunkLow.base[c * chunkCount + chunk])
              high = max(high, chunkHigh.base[c * chunkCount + chunk])
            }
            ranker.sort(
              keys: keys.base + c * m + segment.start, count: segment.count, low: low,
              high: high)
            ranker.emitRanks(
              count: segment.count, into: PackedRankSink(stores[g], draw: batchFirst + c))
          }
        }
      }
      first += batch
    }
  }

  /// The composites of one row chunk for every draw of the batch: the two products, then
  /// sum / mass, written to column c of `keys` (m x batch, column-major), with the least
  /// and largest of each column at `low[c * stride]` and `high[c * stride]`.
  func composites(
    chunk: Int, weights w: Matrix, scratch: ProductScratch, into keys: UnsafeMutablePointer<Double>,
    low: UnsafeMutablePointer<Double>, high: UnsafeMutablePointer<Double>, stride: Int
  ) {
    let m = ranked.count
    let rows = weightedChunks[chunk].rows
    let first = chunk * chunkRows
    scratch.reshape(rows: rows, columns: w.columns)
    Matrix.gemm(weightedChunks[chunk], w, into: &scratch.sums)
    Matrix.gemm(presentChunks[chunk], w, into: &scratch.masses)
    scratch.sums.storage.withUnsafeBufferPointer { sums in
      scratch.masses.storage.withUnsafeBufferPointer { masses in
        baseKeys.withUnsafeBufferPointer { base in
          for c in 0..<w.columns {
            let out = keys + c * m + first
            var least = Double.infinity
            var largest = -Double.infinity
            for k in 0..<rows {
              let mass = masses[k + c * rows]
              var x = sums[k + c * rows] / mass
              if !(mass > 0 && x.isFinite) { x = base[first + k] }
              out[k] = x
              least = x < least ? x : least
              largest = x > largest ? x : largest
            }
            low[c * stride] = least
            high[c * stride] = largest
          }
        }
      }
    }
  }

  /// Per position: type-7 quantiles (5%, 50%, 95%) of its S ranks and its grade stability,
  /// a tile of 64 positions at a time (their S ranks gathered, transposed, into scratch).
  func summarise(_ stores: [PackedRanks], bandTables: [[UInt8]], baseBand: [UInt8]) -> (
    lower: [Double], median: [Double], upper: [Double], stability: [Double]
  ) {
    let m = ranked.count
    let tileRows = 64
    var tiles: [(segment: Int, start: Int, count: Int)] = []
    for (g, segment) in segments.enumerated() {
      for start in Swift.stride(from: 0, to: segment.count, by: tileRows) {
        tiles.append((g, start, min(tileRows, segment.count - start)))
      }
    }
    let tileList = tiles
    // When bands do not decrease with rank (ascending bounds), the ranks of a band form an
    // interval, and counting a row's draws in its base band needs no table lookups.
    let bandIntervals: [[ClosedRange<UInt32>?]] = bandTables.map { table in
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
    let out = SharedPointer<Double>(base: .allocate(capacity: 4 * m))
    defer { out.base.deallocate() }
    let statWorkers = min(workers, tiles.count)
    let scratches = (0..<statWorkers).map { _ in
      RankStatistics(draws: draws, tileRows: tileRows, probabilities: [0.05, 0.5, 0.95])
    }
    Parallel.forEachWorker(statWorkers) { worker in
      let scratch = scratches[worker]
      let draws = self.draws
      for t in Swift.stride(from: worker, to: tileList.count, by: statWorkers) {
        let tile = tileList[t]
        let store = stores[tile.segment]
        store.gather(rows: tile.start..<(tile.start + tile.count), into: scratch.gathered)
        let gathered = scratch.gathered
        bandTables[tile.segment].withUnsafeBufferPointer { table in
          for q in 0..<tile.count {
            let p = self.segments[tile.segment].start + tile.start + q
            let summary = scratch.summarise(
              gathered + q * draws, bands: table.baseAddress!, baseBand: baseBand[p],
              interval: bandIntervals[tile.segment][Int(baseBand[p])])
            out.base[p] = summary.0
            out.base[m + p] = summary.1
            out.base[2 * m + p] = summary.2
            out.base[3 * m + p] = summary.3
          }
        }
      }
    }
    return (
      Array(UnsafeBufferPointer(start: out.base, count: m)),
      Array(UnsafeBufferPointer(start: out.base + m, count: m)),
      Array(UnsafeBufferPointer(start: out.base + 2 * m, count: m)),
      Array(UnsafeBufferPointer(start: out.base + 3 * m, count: m))
    )
  }
}

/// One worker's outputs of the two products for a row chunk.
final class ProductScratch: @unchecked Sendable {
  var sums = Matrix(rows: 0, columns: 0)
  var masses = Matrix(rows: 0, columns: 0)

  func reshape(rows: Int, columns: Int) {
    if sums.rows != rows || sums.columns != columns {
      sums = Matrix(rows: rows, columns: columns)
      masses = Matrix(rows: rows, columns: columns)
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
