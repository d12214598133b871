import ChuandaoLinearAlgebra
import Testing

@testable import ChuandaoStats

@Suite("Composite indicators, competition ranks and rank uncertainty (METHODS.md section 7)")
struct CompositeRankingTests {
  // MARK: - Composite and shortfalls

  @Test("a missing indicator drops out and the other weights are renormalised")
  func compositeRenormalises() {
    // Weights 2, 1, 1 scale to 0.5, 0.25, 0.25 (exact in binary).
    let c = CompositeIndicator(weights: [2, 1, 1])
    #expect(c.weights == [0.5, 0.25, 0.25])
    // All present: 0.5*80 + 0.25*60 + 0.25*40 = 40 + 15 + 10 = 65.
    #expect(c.composite([80, 60, 40]) == 65)
    // Second missing: (0.5*80 + 0.25*40) / (0.5 + 0.25) = 50 / 0.75 = 200/3.
    #expect(abs(c.composite([80, .nan, 40]) - 200.0 / 3) < 1e-12)
    // Only the third: its own value.
    #expect(c.composite([.nan, .nan, 40]) == 40)
    #expect(c.composite([.nan, .nan, .nan]).isNaN)
  }

  @Test("an indicator of weight 0 is ignored, present or not")
  func zeroWeightIgnored() {
    let c = CompositeIndicator(weights: [1, 0, 1])
    #expect(c.weights == [0.5, 0, 0.5])
    // (60 + 80) / 2 = 70 whatever the middle value.
    #expect(c.composite([60, 0, 80]) == 70)
    #expect(c.composite([60, 100, 80]) == 70)
    #expect(c.composite([60, .nan, 80]) == 70)
    // Only the weight-0 indicator present: no composite.
    #expect(c.composite([.nan, 90, .nan]).isNaN)
    #expect(c.shortfalls([.nan, 0, .nan]) == [])
  }

  @Test("shortfalls: largest weighted shortfall first, ties by indicator order")
  func shortfalls() {
    // Weights 4, 2, 1.5, 1.5, 1 scale to 0.4, 0.2, 0.15, 0.15, 0.1.
    let c = CompositeIndicator(weights: [4, 2, 1.5, 1.5, 1])
    // Row 50, 40, 100, 20, 0: weighted shortfalls 0.4*50 = 20, 0.2*60 = 12, 0.15*0 = 0
    // (not a shortfall), 0.15*80 = 12, 0.1*100 = 10. Indicators 1 and 3 tie at 12: 1 first.
    let row: [Double] = [50, 40, 100, 20, 0]
    #expect(c.shortfalls(row) == [0, 1])
    #expect(c.shortfalls(row, count: 3) == [0, 1, 3])
    #expect(c.shortfalls(row, count: 10) == [0, 1, 3, 4])
    #expect(c.shortfalls(row, count: 0) == [])
    // A missing indicator is no reason: without indicator 0, 1 and 3 lead.
    #expect(c.shortfalls([.nan, 40, 100, 20, 0]) == [1, 3])
  }

  @Test("shortfalls within 1e-9 tie, and a shortfall within 1e-9 of 0 is none")
  func shortfallTolerance() {
    let c = CompositeIndicator(weights: [1, 1])
    // 0.5*50 = 25 and 0.5*(50 + 1e-10) = 25.00000000005: equal in the Ties sense, so the
    // earlier indicator first even though the second is larger.
    #expect(c.shortfalls([50, 50 - 1e-10]) == [0, 1])
    // 0.5*2e-9 = 1e-9 of shortfall is 0 in the Ties sense; 0.5*4e-9 = 2e-9 is not.
    #expect(c.shortfalls([100 - 2e-9, 100]) == [])
    #expect(c.shortfalls([100 - 4e-9, 100]) == [0])
    // At or above 100: no shortfall.
    #expect(c.shortfalls([100, 120]) == [])
  }

  // MARK: - Competition ranks and grade bands

  @Test("competition ranks: exact ties share the best rank, NaN gets nil")
  func competitionExact() {
    // Sorted descending: 5 (index 1), 5 (index 2), 4, 3, 1 -> ranks 1, 1, 3, 4, 5.
    #expect(competitionRanks([3, 5, 5, 1, .nan, 4]) == [4, 1, 1, 5, nil, 3])
    #expect(competitionRanks([7]) == [1])
    #expect(competitionRanks([2, 2, 2]) == [1, 1, 1])
    #expect(competitionRanks([.nan, .nan]) == [nil, nil])
    #expect(competitionRanks([]) == [])
    // A range wider than the largest double, and a tiny one.
    #expect(competitionRanks([-1e308, 1e308, 0, 5e307]) == [4, 1, 3, 2])
    #expect(competitionRanks([0, 5e-324, 1e-323]) == [1, 1, 1])
  }

