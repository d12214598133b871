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
