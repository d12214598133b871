import ChuandaoLinearAlgebra
import _ChuandaoParallel

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
///   group size (1, 2, 3 or 4: 3 bytes, 600 MB, for 200,000 rows and S = 1000), tile-major
///   (`PackedRanks`: 64 rows x S draws contiguous), and are transposed a tile at a time
///   into scratch for the per-row quantiles, which come from a histogram
///   (`RankStatistics`), not a sort. A draw's ranks go first to a scratch array in row
///   order, then to the store in runs of 64. Written straight from the sort into a
///   draw-major store instead (each draw one contiguous block), the ranks were scattered
///   over the draw's block and the summaries' transpose read S separate runs per tile;
///   writing straight into tile-major scattered them over the whole store (0.5 s more).
///   Huge pages for the store cost 1.7 s of system time.
/// - Draws within a batch are ranked in parallel, each by one worker, and row tiles
///   likewise; nothing depends on which worker did what, so the result does not depend on
///   the number of threads or on the batch size.
///
/// Above the budget. Every draw's exact ranks take rows x S x (1 to 4) bytes: 15 GB for a
/// level of 5 million rows and S = 1000. Groups keep exact ranks, smallest first, while
/// their ranks fit in `exactRankBudget` (4 GiB by default), and so does any group whose
/// exact ranks take no more than its histograms would (`exactGroups(sizes:)`); the ranks
/// of the others are estimated in memory that does not grow with rows x S
/// (`RankHistograms`). Pass 1, with the draws: each draw's composites of such a group are
/// counted into `histogramBins` equal bins over the range of the group's indicator
/// values, kept as cumulative counts (S x 65,537 x 4 bytes, 262 MB for S = 1000). Pass 2,
/// after the draws: the group's rows in units of about 16,384, each unit's composites
/// recomputed for every draw (the same products, so the same values), a rank estimated
/// from its draw's counts by interpolating within its bin, the unit's S estimated ranks
/// per row summarised like exact ones. An estimated rank is at most count_b +
/// count_(b-1) - 1 from the exact one, with count_b the rows in its bin and count_(b-1)
/// those in the bin above (a near-tie chain can reach into it), and each quantile of the
/// S estimated ranks likewise; `Result.estimated` reports the largest such sum over all
/// draws and bins as the bound. Grade stability is counted from the estimated ranks: a draw
/// whose rank is within the bound of a band's edge may fall on the other side, so it has
/// no bound in ranks (on the province preset it moved by at most 0.009). Measured against
/// exact bands in docs/assess-scale.md.
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
  /// Bytes that every draw's exact ranks may take (`defaultExactRankBudget`). Groups keep
  /// exact ranks, smallest first, while their ranks fit; the ranks of the others are
  /// estimated from histograms (see "Above the budget" and `exactGroups(sizes:)`).
  public var exactRankBudget: Int
  /// Bins of each draw's histogram of an estimated group's composites.
  public var histogramBins: Int

  /// 4 GiB: the exact ranks of about 1.4 billion (row, draw) pairs, at 3 bytes a rank
  /// (groups of 65,536 to 16.7 million rows), e.g. 1000 draws of a 1.4-million-row level.
  public static let defaultExactRankBudget = 4 << 30
  /// 65,536 bins: 262 MB of cumulative counts for 1000 draws of one estimated group.
  public static let defaultHistogramBins = 1 << 16

  public init(
    draws: Int = 1000, concentration: Double = 50, seed: UInt64 = 1,
    gradeBounds: [Double] = [0.15, 0.85, 0.95], batchSize: Int = 32, threads: Int = 0,
    exactRankBudget: Int = RankUncertainty.defaultExactRankBudget,
    histogramBins: Int = RankUncertainty.defaultHistogramBins
  ) {
    self.draws = draws
    self.concentration = concentration
    self.seed = seed
    self.gradeBounds = gradeBounds
    self.batchSize = batchSize
    self.threads = threads
    self.exactRankBudget = exactRankBudget
    self.histogramBins = histogramBins
  }

  /// A group whose ranks were estimated rather than kept exactly.
  public struct Estimate: Sendable, Equatable {
    /// The group id.
    public var group: Int32
    /// Its rows with a composite.
    public var size: Int
    /// Bytes its exact ranks would have taken.
    public var exactBytes: Int
    /// Bins of each draw's histogram.
    public var bins: Int
    /// The largest possible difference, in ranks, between an estimated and the exact rank of
    /// a row in any draw, and so between their quantiles; nil when near-ties could chain
    /// across a whole bin (more rows in a bin than its width over the tie tolerance), so
    /// that no bound follows from the counts.
    public var rankErrorBound: Int?
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
    /// The groups whose rank quantiles and grade stability come from estimated ranks, in
    /// group order; empty when every group's ranks were exact.
    public var estimated: [Estimate] = []
  }

  /// Which groups of these sizes keep exact ranks: the smallest first (ties by position),
  /// while the bytes of their ranks stay within `exactRankBudget`; and whatever the budget,
  /// a group whose exact ranks take no more than its histograms would (rows x bytes a rank
  /// <= 4 (histogramBins + 1): up to 87,381 rows at 3 bytes with the default bins), since
  /// estimating its ranks would save nothing.
  public func exactGroups(sizes: [Int]) -> [Bool] {
    var exact = [Bool](repeating: false, count: sizes.count)
    var used = 0
    for g in sizes.indices.sorted(by: { (sizes[$0], $0) < (sizes[$1], $1) }) {
      let perDraw = sizes[g] * PackedRanks.width(largest: sizes[g])
      let bytes = Self.exactRankBytes(size: sizes[g], draws: draws)
      let total = used.addingReportingOverflow(bytes)
      if perDraw > 4 * (histogramBins + 1)
        && (total.overflow || total.partialValue > exactRankBudget)
      {
        break
      }
      used = total.overflow ? .max : total.partialValue
      exact[g] = true
    }
    return exact
  }

  /// Bytes of every draw's exact ranks of a group of `size` rows (`Int.max` past it).
  public static func exactRankBytes(size: Int, draws: Int) -> Int {
    let (bytes, overflow) = (size * PackedRanks.width(largest: size))
      .multipliedReportingOverflow(by: draws)
    return overflow ? .max : bytes
  }

  /// About how many bytes a run on groups of these sizes takes beyond its input: the exact
  /// ranks of the groups that keep them, each draw's cumulative histogram of the others
  /// (4 bytes a bin), and about 600 bytes a row of working memory (350 for a row of an
  /// estimated group, whose composites are never held for a whole batch).
  public func memoryEstimate(sizes: [Int]) -> Double {
    if draws == 0 { return 0 }
    let exact = exactGroups(sizes: sizes)
    var bytes = 0.0
    for (g, size) in sizes.enumerated() {
      if exact[g] {
        bytes +=
          Double(size) * Double(draws) * Double(PackedRanks.width(largest: size))
          + 600 * Double(size)
      } else {
        bytes += 4 * Double(draws) * Double(histogramBins + 1) + 350 * Double(size)
      }
    }
    return bytes
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
      histogramBins >= 1 && histogramBins < Int(Int32.max),
      "RankUncertainty: histogramBins must be in 1..<2^31, got \(histogramBins)")
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