  @Test("competition ranks: values within 1e-9 tie, and near-ties chain")
  func competitionNearTies() {
    // 10 + 1e-12 and 10 are Ties.equal: both rank 1; 9 is third.
    #expect(competitionRanks([10, 10 + 1e-12, 9]) == [1, 1, 3])
    // 1 + 2e-9 is not equal to 1 (tolerance 1e-9 at scale 1).
    #expect(competitionRanks([1, 1 + 2e-9]) == [2, 1])
    // A chain: 1 + 1.6e-9 ~ 1 + 0.8e-9 ~ 1, though 1 and 1 + 1.6e-9 are 1.6e-9 apart.
    #expect(competitionRanks([1, 1 + 0.8e-9, 1 + 1.6e-9]) == [1, 1, 1])
    // The chain breaks at 1 - 1e-8: rank 4 after three at rank 1.
    #expect(competitionRanks([1, 1 + 0.8e-9, 1 + 1.6e-9, 1 - 1e-8]) == [1, 1, 1, 4])
  }

  @Test("competition ranks: a cluster of 100 values one ulp apart and an outlier")
  func competitionCluster() {
    // The outlier stretches the range so that the cluster falls into one bucket of the
    // counting sort (sorted there by comparison); all cluster values are Ties.equal to
    // their neighbours, so they chain to rank 2 behind the outlier.
    var values = [Double](repeating: 0, count: 101)
    var x = 50.0
    for i in 0..<100 {
      values[i] = x
      x = x.nextUp
    }
    values[100] = 1e6
    let ranks = competitionRanks(values)
    #expect(ranks[100] == 1)
    #expect(ranks[0..<100].allSatisfy { $0 == 2 })
  }

  @Test("competition ranks equal a plain sort with the chain rule", arguments: [1 as UInt64, 2, 3])
  func competitionReference(seed: UInt64) {
    var random = RandomSource(seed: seed)
    // Many exact ties (a grid), some near ties, a few NaN, and a spread-out tail.
    let values: [Double] = (0..<2000).map { i in
      switch random.int(below: 10) {
      case 0: return .nan
      case 1: return Double(random.int(below: 5)) + 1e-12 * Double(random.int(below: 3))
      case 2: return random.normal(mean: 0, sd: 1000)
      default: return Double(random.int(below: 200)) / 4
      }
    }
    #expect(competitionRanks(values) == referenceRanks(values), "seed \(seed)")
  }

  @Test("grade bands at their exact boundaries")
  func gradeBands() {
    let bounds = [0.15, 0.85, 0.95]
    // The Hazen percentile q = (rank - 0.5)/n (METHODS.md section 7).
    // n = 20: rank 3 is 2.5/20 = 0.125, band 0; rank 4 0.175, band 1; rank 17 0.825,
    // band 1; rank 18 0.875, band 2; rank 19 0.925, band 2; rank 20 0.975, band 3.
    #expect(gradeBand(rank: 3, of: 20, bounds: bounds) == 0)
    #expect(gradeBand(rank: 4, of: 20, bounds: bounds) == 1)
    #expect(gradeBand(rank: 17, of: 20, bounds: bounds) == 1)
    #expect(gradeBand(rank: 18, of: 20, bounds: bounds) == 2)
    #expect(gradeBand(rank: 19, of: 20, bounds: bounds) == 2)
    #expect(gradeBand(rank: 20, of: 20, bounds: bounds) == 3)
    // On the bounds: n = 10, rank 2 is 1.5/10 = 0.15 <= 0.15, band 0; rank 9 0.85, band 1;
    // rank 10 0.95, band 2 (the last of ten is fair, not poor).
    #expect(gradeBand(rank: 2, of: 10, bounds: bounds) == 0)
    #expect(gradeBand(rank: 9, of: 10, bounds: bounds) == 1)
    #expect(gradeBand(rank: 10, of: 10, bounds: bounds) == 2)
    // The only node of a level: q = 0.5, good (with rank/n it was q = 1, poor).
    #expect(gradeBand(rank: 1, of: 1, bounds: bounds) == 1)
    // Two: q = 0.25 and 0.75, both good.
    #expect(gradeBand(rank: 1, of: 2, bounds: bounds) == 1)
    #expect(gradeBand(rank: 2, of: 2, bounds: bounds) == 1)
    // 0.7 - 0.55 = 0.14999999999999991 < 0.15 = 1.5/10, but within 1e-9: still band 0.
    #expect(gradeBand(rank: 2, of: 10, bounds: [0.7 - 0.55]) == 0)
    #expect(gradeBand(rank: 3, of: 20, bounds: []) == 0)
  }

