import ChuandaoLinearAlgebra
import ChuandaoStats
import Foundation
import Testing

/// A statsmodels Poisson GLM fit and its data, written by
/// Tests/Fixtures-scripts/stats/statsmodels_poisson.py.
struct StatsmodelsPoissonFixture: Decodable, Sendable, CustomTestStringConvertible {
  let name: String
  let columns: [String]
  /// The design, one array per row.
  let x: [[Double]]
  let y: [Double]
  let offset: [Double]?
  let params: [Double]
  let bse: [Double]
  let deviance: Double
  let pearsonChi2: Double
  let llf: Double
  let dfResid: Int
  let mu: [Double]

  var testDescription: String { name }
  var design: Matrix { Matrix(x) }

  static func load(_ name: String) -> StatsmodelsPoissonFixture {
    decodeFixture("statsmodels_poisson_\(name)")
  }
}

@Suite("PoissonRegression")
struct PoissonRegressionTests {
  let model = PoissonRegression()

  /// R's ?glm (Dobson 1990, p. 93), as printed by `summary(glm.D93)`: the coefficients to
  /// the digits shown, residual deviance 5.1291 on 4 df, AIC 56.76 (= -2 logLik + 2 x 5).
  @Test func dobsonMatchesRDocumentation() throws {
    let f = StatsmodelsPoissonFixture.load("dobson")
    let fit = try model.fit(x: f.design, y: f.y, offset: nil, columnNames: f.columns)
    #expect(fit.converged)
    #expect(abs(fit.coefficients[0] - 3.04452) <= 5e-6)
    #expect(abs(fit.coefficients[1] - -0.4543) <= 5e-5)
    #expect(abs(fit.coefficients[2] - -0.2930) <= 5e-5)
    #expect(abs(fit.coefficients[3]) <= 1e-12)
    #expect(abs(fit.coefficients[4]) <= 1e-12)
    #expect(abs(fit.deviance - 5.1291) <= 5e-5)
    #expect(fit.degreesOfFreedom == 4)
    #expect(abs(-2 * fit.logLikelihood + 2 * 5 - 56.76) <= 5e-3)
    #expect(fit.columnNames == f.columns)
    // An independence model of a 3 x 3 table: mu = outcome total x treatment total / 150
    // (63 x 50 / 150 = 21 in the first cell), and each treatment effect is the log ratio of
    // two treatment totals of 50, with standard error sqrt(1/50 + 1/50) = 0.2 exactly.
    #expect(abs(fit.standardErrors[3] - 0.2) <= 1e-12)
    #expect(abs(fit.fitted[0] - 21) <= 1e-11)
  }

  /// Coefficients to 1e-8 relative, deviance to 1e-8, SEs to 1e-6 (statsmodels' SEs use the
  /// weights of its last-but-one iterate), fitted means to 1e-8.
  @Test(arguments: ["dobson", "offset", "halving"].map(StatsmodelsPoissonFixture.load))
  func matchesStatsmodels(_ f: StatsmodelsPoissonFixture) throws {
    let fit = try model.fit(x: f.design, y: f.y, offset: f.offset, columnNames: f.columns)
    #expect(fit.converged)
    #expect(fit.iterations <= 10)
    for (j, (ours, theirs)) in zip(fit.coefficients, f.params).enumerated() {
      // Dobson's treatment effects are 0 up to rounding: compare them absolutely.
      let error = abs(theirs) < 1e-10 ? abs(ours - theirs) : relativeError(ours, theirs)
      #expect(error <= 1e-8, "\(f.columns[j]): \(ours), statsmodels \(theirs)")
    }
    for (j, (ours, theirs)) in zip(fit.standardErrors, f.bse).enumerated() {
      #expect(relativeError(ours, theirs) <= 1e-6, "se \(f.columns[j]): \(ours) vs \(theirs)")
    }
    #expect(relativeError(fit.deviance, f.deviance) <= 1e-8, "deviance \(fit.deviance)")
    #expect(relativeError(fit.pearsonChi2, f.pearsonChi2) <= 1e-8, "chi2 \(fit.pearsonChi2)")
    #expect(relativeError(fit.logLikelihood, f.llf) <= 1e-10, "llf \(fit.logLikelihood)")
    #expect(fit.degreesOfFreedom == f.dfResid)
    let worst = zip(fit.fitted, f.mu).map { relativeError($0, $1) }.max() ?? 0
    #expect(worst <= 1e-8, "fitted means: worst relative error \(worst)")
  }

