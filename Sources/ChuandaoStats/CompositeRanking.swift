import ChuandaoLinearAlgebra
import Dispatch
import Foundation
import _ChuandaoParallel

// Composite indicators, competition ranks, grade bands and the rank uncertainty of a
// composite under random weights (METHODS.md section 7, "Annual assessment feed").

/// Weighted-mean composite with missing indicators dropped and weights renormalised.
///
/// An indicator with weight 0 never counts: it neither contributes to a composite nor makes
/// one exist. Values are normalised indicator values (0...100, higher is better), NaN =
/// missing.
public struct CompositeIndicator: Sendable {
  /// The given weights scaled to sum 1.
  public let weights: [Double]

  /// Traps unless every weight is finite and >= 0 and at least one is > 0.
  public init(weights: [Double]) {
    precondition(
      weights.allSatisfy { $0 >= 0 && $0.isFinite },
      "CompositeIndicator: weights must be finite and >= 0, got \(weights)")
    let total = weights.reduce(0, +)
    precondition(
      total > 0 && total.isFinite,
      "CompositeIndicator: at least one weight must be > 0 (and their sum finite), got \(weights)")
    self.weights = weights.map { $0 / total }
  }

  /// sum_j w_j x_j / sum_j w_j over the indicators with x_j not NaN and w_j > 0; NaN when
  /// there is none.
  public func composite(_ row: [Double]) -> Double {
    precondition(
      row.count == weights.count,
      "CompositeIndicator.composite: \(row.count) values for \(weights.count) weights")
    var sum = 0.0
    var mass = 0.0
    for j in weights.indices where weights[j] > 0 && !row[j].isNaN {
      sum += weights[j] * row[j]
      mass += weights[j]
    }
    return mass > 0 ? sum / mass : .nan
  }

  /// The indices of up to `count` indicators with the largest weighted shortfall
  /// w_j (100 - x_j), largest first.
  ///
  /// Candidates are the present indicators (x_j not NaN) with w_j > 0 whose weighted
  /// shortfall is > 0 and not equal to 0 in the `Ties` sense (|w_j (100 - x_j)| <= 1e-9 is
  /// no shortfall). Shortfalls equal in the `Ties` sense go to the earlier indicator.
  public func shortfalls(_ row: [Double], count: Int = 2) -> [Int] {
    precondition(
      row.count == weights.count,
      "CompositeIndicator.shortfalls: \(row.count) values for \(weights.count) weights")
    precondition(count >= 0, "CompositeIndicator.shortfalls: negative count \(count)")
    var candidates: [(index: Int, shortfall: Double)] = []
    for j in weights.indices where weights[j] > 0 && !row[j].isNaN {
      let shortfall = weights[j] * (100 - row[j])
      if shortfall > 0 && !Ties.equal(shortfall, 0) { candidates.append((j, shortfall)) }
    }
    var chosen: [Int] = []
    while chosen.count < count && !candidates.isEmpty {
      // Scanning in indicator order and moving only on a strictly larger shortfall gives
      // ties to the earlier indicator.
      var best = 0
      for c in candidates.indices.dropFirst()
      where Ties.sign(candidates[c].shortfall, candidates[best].shortfall) > 0 {
        best = c
      }
      chosen.append(candidates[best].index)
      candidates.remove(at: best)
    }
    return chosen
  }
}

/// Competition ranks, descending: 1 for the largest value; NaN gets nil.
///
/// The values are sorted descending, exact ties by index (so the order is unique); a value
/// that is `Ties.equal` to the value just above it in that order shares that value's rank,
/// so near-ties chain (a ~ b ~ c share one rank even when a and c are more than 1e-9
/// apart). Any other value's rank is 1 + its position in the order ("1224" ranking).
public func competitionRanks(_ values: [Double]) -> [Int?] {
  var result = [Int?](repeating: nil, count: values.count)
  let present = values.indices.filter { !values[$0].isNaN }
  if present.isEmpty { return result }
  let ranker = CompetitionRanker(capacity: present.count)
  let keys = present.map { values[$0] }
  keys.withUnsafeBufferPointer { ranker.sort(keys: $0.baseAddress!, count: present.count) }
  var ranks = [UInt32](repeating: 0, count: present.count)
  ranks.withUnsafeMutableBufferPointer {
    ranker.emitRanks(count: present.count, into: BufferRankSink(ranks: $0.baseAddress!))
  }
  for (k, i) in present.enumerated() { result[i] = Int(ranks[k]) }
  return result
}