  // MARK: - Rank uncertainty

  @Test("one indicator: every draw gives the base ranks")
  func singleIndicator() {
    // The second indicator has weight 0, so one indicator is left: every Dirichlet draw of
    // one component is exactly 1 and every composite is the value itself. Values 10, 30,
    // 20, 30, missing: ranks 4, 1, 3, 1 (30 twice ties at 1), nil; n = 4.
    let values = Matrix([[10, 0], [30, 100], [20, 50], [30, 20], [.nan, 70]])
    let r = RankUncertainty(draws: 20).run(
      values: values, weights: [1, 0], groups: [0, 0, 0, 0, 0])
    #expect(same(r.composite, [10, 30, 20, 30, .nan]))
    #expect(r.rank == [4, 1, 3, 1, nil])
    #expect(r.groupCount == [4, 4, 4, 4, 0])
    for result in [r.rankMedian, r.rankP05, r.rankP95] {
      #expect(same(result, [4, 1, 3, 1, .nan]))
    }
    #expect(same(r.gradeStability, [1, 1, 1, 1, .nan]))
  }

  @Test("no draws: the base composites, ranks and group sizes, and NaN for the rest")
  func noDraws() {
    // Weights 0.75 / 0.25: rows (40, 80) -> 50, (60, 0) -> 45, (20, 100) -> 40, (nan, 10) -> 10;
    // ranks 1, 2, 3, 4 of n = 4.
    let values = Matrix([[40, 80], [60, 0], [20, 100], [.nan, 10]])
    let r = RankUncertainty(draws: 0).run(values: values, weights: [3, 1], groups: [0, 0, 0, 0])
    #expect(same(r.composite, [50, 45, 40, 10]))
    #expect(r.rank == [1, 2, 3, 4])
    #expect(r.groupCount == [4, 4, 4, 4])
    for result in [r.rankMedian, r.rankP05, r.rankP95, r.gradeStability] {
      #expect(result.allSatisfy { $0.isNaN })
    }
  }

  @Test("a row best in every indicator is first in every draw, one worst is last")
  func dominance() {
    // Row 0 exceeds every other row in every indicator and row 5 is below all, so any
    // positive weights rank them 1 and 6.
    let values = Matrix([
      [95, 90, 99, 92],
      [50, 60, 40, 70],
      [80, 20, 60, 30],
      [10, 85, 70, 55],
      [60, 60, 60, 60],
      [5, 10, 15, 0],
    ])
    let r = RankUncertainty(draws: 200, seed: 7).run(
      values: values, weights: [1, 1, 1, 1], groups: [Int32](repeating: 3, count: 6))
    #expect(r.rank[0] == 1 && r.rank[5] == 6)
    #expect(r.rankP05[0] == 1 && r.rankMedian[0] == 1 && r.rankP95[0] == 1)
    #expect(r.rankP05[5] == 6 && r.rankMedian[5] == 6 && r.rankP95[5] == 6)
    #expect(r.gradeStability[0] == 1 && r.gradeStability[5] == 1)
    // The middle rows do move: some band is wider than a point.
    #expect((1...4).contains { r.rankP95[$0] > r.rankP05[$0] })
  }

  @Test("groups rank separately; group -1 rows and rows without a composite are unranked")
  func groupsAndUnranked() {
    // One indicator, so ranks are the base ranks in every draw. Group 0: rows 0, 2, 5 with
    // 50, 70, 60 -> ranks 3, 1, 2. Group 1: rows 1, 4 with 60, 40 -> 1, 2 (row 6 has no
    // value: not counted). Row 3 (group -1) keeps its composite, 80, but no rank.
    let values = Matrix([[50], [60], [70], [80], [40], [60], [.nan]])
    let r = RankUncertainty(draws: 10).run(
      values: values, weights: [3], groups: [0, 1, 0, -1, 1, 0, 1])
    #expect(same(r.composite, [50, 60, 70, 80, 40, 60, .nan]))
    #expect(r.rank == [3, 1, 1, nil, 2, 2, nil])
    #expect(r.groupCount == [3, 2, 3, 0, 2, 3, 0])
    #expect(same(r.rankMedian, [3, 1, 1, .nan, 2, 2, .nan]))
    #expect(same(r.gradeStability, [1, 1, 1, .nan, 1, 1, .nan]))
  }

