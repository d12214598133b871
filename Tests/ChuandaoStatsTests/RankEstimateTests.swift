import ChuandaoLinearAlgebra
import Testing

@testable import ChuandaoStats

/// The rank bands of groups above the exact-rank budget (RankUncertainty, "Above the
/// budget"; docs/assess-scale.md), checked against the exact bands of the same draws.
@Suite("Rank bands above the exact-rank budget: estimated from histograms, within their bound")
struct RankEstimateTests {
  @Test("groups keep exact ranks smallest first, while their bytes fit the budget")
  func exactGroups() {
    // 1000 draws: 200 rows take 1 byte a rank (200,000 bytes), 10,000 rows 2 bytes
    // (20,000,000), 200,000 rows 3 bytes (600,000,000). One bin makes a draw's histogram 8
    // bytes (two cumulative counts), less than any of these groups' ranks of a draw.
    let sizes = [200, 10_000, 200_000]
    func exact(_ budget: Int) -> [Bool] {
      RankUncertainty(draws: 1000, exactRankBudget: budget, histogramBins: 1)
        .exactGroups(sizes: sizes)
    }
    #expect(RankUncertainty.exactRankBytes(size: 200_000, draws: 1000) == 600_000_000)
    #expect(exact(RankUncertainty.defaultExactRankBudget) == [true, true, true])
    #expect(exact(620_200_000) == [true, true, true])
    #expect(exact(620_199_999) == [true, true, false])
    #expect(exact(20_200_000) == [true, true, false])
    #expect(exact(20_199_999) == [true, false, false])
    #expect(exact(0) == [false, false, false])
    // The smaller group first, wherever it is: 100 rows fit in 100,000 bytes, 300 do not.
    #expect(
      RankUncertainty(draws: 1000, exactRankBudget: 100_000, histogramBins: 1)
        .exactGroups(sizes: [300, 100]) == [false, true])
    // With the default 65,536 bins a draw's histogram takes 4 x 65,537 = 262,148 bytes, more
    // than a draw's ranks of 200 or 10,000 rows (200 and 20,000 bytes): those stay exact
    // whatever the budget; 200,000 rows take 600,000 bytes a draw.
    #expect(
      RankUncertainty(draws: 1000, exactRankBudget: 0).exactGroups(sizes: sizes)
        == [true, true, false])
    // 87,382 rows take 262,146 bytes a draw, one more row 262,149.
    #expect(
      RankUncertainty(draws: 1000, exactRankBudget: 0).exactGroups(sizes: [87_382, 87_383])
        == [true, false])
  }

  @Test(
    "coarse bins: every estimated quantile is within the reported bound of the exact one",
    arguments: [(seed: UInt64(1), bins: 16), (seed: 2, bins: 64), (seed: 3, bins: 256)])
  func withinBound(seed: UInt64, bins: Int) throws {
    let data = GeneratedGroups(seed: seed, sizes: [3000, 400, 30])
    let exact = RankUncertainty(draws: 60, seed: seed + 10)
    var small = exact
    // Room for the 400 and 30 rows (2 and 1 bytes a rank), not for the 3000.
    small.exactRankBudget = 400 * 60 * 2 + 30 * 60
    small.histogramBins = bins
    let a = exact.run(values: data.values, weights: data.weights, groups: data.groups)
    let b = small.run(values: data.values, weights: data.weights, groups: data.groups)
    #expect(a.estimated.isEmpty)
    let estimate = try #require(b.estimated.first)
    #expect(b.estimated.count == 1)
    #expect(estimate.group == 0 && estimate.size == 3000 && estimate.bins == bins)
    #expect(estimate.exactBytes == 3000 * 60 * 2)
    let bound = try #require(estimate.rankErrorBound)
    // The bins are coarse enough for the estimates to differ, so the check has teeth.
    let rows = (0..<data.rows).filter { data.groups[$0] == 0 && a.rank[$0] != nil }
    let moved = rows.filter { a.rankMedian[$0] != b.rankMedian[$0] }
    #expect(!moved.isEmpty, "seed \(seed): no estimated median differs from the exact one")
    for (name, x, y) in [
      ("p05", a.rankP05, b.rankP05), ("median", a.rankMedian, b.rankMedian),
      ("p95", a.rankP95, b.rankP95),
    ] {
      let worst = rows.map { abs(x[$0] - y[$0]) }.max()!
      #expect(worst <= Double(bound), "seed \(seed), \(name): \(worst) > bound \(bound)")
    }
    // Grade stability comes from the estimated ranks: still a share of the draws.
    #expect(rows.allSatisfy { (0...1).contains(b.gradeStability[$0]) })
    // Exact ties get equal estimates: rows 0 to 9 of the group are identical.
    let tied = rows.filter { data.tiedRows.contains($0) }
    #expect(tied.count == 10 && Set(tied.map { b.rankMedian[$0] }).count == 1)
    // The groups that kept exact ranks are what an all-exact run gives, bit for bit.
    for i in 0..<data.rows where data.groups[i] != 0 {
      #expect(
        [a.rankP05[i], a.rankMedian[i], a.rankP95[i], a.gradeStability[i]].map(\.bitPattern)
          == [b.rankP05[i], b.rankMedian[i], b.rankP95[i], b.gradeStability[i]].map(\.bitPattern))
    }
    #expect(a.rank == b.rank && a.groupCount == b.groupCount)
  }

  @Test("about 2.4 rows a bin, as the default bins give the province's branches: within 0.5%")
  func fineBins() throws {
    // 40,000 rows in 16,384 bins (the province's 200,000 branches have 3 a bin); 2 bytes a
    // rank, 80,000 bytes a draw, more than a draw's 65,540 bytes of counts.
    let data = GeneratedGroups(seed: 5, sizes: [40_000])
    let exact = RankUncertainty(draws: 20, seed: 7)
    var small = exact
    small.exactRankBudget = 0
    small.histogramBins = 16_384
    let a = exact.run(values: data.values, weights: data.weights, groups: data.groups)
    let b = small.run(values: data.values, weights: data.weights, groups: data.groups)
    let bound = try #require(b.estimated.first?.rankErrorBound)
    #expect(Double(bound) <= 0.005 * 40_000, "bound \(bound)")
    let rows = (0..<data.rows).filter { a.rank[$0] != nil }
    for (x, y) in [(a.rankP05, b.rankP05), (a.rankMedian, b.rankMedian), (a.rankP95, b.rankP95)] {
      #expect(rows.allSatisfy { abs(x[$0] - y[$0]) <= Double(bound) })
    }
  }

  @Test("estimated bands depend neither on the batch size nor on the number of threads")
  func batchAndThreads() {
    let data = GeneratedGroups(seed: 4, sizes: [900, 100])
    func run(_ batch: Int, _ threads: Int) -> RankUncertainty.Result {
      RankUncertainty(
        draws: 45, seed: 9, batchSize: batch, threads: threads, exactRankBudget: 0,
        histogramBins: 32
      ).run(values: data.values, weights: data.weights, groups: data.groups)
    }
    let base = run(64, 1)
    // 900 rows at 2 bytes a rank take more than a draw's 33 counts of 4 bytes; 100 rows at
    // 1 byte do not, and keep exact ranks.
    #expect(base.estimated.map(\.group) == [0])
    for (batch, threads) in [(1, 1), (7, 2), (45, 2), (7, 3)] {
      let r = run(batch, threads)
      #expect(
        [r.rankP05, r.rankMedian, r.rankP95, r.gradeStability].map { $0.map(\.bitPattern) }
          == [base.rankP05, base.rankMedian, base.rankP95, base.gradeStability].map {
            $0.map(\.bitPattern)
          }, "batch size \(batch), \(threads) threads")
      #expect(r.estimated == base.estimated)
    }
  }

  @Test("one indicator, two bins: every draw the same estimates, worked by hand")
  func singleIndicator() {
    // With one indicator every draw's composite is the value itself. Values 10, 30, 20, 30
    // and nine 25s: exact ranks 13, 1, 12, 1 and 3. Two bins over [10, 30], the largest
    // first: (20, 30] holds 11 rows, [10, 20] 2 rows with 11 above. A 30 is at the top of
    // its bin: 0 + 1 + 0 = 1; a 25 halfway: 1 + 0.5 x (11 - 1) = 6 (3 too many); 20 at the
    // top of the lower bin: 11 + 1 + 0 = 12; 10 at its bottom: 12 + (2 - 1) = 13. The
    // bound: the two bins' counts less one, 11 + 2 - 1 = 12. 13 rows x 8 draws x 1 byte =
    // 104 bytes of exact ranks; a draw's 13 bytes are more than its 3 counts' 12.
    let values = Matrix([[10], [30], [20], [30]] + [[Double]](repeating: [25], count: 9))
    let r = RankUncertainty(draws: 8, exactRankBudget: 0, histogramBins: 2).run(
      values: values, weights: [1], groups: [Int32](repeating: 0, count: 13))
    let expected: [Double] = [13, 1, 12, 1] + [Double](repeating: 6, count: 9)
    #expect(r.rankMedian == expected && r.rankP05 == expected && r.rankP95 == expected)
    // Hazen grades of 13: rank 1 excellent, 3 and 6 good (q = 0.19, 0.42), 12 fair, 13 poor:
    // the estimate keeps every grade.
    #expect(r.gradeStability == [Double](repeating: 1, count: 13))
    #expect(
      r.estimated == [.init(group: 0, size: 13, exactBytes: 104, bins: 2, rankErrorBound: 12)])
  }
}