  /// The Poisson likelihood equations with the canonical link, X'(y - mu) = 0: within each
  /// domain dummy's rows the fitted means add up to the observed total.
  @Test func fittedTotalsMatchObservedWithinDummies() throws {
    let f = StatsmodelsPoissonFixture.load("offset")
    let x = f.design
    let fit = try model.fit(x: x, y: f.y, offset: f.offset)
    for d in 0..<6 {
      let rows = (0..<x.rows).filter { x[$0, d] == 1 }
      let observed = rows.reduce(0) { $0 + f.y[$1] }
      let fitted = rows.reduce(0) { $0 + fit.fitted[$1] }
      #expect(relativeError(fitted, observed) <= 1e-9, "domain \(d): \(fitted) vs \(observed)")
    }
    let score = zip(x.column(6), zip(f.y, fit.fitted)).reduce(0) { $0 + $1.0 * ($1.1.0 - $1.1.1) }
    let scale = zip(x.column(6), f.y).reduce(0) { $0 + $1.0 * $1.1 }
    #expect(abs(score) <= 1e-9 * scale, "risk score \(score)")
  }

  /// exp(offset) multiplies every mean: a constant offset c moves the intercept by -c and
  /// changes nothing else.
  @Test func constantOffsetShiftsTheIntercept() throws {
    let f = StatsmodelsPoissonFixture.load("dobson")
    let plain = try model.fit(x: f.design, y: f.y, offset: nil)
    let shifted = try model.fit(
      x: f.design, y: f.y, offset: [Double](repeating: log(50), count: f.y.count))
    #expect(abs(shifted.coefficients[0] - (plain.coefficients[0] - log(50))) <= 1e-12)
    #expect(abs(shifted.deviance - plain.deviance) <= 1e-12)
    for j in 1..<5 {
      #expect(abs(shifted.coefficients[j] - plain.coefficients[j]) <= 1e-12)
      #expect(relativeError(shifted.standardErrors[j], plain.standardErrors[j]) <= 1e-12)
    }
  }

  /// Planted truth: 60,000 rows (10,000 nodes x 6 domains) drawn from the model; every
  /// estimate within 4.5 standard errors of the truth, and the Pearson dispersion near 1.
  @Test(arguments: [UInt64(20_240_613), 7, 99])
  func recoversPlantedCoefficients(seed: UInt64) throws {
    let alpha = [-3.0, -2.2, -1.6, -4.1, -2.7, -1.1]
    let beta = 0.8
    var random = RandomSource(seed: seed)
    let nodes = 10_000
    let n = nodes * 6
    var x = Matrix(rows: n, columns: 7)
    var y = [Double](repeating: 0, count: n)
    var offset = [Double](repeating: 0, count: n)
    for node in 0..<nodes {
      let members = Double(random.int(in: 3...400))
      for d in 0..<6 {
        let i = node * 6 + d
        let risk = random.gamma(shape: 2) * 0.5
        x[i, d] = 1
        x[i, 6] = risk
        offset[i] = log(members)
        y[i] = Double(random.poisson(mean: members * exp(alpha[d] + beta * risk)))
      }
    }
    let fit = try model.fit(x: x, y: y, offset: offset)
    #expect(fit.converged, "seed \(seed)")
    for (j, truth) in (alpha + [beta]).enumerated() {
      let z = (fit.coefficients[j] - truth) / fit.standardErrors[j]
      #expect(abs(z) <= 4.5, "seed \(seed), coefficient \(j): \(fit.coefficients[j]), z = \(z)")
    }
    #expect(abs(fit.dispersion - 1) <= 0.05, "seed \(seed): dispersion \(fit.dispersion)")
  }

