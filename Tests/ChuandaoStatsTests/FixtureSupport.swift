import Foundation
import Testing

/// Reference values written by Tests/Fixtures-scripts/stats/make_fixtures.py: scipy and
/// numpy, each checked against mpmath at 50 digits (see the script).
struct DistributionFixtures: Decodable, Sendable {
  /// Each row is (argument, value).
  struct NormalSet: Decodable, Sendable {
    let cdf: [[Double]]
    let sf: [[Double]]
    let ppf: [[Double]]
    let isf: [[Double]]
  }
  /// Rows are (t, cdf) and (p, quantile).
  struct StudentTSet: Decodable, Sendable, CustomTestStringConvertible {
    let df: Double
    let cdf: [[Double]]
    let ppf: [[Double]]
    var testDescription: String { "df = \(df)" }
  }
  /// Rows are (k, value), and (p, quantile) for `ppf`.
  struct PoissonSet: Decodable, Sendable, CustomTestStringConvertible {
    let mean: Double
    let cdf: [[Double]]
    let sf: [[Double]]
    let pmf: [[Double]]
    let ppf: [[Double]]
    var testDescription: String { "mean = \(mean)" }
  }
  /// Rows are (a, b, x, value) for the beta functions and (a, x, value) for the gamma ones.
  struct SpecialSet: Decodable, Sendable {
    let betainc: [[Double]]
    let betaincc: [[Double]]
    let gammainc: [[Double]]
    let gammaincc: [[Double]]
  }
  struct QuantileCase: Decodable, Sendable, CustomTestStringConvertible {
    let values: [Double]
    let p: [Double]
    let expected: [Double]
    var testDescription: String { "n = \(values.count)" }
  }

  let normal: NormalSet
  let studentT: [StudentTSet]
  let poisson: [PoissonSet]
  let special: SpecialSet
  let quantileType7: [QuantileCase]

  static let shared = decodeFixture("distributions", as: DistributionFixtures.self)
}

/// The relative error |actual - expected| / |expected| (absolute when expected is 0).
func relativeError(_ actual: Double, _ expected: Double) -> Double {
  if actual == expected { return 0 }
  return expected == 0 ? abs(actual) : abs(actual - expected) / abs(expected)
}

/// Checks `function` against (argument, value) rows to a relative tolerance, reporting every
/// row that misses and the worst error seen.
func expectRows(
  _ rows: [[Double]], _ label: String, tolerance: Double = 1e-10,
  sourceLocation: SourceLocation = #_sourceLocation, _ function: (Double) -> Double
) {
  #expect(!rows.isEmpty, "\(label): no fixture rows", sourceLocation: sourceLocation)
  var worst = 0.0
  for row in rows {
    let actual = function(row[0])
    let error = relativeError(actual, row[row.count - 1])
    worst = max(worst, error.isNaN ? .infinity : error)
    #expect(
      error <= tolerance,
      "\(label)(\(row[0])) = \(actual), expected \(row[row.count - 1]) (relative error \(error))",
      sourceLocation: sourceLocation)
  }
}

/// Decodes `Fixtures/NAME.json` from the test bundle; a missing or malformed fixture stops
/// the tests with the fixture's name and the decoding error.
func decodeFixture<T: Decodable>(_ name: String, as type: T.Type = T.self) -> T {
  let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/\(name).json")
  do {
    return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
  } catch {
    fatalError("Fixtures/\(name).json: \(error)")
  }
}