/// The grade band of the Hazen rank percentile q = (rank - 0.5) / n: the first b with
/// `Ties.lessOrEqual(q, bounds[b])`, else `bounds.count`.
///
/// With the default bounds [0.15, 0.85, 0.95], band 0 is excellent (q <= 0.15), 1 good,
/// 2 fair and 3 poor; rank 3 of 20 is q = 0.125 and so band 0, rank 4 of 20 q = 0.175 and
/// band 1. The Hazen percentile puts each rank at the middle of its 1/n of the level, so
/// that the only node of a level (q = 0.5) is good, not poor as with rank / n (METHODS.md
/// section 7).
public func gradeBand(rank: Int, of n: Int, bounds: [Double]) -> Int {
  precondition(n > 0, "gradeBand: n must be > 0, got \(n)")
  let q = (Double(rank) - 0.5) / Double(n)
  return bounds.firstIndex { Ties.lessOrEqual(q, $0) } ?? bounds.count
}

/// The uncertainty of composite ranks under random weights (METHODS.md section 7, after the
/// uncertainty analysis of the OECD/JRC Handbook on Constructing Composite Indicators,
/// 2008).
///
/// With w the positive weights scaled to sum 1 (an indicator of weight 0 is left out
/// altogether), `draws` = S weight vectors are drawn from Dirichlet(concentration * w), in
/// order, from one `RandomSource(seed:)`, so a seed gives the same draws in every release.
/// For each batch of B draws the composites of all ranked rows come from two BLAS matrix
/// products, the weighted sum (X*M) W and the weight mass M W (X the n x J' values with
/// missing set to 0, M the 0/1 mask of present values, W the J' x B draws); composite =
/// sum / mass. A row has a composite in a draw exactly when it has one at the base weights
/// (a present indicator of positive weight). Should a draw's mass underflow to 0 (a gamma
/// variate of a tiny shape can), that row keeps its base composite in that draw. Each draw
/// is ranked within each group by `competitionRanks`' rule, and each row gets the median
/// and the 5% and 95% type-7 quantiles of its S ranks, and the share of draws whose
/// `gradeBand` equals the band of its base rank.
///
/// How, and what it costs. Measured with a release build on a 2-core AMD EPYC VM shared
/// with other work (so timings vary by about 30% between runs), n = 210,000 rows in groups
/// of 200,000 / 10,000 / 200, J = 5, S = 1000:
/// - End to end 3.3-4.7 s wall on both cores (6.1-8.1 s on one), peak RSS 733 MB: ranking
///   the draws 1.8-2.6 s, the products 0.4-0.5 s, the per-row summaries 0.7-0.9 s, setup
///   0.1 s. B = 32 by default; B = 8 gives 695 MB and B = 64 788 MB, at the same speed.
/// - Sorting 200,000 composites of a draw exactly by (value descending, index ascending),
///   on one core: Swift's `sort` on (value, index) pairs 26-30 ms; the same from the
///   previous draw's order 24-26 ms (the draws move a composite past thousands of others,
///   a 90% rank band is 21,000 places wide on average: no long runs to profit from);
///   insertion sort from the previous draw's order 560-990 ms (about 10^8 inversions); LSD
///   radix sort of the 64 bits, constant digits skipped, 7.0-7.5 ms with 8-bit digits,
///   5.9-8.2 ms with 11-bit, 7.8-8.8 ms with 16-bit; a bucket sort on the value 4.1-5.9 ms.
///   `CompetitionRanker` is that bucket sort with two buckets per key and without overflow
///   checks, on rows in base order (see below): 2.6 ms for the 210,000 rows of a draw
///   (0.4 ms counting, 1.2 ms prefix sums and scattering, 0.9 ms insertion pass).
/// - Rows are held in base order within their group: the draws' composites then come
///   nearly sorted, so counting and scattering touch memory almost sequentially (8% faster
///   than row order). Exact ties may be sorted in any order without changing a rank.
/// - The products are computed by our workers in row chunks of at most 65,536
///   multiply-adds, which OpenBLAS computes on the calling thread. One product per batch
///   ran on OpenBLAS's own threads, which then spin in `sched_yield` while our workers rank
///   (15% of all samples); chunking saved 0.3 s.
/// - Ranks are stored per group in the narrowest whole number of bytes that holds the
///   group size (1, 2, 3 or 4: 3 bytes, 600 MB, for 200,000 rows and S = 1000), draw-major
///   so that a draw writes one contiguous block, and are transposed 64 rows at a time into
///   scratch for the per-row quantiles, which come from a histogram (`RankStatistics`), not
///   a sort. Storing them tile-major instead (64 rows x S draws contiguous) saved 0.3 s in
///   the summaries but cost 0.5 s in the ranking; huge pages for the store cost 1.7 s of
///   system time.
/// - Draws within a batch are ranked in parallel, each by one worker, and row tiles
///   likewise; nothing depends on which worker did what, so the result does not depend on
///   the number of threads or on the batch size.
public struct RankUncertainty: Sendable {
  /// S, the number of weight draws; 0 gives the base composites, ranks and group sizes
  /// only (the rank quantiles and grade stability stay NaN).
  public var draws: Int
  /// The draws are Dirichlet(concentration * w).
  public var concentration: Double
  /// The seed of the one `RandomSource` all draws come from.
  public var seed: UInt64
  /// Grade band upper bounds on the rank percentile (see `gradeBand`).
  public var gradeBounds: [Double]
  /// Draws per batch: a batch's composites take rows x batchSize doubles (54 MB for
  /// 210,000 rows and 32 draws).
  public var batchSize: Int
  /// Worker threads; 0 = one per active processor. Results do not depend on it.
  public var threads: Int

