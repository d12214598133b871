#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Inequality of non-negative values, each counting once (METHODS.md section 3): the Gini
/// coefficient, Theil's T with its between/within-group decomposition, and the coefficient
/// of variation.
///
/// With n values, total S and mean mu = S/n:
/// - Gini = 2 sum_i i x_(i) / (n S) - (n + 1)/n over the values sorted ascending (i from 1),
///   with no n/(n - 1) correction; computed as sum_i (2i - n - 1) x_(i) / (n S), the same
///   number without the cancellation of two terms near 1.
/// - Theil T = (1/n) sum_i (x_i/mu) ln(x_i/mu), with 0 ln 0 = 0 (H. Theil, Economics and
///   Information Theory, 1967). By group g with n_g values of mean mu_g and income share
///   s_g = n_g mu_g/(n mu): between = sum_g s_g ln(mu_g/mu), within = sum_g s_g T_g, and
///   between + within = T exactly (A. F. Shorrocks, Econometrica 48(3), 613-625, 1980,
///   doi:10.2307/1913126). A group whose values are all 0 has s_g = 0 and adds nothing.
/// - cv = population sd / mu (divisor n).
///
/// Reference (METHODS.md): x = 541 1463 2445 3438 4437 5401 6392 8304 11904 22261 gives
/// Gini 0.4620911 and T 0.3623412; with groups 1 1 1 2 2 2 3 3 3 3, between 0.2634471 and
/// within 0.0988941.
///
/// Undefined values are NaN: with no values, or all values 0 (S = 0), `gini`, `theil` and
/// `cv` are NaN, and so are `theilBetween` and `theilWithin` when groups were given. They are
/// nil only when no groups were given. `mean` is NaN with no values (0 when all are 0).
public struct Inequality: Sendable {
  /// The Gini coefficient, in [0, (n - 1)/n].
  public let gini: Double
  /// Theil's T, in [0, ln n].
  public let theil: Double
  /// The between-group part of T; nil without groups.
  public let theilBetween: Double?
  /// The within-group part of T; nil without groups.
  public let theilWithin: Double?
  /// The coefficient of variation, population sd / mean.
  public let cv: Double
  /// The mean of the values, zeros included.
  public let mean: Double
  /// The number of values n.
  public let count: Int

  /// The inequality of `x` (finite, >= 0, zeros kept), decomposing Theil's T by `groups`
  /// (one label per value) when given. Traps on a negative or non-finite value, or when
  /// `groups` has a different length from `x`.
  public init(_ x: [Double], groups: [Int32]? = nil) {
    let n = x.count
    for (i, value) in x.enumerated() {
      precondition(
        value >= 0 && value.isFinite,
        "Inequality: x[\(i)] must be finite and >= 0, got \(value)")
    }
    if let groups {
      precondition(
        groups.count == n, "Inequality: \(groups.count) group labels for \(n) values")
    }
    count = n
    let total = x.reduce(0, +)
    let mu = total / Double(n)
    mean = mu
    guard n > 0 && total > 0 else {
      gini = .nan
      theil = .nan
      cv = .nan
      theilBetween = groups == nil ? nil : .nan
      theilWithin = groups == nil ? nil : .nan
      return
    }

    let sorted = x.sorted()
    var weighted = 0.0
    for (index, value) in sorted.enumerated() {
      weighted += Double(2 * (index + 1) - n - 1) * value
    }
    gini = weighted / (Double(n) * total)

    var squares = 0.0
    for value in x {
      let d = value - mu
      squares += d * d
    }
    cv = (squares / Double(n)).squareRoot() / mu

    theil = Inequality.theilT(x[...], mean: mu)

    guard let groups else {
      theilBetween = nil
      theilWithin = nil
      return
    }
    // Group the values by label, in order of first appearance.
    var slot: [Int32: Int] = [:]
    var members: [[Double]] = []
    for (value, label) in zip(x, groups) {
      if let k = slot[label] {
        members[k].append(value)
      } else {
        slot[label] = members.count
        members.append([value])
      }
    }
    var between = 0.0
    var within = 0.0
    for values in members {
      let groupTotal = values.reduce(0, +)
      if groupTotal == 0 { continue }
      let groupMean = groupTotal / Double(values.count)
      let share = groupTotal / total
      between += share * log(groupMean / mu)
      within += share * Inequality.theilT(values[...], mean: groupMean)
    }
    theilBetween = between
    theilWithin = within
  }

  /// (1/n) sum (x/mu) ln(x/mu) with 0 ln 0 = 0, for mu > 0.
  static func theilT(_ x: ArraySlice<Double>, mean mu: Double) -> Double {
    var sum = 0.0
    for value in x where value > 0 {
      let r = value / mu
      sum += r * log(r)
    }
    return sum / Double(x.count)
  }
}