/// Generated groups: about 5% of values missing, continuous values, and in group 0 ten
/// identical rows (an exact tie in every draw) and pairs of rows one ulp apart (near-ties).
private struct GeneratedGroups {
  var values: Matrix
  var weights = [0.4, 0.2, 0.15, 0.15, 0.1]
  var groups: [Int32]
  var rows: Int { groups.count }
  let tiedRows = Set(0..<10)

  init(seed: UInt64, sizes: [Int]) {
    var random = RandomSource(seed: seed)
    let n = sizes.reduce(0, +)
    let columns = 5
    var storage = [Double](repeating: .nan, count: n * columns)
    var groups: [Int32] = []
    for (g, size) in sizes.enumerated() { groups += [Int32](repeating: Int32(g), count: size) }
    for i in 0..<n {
      let quality = random.uniform() * 60
      for j in 0..<columns where random.uniform() >= 0.05 || j == 0 {
        storage[i + j * n] = min(100, quality + random.uniform() * 40)
      }
    }
    for i in 1..<10 {
      for j in 0..<columns { storage[i + j * n] = storage[j * n] }
    }
    for i in stride(from: 10, to: min(40, sizes[0]), by: 2) {
      for j in 0..<columns { storage[i + 1 + j * n] = storage[i + j * n].nextUp }
    }
    values = Matrix(rows: n, columns: columns, storage: storage)
    self.groups = groups
  }
}