  /// A domain with no counts: its MLE is -infinity. The fit stops on the deviance criterion
  /// with a large negative coefficient and a huge standard error (as R and statsmodels do);
  /// the other domains' totals are still matched, and the other coefficients are those of
  /// the fit without the empty domain's rows.
  @Test func domainWithoutCountsDivergesToMinusInfinity() throws {
    let f = StatsmodelsPoissonFixture.load("offset")
    let x = f.design
    var y = f.y
    for i in 0..<x.rows where x[i, 3] == 1 { y[i] = 0 }
    let fit = try model.fit(x: x, y: y, offset: f.offset)
    #expect(fit.coefficients[3] < -15, "coefficient \(fit.coefficients[3])")
    #expect(fit.standardErrors[3] > 1e3, "se \(fit.standardErrors[3])")
    #expect(fit.converged)
    #expect(fit.iterations < 50)
    for d in [0, 1, 2, 4, 5] {
      let rows = (0..<x.rows).filter { x[$0, d] == 1 }
      let observed = rows.reduce(0) { $0 + y[$1] }
      let fitted = rows.reduce(0) { $0 + fit.fitted[$1] }
      #expect(relativeError(fitted, observed) <= 1e-9, "domain \(d)")
    }
    // Dropping the rows of the empty domain gives the same remaining coefficients.
    let kept = (0..<x.rows).filter { x[$0, 3] == 0 }
    var reduced = Matrix(rows: kept.count, columns: 6)
    for (r, i) in kept.enumerated() {
      for (c, j) in [0, 1, 2, 4, 5, 6].enumerated() { reduced[r, c] = x[i, j] }
    }
    let clean = try model.fit(x: reduced, y: kept.map { y[$0] }, offset: kept.map { f.offset![$0] })
    for (c, j) in [0, 1, 2, 4, 5, 6].enumerated() {
      #expect(abs(fit.coefficients[j] - clean.coefficients[c]) <= 1e-10, "column \(j)")
    }
  }

  @Test func iterationLimitReportsNonConvergence() throws {
    let f = StatsmodelsPoissonFixture.load("offset")
    var limited = PoissonRegression()
    limited.maxIterations = 2
    let fit = try limited.fit(x: f.design, y: f.y, offset: f.offset)
    #expect(!fit.converged)
    #expect(fit.iterations == 2)
  }

  /// One dominant count: the second Newton step from mu = y + 0.1 raises the deviance and
  /// is halved. Without halving the same start needs 10 iterations (R's glm, statsmodels).
  @Test func overshootingStepIsHalved() throws {
    let f = StatsmodelsPoissonFixture.load("halving")
    let fit = try model.fit(x: f.design, y: f.y, offset: nil)
    #expect(fit.converged)
    #expect(fit.iterations <= 8, "iterations \(fit.iterations)")
    #expect(relativeError(fit.deviance, f.deviance) <= 1e-12)
  }

  /// Large, well-fitted counts (up to 1.8e8, deviance 0.05): the deviance must be computed
  /// without cancellation for the 1e-10 relative criterion to be reachable at all.
  @Test func largeCountsConverge() throws {
    let t: [Double] = (0..<20).map { Double($0) / 2 }
    let x = Matrix(t.map { [1, $0] })
    let y = t.map { (exp(2 * $0)).rounded() }
    let fit = try model.fit(x: x, y: y, offset: nil)
    #expect(fit.converged)
    #expect(fit.iterations <= 10, "iterations \(fit.iterations)")
    let score = zip(y, fit.fitted).reduce(0) { $0 + $1.0 - $1.1 }
    #expect(abs(score) <= 1e-9 * y.reduce(0, +))
    #expect(abs(fit.coefficients[1] - 2) <= 1e-3)
  }

