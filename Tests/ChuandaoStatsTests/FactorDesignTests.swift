import ChuandaoLinearAlgebra
import ChuandaoStats
import Foundation
import Testing

/// `FactorDesign`: the imbalance model's design (a dummy per domain and the risk weight)
/// without its n x p matrix. The statsmodels fixture `offset` is that very model.
@Suite struct FactorDesignTests {
  /// The fixture's dense rows as a factor (the one dummy column set in each row) and the
  /// columns after the dummies as covariates.
  static func factorDesign(_ f: StatsmodelsPoissonFixture, levels: Int) -> FactorDesign {
    let group = f.x.map { row in Int32(row[0..<levels].firstIndex(of: 1)!) }
    let covariates = (levels..<f.columns.count).map { j in f.x.map { $0[j] } }
    return FactorDesign(group: group, levels: levels, covariates: covariates)
  }

  /// The tolerances of `PoissonRegressionTests.matchesStatsmodels`.
  @Test func matchesStatsmodels() throws {
    let f = StatsmodelsPoissonFixture.load("offset")
    let design = Self.factorDesign(f, levels: 6)
    #expect(design.rows == f.y.count && design.columns == 7)
    let fit = try PoissonRegression().fit(design: design, y: f.y, offset: f.offset, columnNames: f.columns)
    #expect(fit.converged)
    for (j, (ours, theirs)) in zip(fit.coefficients, f.params).enumerated() {
      #expect(relativeError(ours, theirs) <= 1e-8, "\(f.columns[j]): \(ours), statsmodels \(theirs)")
    }
    for (j, (ours, theirs)) in zip(fit.standardErrors, f.bse).enumerated() {
      #expect(relativeError(ours, theirs) <= 1e-6, "se \(f.columns[j]): \(ours) vs \(theirs)")
    }
    #expect(relativeError(fit.deviance, f.deviance) <= 1e-8)
    #expect(relativeError(fit.pearsonChi2, f.pearsonChi2) <= 1e-8)
    #expect(relativeError(fit.logLikelihood, f.llf) <= 1e-10)
    let worst = zip(fit.fitted, f.mu).map { relativeError($0, $1) }.max() ?? 0
    #expect(worst <= 1e-8)
  }

  /// The products against the dense matrix of the same design, worked element by element:
  /// on 200,000 rows (four blocks of 65,536 and a rest, run on all cores).
  @Test func productsEqualTheDenseDesign() {
    var random = RandomSource(seed: 42)
    let n = 200_000
    let levels = 3
    let group = (0..<n).map { _ in Int32(random.int(below: levels)) }
    let covariate = (0..<n).map { _ in random.uniform() * 2 - 1 }
    let design = FactorDesign(group: group, levels: levels, covariates: [covariate])
    let w = (0..<n).map { _ in random.uniform() }
    let v = (0..<n).map { _ in random.uniform() - 0.5 }
    let beta = [0.5, -1.0, 2.0, 0.25]
    // By hand: X'WX has diagonal sums of w per level, the level-covariate sums of w x and
    // the sum of w x^2; X'v the level sums of v and the sum of v x.
    var info = [[Double]](repeating: [0, 0, 0, 0], count: 4)
    var xv = [0.0, 0, 0, 0]
    for i in 0..<n {
      let g = Int(group[i])
      info[g][g] += w[i]
      info[g][3] += w[i] * covariate[i]
      info[3][3] += w[i] * covariate[i] * covariate[i]
      xv[g] += v[i]
      xv[3] += v[i] * covariate[i]
    }
    for g in 0..<3 { info[3][g] = info[g][3] }
    var scratch: [Double] = []
    let got = design.information(weights: w, scratch: &scratch)
    for r in 0..<4 {
      for c in 0..<4 {
        #expect(abs(got[r, c] - info[r][c]) <= 1e-9 * max(1, abs(info[r][c])), "X'WX[\(r), \(c)]")
      }
    }
    for (a, b) in zip(design.transposeTimes(v), xv) { #expect(abs(a - b) <= 1e-9 * max(1, abs(b))) }
    var eta = [Double](repeating: 1, count: n)
    design.addProduct(beta, to: &eta)
    let worst = (0..<n).map { i in abs(eta[i] - (1 + beta[Int(group[i])] + beta[3] * covariate[i])) }.max()!
    #expect(worst <= 1e-12)
    #expect(design.firstNonFiniteRow() == nil)
    let bad = FactorDesign(group: [0, 1, 0], levels: 2, covariates: [[1, .nan, .infinity]])
    #expect(bad.firstNonFiniteRow() == 1)
  }
}
