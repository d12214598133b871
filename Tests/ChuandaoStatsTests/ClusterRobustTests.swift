import ChuandaoLinearAlgebra
import ChuandaoStats
import Foundation
import Testing

/// A Poisson GLM with statsmodels' cluster-robust covariance, written by
/// Tests/Fixtures-scripts/stats/statsmodels_cluster.py.
struct StatsmodelsClusterFixture: Decodable, Sendable, CustomTestStringConvertible {
  let name: String
  let columns: [String]
  let x: [[Double]]
  let y: [Double]
  let offset: [Double]
  let cluster: [Int32]
  let params: [Double]
  let cov: [[Double]]
  let bse: [Double]
  let conf_int: [[Double]]
  let correction: Double

  var testDescription: String { name }

  static func load(_ name: String) -> StatsmodelsClusterFixture { decodeFixture("statsmodels_cluster_\(name)") }
}

@Suite("ClusterRobust")
struct ClusterRobustTests {
  /// The sandwich with statsmodels' default small-sample factor G/(G-1) (N-1)/(N-p): every
  /// element of the covariance to 1e-7 relative to the largest, the standard errors to 1e-7
  /// relative, the 95% intervals of the coefficients to 1e-7.
  @Test(arguments: ["nodes", "domains"].map(StatsmodelsClusterFixture.load))
  func matchesStatsmodels(_ f: StatsmodelsClusterFixture) throws {
    let design = Matrix(f.x)
    let fit = try PoissonRegression().fit(x: design, y: f.y, offset: f.offset)
    for (ours, theirs) in zip(fit.coefficients, f.params) { #expect(abs(ours - theirs) <= 1e-8 * max(1, abs(theirs))) }
    let groups = Int(f.cluster.max()!) + 1
    let v = try #require(ClusterRobust.covariance(design: design, y: f.y, fitted: fit.fitted, cluster: f.cluster, clusters: groups))
    let p = f.columns.count
    let scale = f.cov.flatMap { $0 }.map(abs).max()!
    for a in 0..<p {
      for b in 0..<p { #expect(abs(v[a, b] - f.cov[a][b]) <= 1e-7 * scale, "cov[\(a), \(b)]") }
      #expect(abs(v[a, a].squareRoot() - f.bse[a]) <= 1e-7 * f.bse[a], "se \(f.columns[a])")
      let rr = ClusterRobust.rateRatio(fit.coefficients[a], variance: v[a, a])
      #expect(abs(log(rr.lower!) - f.conf_int[a][0]) <= 1e-7)
      #expect(abs(log(rr.upper!) - f.conf_int[a][1]) <= 1e-7)
    }
  }

  /// The same design through `FactorDesign` (domain dummies as a factor) gives the same
  /// covariance as the dense matrix of the fixture.
  @Test func factorDesignMatchesDense() throws {
    let f = StatsmodelsClusterFixture.load("domains")
    let group = f.x.map { row in Int32(row.prefix(4).firstIndex(of: 1)!) }
    let design = FactorDesign(group: group, levels: 4, covariates: [f.x.map { $0[4] }, f.x.map { $0[5] }])
    let fit = try PoissonRegression().fit(design: design, y: f.y, offset: f.offset)
    let v = try #require(ClusterRobust.covariance(design: design, y: f.y, fitted: fit.fitted, cluster: f.cluster, clusters: 25))
    let scale = f.cov.flatMap { $0 }.map(abs).max()!
    for a in 0..<6 { for b in 0..<6 { #expect(abs(v[a, b] - f.cov[a][b]) <= 1e-7 * scale) } }
  }

  /// One cluster, or no more rows than coefficients: no covariance.
  @Test func degenerate() throws {
    let x = Matrix([[1, 0], [1, 1], [1, 2]])
    let y = [1.0, 2, 4]
    let fit = try PoissonRegression().fit(x: x, y: y, offset: nil)
    #expect(ClusterRobust.covariance(design: x, y: y, fitted: fit.fitted, cluster: [0, 0, 0], clusters: 1) == nil)
    #expect(ClusterRobust.covariance(design: x, y: y, fitted: fit.fitted, cluster: [0, 1, 1], clusters: 2) != nil)
  }
}