  @Test("a row whose present indicators all have weight 0 has no composite")
  func noPresentIndicator() {
    // Weights 1, 0: row 0 has only the weight-0 indicator, row 3 nothing. Rows 1 and 2:
    // 40 and 60 -> ranks 2 and 1 of n = 2.
    let values = Matrix([[.nan, 70], [40, .nan], [60, 10], [.nan, .nan]])
    let r = RankUncertainty(draws: 5).run(values: values, weights: [1, 0], groups: [0, 0, 0, 0])
    #expect(same(r.composite, [.nan, 40, 60, .nan]))
    #expect(r.rank == [nil, 2, 1, nil])
    #expect(r.groupCount == [0, 2, 2, 0])
    #expect(same(r.rankP05, [.nan, 2, 1, .nan]))
    #expect(same(r.gradeStability, [.nan, 1, 1, .nan]))
    // Nothing ranked at all.
    let none = RankUncertainty(draws: 5).run(
      values: values, weights: [1, 0], groups: [-1, -1, -1, -1])
    #expect(none.rank == [nil, nil, nil, nil] && none.groupCount == [0, 0, 0, 0])
    #expect(none.rankMedian.allSatisfy { $0.isNaN })
  }

  @Test("the same seed gives the same result, another seed other bands")
  func seeds() {
    let data = RandomCase(seed: 11, rows: 300, columns: 4, groups: 3)
    let settings = RankUncertainty(draws: 50, seed: 5)
    let a = settings.run(values: data.values, weights: data.weights, groups: data.groups)
    let b = settings.run(values: data.values, weights: data.weights, groups: data.groups)
    #expect(identical(a, b))
    var other = settings
    other.seed = 6
    let c = other.run(values: data.values, weights: data.weights, groups: data.groups)
    let moved = (0..<300).filter {
      !same(
        [a.rankP05[$0], a.rankMedian[$0], a.rankP95[$0]],
        [c.rankP05[$0], c.rankMedian[$0], c.rankP95[$0]])
    }
    #expect(moved.count > 30, "only \(moved.count) rows changed their rank band")
    #expect(a.rank == c.rank && same(a.composite, c.composite))
  }

  @Test(
    "equals a straightforward reference (row-by-row composites, plain sorts)",
    arguments: [
      (seed: UInt64(1), weights: [0.4, 0.3, 0.2, 0.1]),
      (seed: UInt64(2), weights: [0.5, 0, 0.25, 0.25]),
      (seed: UInt64(3), weights: [1, 1, 1, 1]),
    ])
  func reference(seed: UInt64, weights: [Double]) {
    let data = RandomCase(seed: seed, rows: 300, columns: 4, groups: 3, weights: weights)
    let settings = RankUncertainty(draws: 50, seed: seed + 100)
    let r = settings.run(values: data.values, weights: data.weights, groups: data.groups)
    let expected = referenceRun(data, settings)
    expectEqual(r, expected, "seed \(seed)")
  }

  @Test("a large group with wide rank bands equals the reference")
  func wideBands() {
    // Two nearly opposite indicators: the draws reorder the group wholesale, so a row's
    // ranks span more than 1024 places (the summaries' bucketed path); 60 identical rows
    // make a block of exact ties.
    var random = RandomSource(seed: 21)
    let n = 1500
    var storage = [Double](repeating: 0, count: n * 2)
    for i in 0..<n {
      let x = i < 60 ? 50 : random.uniform() * 100
      storage[i] = x
      storage[i + n] = i < 60 ? 50 : max(0, min(100, 100 - x + random.normal(mean: 0, sd: 3)))
    }
    let data = RandomCase(
      values: Matrix(rows: n, columns: 2, storage: storage), weights: [1, 1],
      groups: [Int32](repeating: 0, count: n))
    let settings = RankUncertainty(draws: 40, concentration: 20, seed: 3, batchSize: 16)
    let r = settings.run(values: data.values, weights: data.weights, groups: data.groups)
    #expect((0..<n).contains { r.rankP95[$0] - r.rankP05[$0] > 1024 })
    expectEqual(r, referenceRun(data, settings), "wide bands")
  }