  /// Separation (all counts at the largest covariate value): the slope's MLE is +infinity.
  /// The fit ends with a huge slope and standard error and fitted means equal to the data.
  @Test func separatedDataDiverge() throws {
    let x = Matrix((0..<5).map { [1, Double($0)] })
    let y: [Double] = [0, 0, 0, 0, 100]
    let fit = try model.fit(x: x, y: y, offset: nil)
    #expect(fit.coefficients[1] > 10)
    #expect(fit.standardErrors[1] > 1e3)
    #expect(abs(fit.fitted[4] - 100) <= 1e-6)
    #expect(fit.deviance <= 1e-6)
  }

  @Test func allZeroColumnIsSingular() {
    let f = StatsmodelsPoissonFixture.load("dobson")
    var x = f.design
    for i in 0..<x.rows { x[i, 4] = 0 }
    #expect(throws: PoissonRegressionError.singularDesign) {
      try model.fit(x: x, y: f.y, offset: nil)
    }
  }

  @Test func collinearColumnsAreSingular() {
    let f = StatsmodelsPoissonFixture.load("offset")
    var x = f.design
    // The intercept is the sum of the six dummies: overwrite the risk column with it.
    for i in 0..<x.rows { x[i, 6] = 1 }
    #expect(throws: PoissonRegressionError.singularDesign) {
      try model.fit(x: x, y: f.y, offset: f.offset)
    }
    // Risk constant within every domain is not identified next to the domain dummies.
    for i in 0..<x.rows { x[i, 6] = (0..<6).reduce(0) { $0 + Double($1 + 1) / 3 * x[i, $1] } }
    #expect(throws: PoissonRegressionError.singularDesign) {
      try model.fit(x: x, y: f.y, offset: f.offset)
    }
  }

  @Test func invalidInputIsRejected() {
    let f = StatsmodelsPoissonFixture.load("dobson")
    var y = f.y
    y[4] = -1
    #expect(throws: PoissonRegressionError.negativeCount(index: 4)) {
      try model.fit(x: f.design, y: y, offset: nil)
    }
    y[4] = .nan
    #expect(throws: PoissonRegressionError.nonFinite(index: 4)) {
      try model.fit(x: f.design, y: y, offset: nil)
    }
    var offset = [Double](repeating: 0, count: 9)
    offset[7] = .infinity
    #expect(throws: PoissonRegressionError.nonFinite(index: 7)) {
      try model.fit(x: f.design, y: f.y, offset: offset)
    }
    offset[7] = 710
    #expect(throws: PoissonRegressionError.nonFinite(index: 7)) {
      try model.fit(x: f.design, y: f.y, offset: offset)
    }
    var x = f.design
    x[2, 3] = .nan
    #expect(throws: PoissonRegressionError.nonFinite(index: 2)) {
      try model.fit(x: x, y: f.y, offset: nil)
    }
    #expect(throws: PoissonRegressionError.self) {
      try model.fit(x: f.design, y: Array(f.y.dropLast()), offset: nil)
    }
    #expect(throws: PoissonRegressionError.self) {
      try model.fit(x: f.design, y: f.y, offset: [0, 0])
    }
    #expect(throws: PoissonRegressionError.self) {
      try model.fit(x: f.design, y: f.y, offset: nil, columnNames: ["a"])
    }
    #expect(
      PoissonRegressionError.negativeCount(index: 4).description.contains("row 4"))
  }

  /// Zero counts are fine as long as every column sees some; non-integer counts too.
  @Test func zeroAndNonIntegerCounts() throws {
    let x = Matrix([[1, 0], [1, 1], [1, 2], [1, 3], [1, 4]])
    let y = [0, 1.5, 0, 4, 7.25]
    let fit = try model.fit(x: x, y: y, offset: nil)
    #expect(fit.converged)
    #expect(abs(zip(y, fit.fitted).reduce(0) { $0 + $1.0 - $1.1 }) <= 1e-10)
    let deviance =
      2
      * zip(y, fit.fitted).reduce(0) { s, p in
        s + (p.0 > 0 ? p.0 * log(p.0 / p.1) : 0) - (p.0 - p.1)
      }
    #expect(abs(fit.deviance - deviance) <= 1e-12 * deviance)
  }
}
