/// The sample quantile of R's type 7 (R's and numpy's default; Hyndman & Fan, The American
/// Statistician 50(4), 361-365, 1996, doi:10.2307/2684934) of values sorted ascending.
///
/// With n values x_0 <= ... <= x_(n-1) and h = (n - 1) p, it is
/// x_floor(h) + (h - floor(h)) (x_floor(h)+1 - x_floor(h)): linear interpolation between
/// order statistics, p = 0 giving the minimum and p = 1 the maximum. Traps when the input is
/// empty or p is outside [0, 1] (programmer errors: callers check for empty data). The input
/// must be sorted and free of NaN; this is not checked here (see `quantileType7(_:_:)`).
public func quantileType7<C: RandomAccessCollection>(sorted: C, _ p: Double) -> Double
where C.Element == Double {
  precondition(!sorted.isEmpty, "quantileType7: empty input")
  precondition(p >= 0 && p <= 1, "quantileType7: p must be in [0, 1], got \(p)")
  let h = Double(sorted.count - 1) * p
  let lowIndex = Int(h.rounded(.down))
  let low = sorted[sorted.index(sorted.startIndex, offsetBy: lowIndex)]
  if lowIndex + 1 >= sorted.count { return low }
  let high = sorted[sorted.index(sorted.startIndex, offsetBy: lowIndex + 1)]
  let fraction = h - Double(lowIndex)
  // Equal neighbours give their value exactly (and infinities no NaN).
  return high == low ? low : low + fraction * (high - low)
}

/// The type-7 quantile (see `quantileType7(sorted:_:)`) of unsorted values; traps on NaN.
public func quantileType7(_ values: [Double], _ p: Double) -> Double {
  quantileType7(sorted: sortedChecked(values, "quantileType7"), p)
}

/// Type-7 quantiles at several probabilities, sorting the values once; traps on NaN.
public func quantilesType7(_ values: [Double], _ probabilities: [Double]) -> [Double] {
  let sorted = sortedChecked(values, "quantilesType7")
  return probabilities.map { quantileType7(sorted: sorted, $0) }
}

/// The median: the type-7 quantile at 1/2, the mean of the two middle values when n is even.
public func median(_ values: [Double]) -> Double {
  quantileType7(sorted: sortedChecked(values, "median"), 0.5)
}

private func sortedChecked(_ values: [Double], _ caller: String) -> [Double] {
  precondition(!values.contains { $0.isNaN }, "\(caller): NaN in input")
  return values.sorted()
}