  @Test("a draw whose weight mass underflows to 0 keeps the base composite")
  func massUnderflow() {
    // Dirichlet(0.001 w): gamma variates of shape 5e-4 are U^2000 times a gamma(1.0005),
    // so most underflow to exactly 0, and rows with only such an indicator have no mass in
    // that draw. Check that the case does arise with these draws, then that the result
    // follows the rule (as the reference does).
    let settings = RankUncertainty(draws: 30, concentration: 0.001, seed: 8)
    var random = RandomSource(seed: 8)
    let zeros = (0..<30).filter { _ in random.dirichlet([0.0005, 0.0005]).contains(0) }
    #expect(!zeros.isEmpty)
    let values = Matrix([[80, .nan], [.nan, 60], [70, 70], [.nan, 90], [50, .nan], [40, 95]])
    let data = RandomCase(values: values, weights: [1, 1], groups: [0, 0, 0, 0, 0, 0])
    let r = settings.run(values: values, weights: [1, 1], groups: data.groups)
    expectEqual(r, referenceRun(data, settings), "underflow")
    #expect(r.rankMedian.allSatisfy { $0.isFinite })
  }

  @Test("the result depends neither on the batch size nor on the number of threads")
  func batchAndThreads() {
    let data = RandomCase(seed: 4, rows: 300, columns: 4, groups: 3)
    let base = RankUncertainty(draws: 50, seed: 9, batchSize: 64, threads: 1).run(
      values: data.values, weights: data.weights, groups: data.groups)
    for (batch, threads) in [(1, 1), (7, 2), (64, 2), (7, 3), (50, 4)] {
      let r = RankUncertainty(draws: 50, seed: 9, batchSize: batch, threads: threads).run(
        values: data.values, weights: data.weights, groups: data.groups)
      #expect(identical(r, base), "batch size \(batch), \(threads) threads")
    }
  }
}

// MARK: - Reference implementation and helpers

/// A generated case: values on a grid of tens (so that exact ties are common), about 10%
/// missing, two rows with nothing present, some rows in group -1.
private struct RandomCase {
  var values: Matrix
  var weights: [Double]
  var groups: [Int32]

  init(values: Matrix, weights: [Double], groups: [Int32]) {
    self.values = values
    self.weights = weights
    self.groups = groups
  }

  init(seed: UInt64, rows: Int, columns: Int, groups: Int, weights: [Double]? = nil) {
    var random = RandomSource(seed: seed)
    var storage = [Double](repeating: .nan, count: rows * columns)
    for i in 0..<rows {
      let quality = random.int(below: 11)
      for j in 0..<columns where random.uniform() >= 0.1 && i >= 2 {
        storage[i + j * rows] = Double(min(10, max(0, quality + random.int(in: -3...3)))) * 10
      }
    }
    values = Matrix(rows: rows, columns: columns, storage: storage)
    self.weights = weights ?? (0..<columns).map { _ in 0.1 + random.uniform() }
    self.groups = (0..<rows).map { _ in
      random.uniform() < 0.05 ? -1 : Int32(random.int(below: groups))
    }
  }
}