  public init(
    draws: Int = 1000, concentration: Double = 50, seed: UInt64 = 1,
    gradeBounds: [Double] = [0.15, 0.85, 0.95], batchSize: Int = 32, threads: Int = 0
  ) {
    self.draws = draws
    self.concentration = concentration
    self.seed = seed
    self.gradeBounds = gradeBounds
    self.batchSize = batchSize
    self.threads = threads
  }

  /// Per-row results, indexed like the rows of the input.
  public struct Result: Sendable {
    /// The composite at the base weights, NaN where there is none.
    public var composite: [Double]
    /// The base rank within the row's group (`competitionRanks` rule); nil where there is
    /// no composite or the group is < 0.
    public var rank: [Int?]
    /// The number of rows with a composite in the row's group; 0 where unranked.
    public var groupCount: [Int]
    /// Type-7 median of the row's S ranks; NaN where unranked.
    public var rankMedian: [Double]
    /// Type-7 5% quantile of the row's S ranks; NaN where unranked.
    public var rankP05: [Double]
    /// Type-7 95% quantile of the row's S ranks; NaN where unranked.
    public var rankP95: [Double]
    /// The share of draws whose grade band equals the base grade band; NaN where unranked.
    public var gradeStability: [Double]
  }

  /// Runs the analysis.
  ///
  /// - Parameters:
  ///   - values: n x J normalised indicator values (0...100), NaN = missing; values must be
  ///     finite or NaN.
  ///   - weights: J weights, finite and >= 0, at least one > 0.
  ///   - groups: per row a group id >= 0 (ranks are within group) or -1 (not ranked).
  public func run(values: Matrix, weights: [Double], groups: [Int32]) -> Result {
    precondition(draws >= 0, "RankUncertainty: draws must be >= 0, got \(draws)")
    precondition(
      concentration > 0 && concentration.isFinite,
      "RankUncertainty: concentration must be finite and > 0, got \(concentration)")
    precondition(batchSize >= 1, "RankUncertainty: batchSize must be >= 1, got \(batchSize)")
    precondition(threads >= 0, "RankUncertainty: threads must be >= 0, got \(threads)")
    precondition(
      gradeBounds.count < Int(UInt8.max), "RankUncertainty: \(gradeBounds.count) grade bounds")
    precondition(
      weights.count == values.columns,
      "RankUncertainty.run: \(weights.count) weights for \(values.columns) indicator columns")
    precondition(
      groups.count == values.rows,
      "RankUncertainty.run: \(groups.count) group ids for \(values.rows) rows")
    precondition(
      groups.allSatisfy { $0 >= -1 }, "RankUncertainty.run: group ids must be >= -1")
    precondition(
      values.storage.allSatisfy { $0.isNaN || $0.isFinite },
      "RankUncertainty.run: indicator values must be finite or NaN")
    // More workers than draws in a batch would idle, and each holds buffers of the size
    // of the largest group.
    let workers = min(
      threads > 0 ? threads : Parallel.cores,
      max(1, min(batchSize, draws)))
    let engine = RankUncertaintyEngine(
      settings: self, values: values, weights: weights, groups: groups, workers: workers)
    return engine.run()
  }
}

// MARK: - Implementation details

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

/// Where `CompetitionRanker.emitRanks` puts the rank of each key index.
protocol RankSink {
  func put(index: Int, rank: UInt32)
}

struct BufferRankSink: RankSink {
  let ranks: UnsafeMutablePointer<UInt32>
  @inline(__always) func put(index: Int, rank: UInt32) { ranks[index] = rank }
}

struct PackedRankSink: RankSink {
  let store: PackedRanks
  let draw: Int
  init(_ store: PackedRanks, draw: Int) {
    self.store = store
    self.draw = draw
  }
  @inline(__always) func put(index: Int, rank: UInt32) {
    store.store(rank, draw: draw, row: index)
  }
}

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

  /// Hands the competition rank of each key index to `sink`, after `sort`.
  @inline(__always) func emitRanks<Sink: RankSink>(count n: Int, into sink: Sink) {
    if n == 0 { return }
    var rank: UInt32 = 1
    var previous = sortedKeys[0]
    sink.put(index: Int(sortedIndex[0]), rank: 1)
    for k in 1..<n {
      let x = sortedKeys[k]
      if !Ties.equal(x, previous) { rank = UInt32(truncatingIfNeeded: k + 1) }
      sink.put(index: Int(sortedIndex[k]), rank: rank)
      previous = x
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
