// Composite indicators, competition ranks and grade bands (METHODS.md section 7, "Annual
// assessment feed"); the rank uncertainty of a composite under random weights is
// `RankUncertainty`.

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
    ranker.emitRanks(count: present.count, into: $0.baseAddress!)
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