/// What `RankUncertainty.Result` should hold, computed the slow and obvious way: row-by-row
/// composites, a plain sort per group and draw, `quantilesType7` on each row's ranks. The
/// draws come from the same `RandomSource(seed:).dirichlet` calls, in the same order.
private func referenceRun(_ data: RandomCase, _ settings: RankUncertainty) -> RankUncertainty.Result
{
  let n = data.values.rows
  let total = data.weights.reduce(0, +)
  let w = data.weights.map { $0 / total }
  let active = w.indices.filter { w[$0] > 0 }
  func composite(_ i: Int, _ weight: (Int) -> Double) -> Double {
    var sum = 0.0
    var mass = 0.0
    for (a, j) in active.enumerated() where !data.values[i, j].isNaN {
      sum += weight(a) * data.values[i, j]
      mass += weight(a)
    }
    return mass > 0 ? sum / mass : .nan
  }
  let base = (0..<n).map { i in composite(i) { w[active[$0]] } }
  // In a draw, a row with a base composite whose mass underflowed keeps the base one.
  func drawComposite(_ i: Int, _ d: [Double]) -> Double {
    let c = composite(i) { d[$0] }
    return c.isFinite || base[i].isNaN ? c : base[i]
  }
  let members = Dictionary(
    grouping: (0..<n).filter { data.groups[$0] >= 0 && !base[$0].isNaN }, by: { data.groups[$0] })
  func ranks(_ v: [Double]) -> [Int: Int] {
    var out: [Int: Int] = [:]
    for rows in members.values {
      let r = referenceRanks(rows.map { v[$0] })
      for (k, i) in rows.enumerated() { out[i] = r[k]! }
    }
    return out
  }
  let baseRanks = ranks(base)
  var random = RandomSource(seed: settings.seed)
  let alpha = active.map { settings.concentration * w[$0] }
  var drawn = [[Double]](repeating: [], count: n)
  for _ in 0..<settings.draws {
    let d = random.dirichlet(alpha)
    let v = (0..<n).map { drawComposite($0, d) }
    for (i, r) in ranks(v) { drawn[i].append(Double(r)) }
  }
  var result = RankUncertainty.Result(
    composite: base, rank: (0..<n).map { baseRanks[$0] },
    groupCount: (0..<n).map { baseRanks[$0] == nil ? 0 : members[data.groups[$0]]!.count },
    rankMedian: [Double](repeating: .nan, count: n), rankP05: [Double](repeating: .nan, count: n),
    rankP95: [Double](repeating: .nan, count: n),
    gradeStability: [Double](repeating: .nan, count: n))
  for i in 0..<n {
    guard let rank = baseRanks[i] else { continue }
    let q = quantilesType7(drawn[i], [0.05, 0.5, 0.95])
    result.rankP05[i] = q[0]
    result.rankMedian[i] = q[1]
    result.rankP95[i] = q[2]
    let groupSize = result.groupCount[i]
    let band = gradeBand(rank: rank, of: groupSize, bounds: settings.gradeBounds)
    let same = drawn[i].filter {
      gradeBand(rank: Int($0), of: groupSize, bounds: settings.gradeBounds) == band
    }
    result.gradeStability[i] = Double(same.count) / Double(settings.draws)
  }
  return result
}

/// Competition ranks the obvious way: sort (value descending, index ascending), then a
/// value Ties.equal to the one above shares its rank.
private func referenceRanks(_ values: [Double]) -> [Int?] {
  let order = values.indices.filter { !values[$0].isNaN }.sorted {
    values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1)
  }
  var ranks = [Int?](repeating: nil, count: values.count)
  for (k, i) in order.enumerated() {
    ranks[i] = k > 0 && Ties.equal(values[i], values[order[k - 1]]) ? ranks[order[k - 1]] : k + 1
  }
  return ranks
}

/// Equal element by element, NaN equal to NaN.
private func same(_ a: [Double], _ b: [Double]) -> Bool {
  a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
}

private func identical(_ a: RankUncertainty.Result, _ b: RankUncertainty.Result) -> Bool {
  a.composite.map(\.bitPattern) == b.composite.map(\.bitPattern) && a.rank == b.rank
    && a.groupCount == b.groupCount && same(a.rankMedian, b.rankMedian)
    && same(a.rankP05, b.rankP05) && same(a.rankP95, b.rankP95)
    && same(a.gradeStability, b.gradeStability)
}

/// Ranks, group sizes, quantiles and stability exactly; composites to 1e-12 (the products
/// may sum in another order than the reference's loop).
private func expectEqual(
  _ r: RankUncertainty.Result, _ expected: RankUncertainty.Result, _ label: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let n = expected.composite.count
  let composites = (0..<n).allSatisfy {
    (r.composite[$0].isNaN && expected.composite[$0].isNaN)
      || abs(r.composite[$0] - expected.composite[$0]) <= 1e-12
  }
  #expect(composites, "\(label): composites", sourceLocation: sourceLocation)
  #expect(r.rank == expected.rank, "\(label): base ranks", sourceLocation: sourceLocation)
  #expect(
    r.groupCount == expected.groupCount, "\(label): group sizes", sourceLocation: sourceLocation)
  for (name, a, b) in [
    ("p05", r.rankP05, expected.rankP05), ("median", r.rankMedian, expected.rankMedian),
    ("p95", r.rankP95, expected.rankP95), ("stability", r.gradeStability, expected.gradeStability),
  ] {
    let differing = (0..<n).filter { !same([a[$0]], [b[$0]]) }
    #expect(
      differing.isEmpty, "\(label): \(name) differs at rows \(differing.prefix(5))",
      sourceLocation: sourceLocation)
  }
}
