import ChuandaoLinearAlgebra
import ChuandaoStats
import Foundation

/// Horizontal spread (温差, 冷热不均): which nodes of a level get too little or too much
/// supervision for their size (and risk), and how unevenly it is spread (METHODS.md
/// section 3).
public struct ImbalanceAnalysis: Sendable {
  public enum Adjustment: String, Sendable, CaseIterable {
    case none, risk
  }

  public var level: Int
  public var adjust: Adjustment
  /// The blind-spot threshold and the dispersion method (settings `imbalance`).
  public var settings: Settings.Imbalance

  /// The false-discovery rate of `--fdr`: nodes whose Benjamini-Hochberg q-value is at most
  /// this are findings; nil without the option (the q-values are computed either way).
  public var fdr: Double?
  /// Whether to compute the nodes' p- and q-values (two cdf evaluations a node); the flags
  /// of trend and assess do without.
  public var testsNodes = true
  /// Whether to compute every node's four funnel limits; without them the result's limit
  /// arrays are empty and the flags come from each node's count distribution at its count
  /// (the same flags, a quarter of the cdf evaluations: `FunnelPlot.fit(limits:)`). Trend,
  /// assess and compare read the flags alone.
  public var limitsForNodes = true

  public init(level: Int, adjust: Adjustment, settings: Settings.Imbalance = .init(), fdr: Double? = nil) {
    self.level = level
    self.adjust = adjust
    self.settings = settings
    self.fdr = fdr
  }

  /// The default adjustment: by risk when the dataset has a non-empty risks.csv.
  public static func defaultAdjustment(_ d: Dataset) -> Adjustment { d.hasRisks ? .risk : .none }

  public func run(_ d: Dataset, period t: Int) throws -> ImbalanceResult {
    let f = d.forest
    let p = d.periods[t]
    let K = d.manifest.kinds.count
    let D = d.manifest.domains.count
    guard let supervision = p.supervision else { throw ImbalanceError.noSupervision }
    if adjust == .risk && p.risk == nil { throw ImbalanceError.noRisks }
    // The level's nodes with members > 0 that exist in the period.
    let nodes = f.levelRange(level).filter { f.exists($0, in: t) && p.members[$0] > 0 }
    let n = nodes.count
    guard n > 0 else { throw ImbalanceError.noNodes }

    // Counts per node and domain, summed over kinds; the node's total.
    var byDomain = [Double](repeating: 0, count: n * D)
    var observed = [Double](repeating: 0, count: n)
    var reminders = 0.0
    for (r, i) in nodes.enumerated() {
      for k in 0..<K {
        for dd in 0..<D {
          let c = Double(supervision[(i * K + k) * D + dd])
          byDomain[r * D + dd] += c
          observed[r] += c
          if k == 0 { reminders += c }
        }
      }
    }
    let members = nodes.map { Double(p.members[$0]) }
    let risk: [Double] = p.risk.map { risk in (0..<(n * D)).map { risk[nodes[$0 / D] * D + $0 % D] } }
      ?? [Double](repeating: 1, count: n * D)
    let totalObserved = observed.reduce(0, +)
    // No supervision at all: every expected count would be 0 and there is nothing to compare.
    guard totalObserved > 0 else { throw ImbalanceError.noSupervisionInLevel }

    // Expected counts.
    var expected = [Double](repeating: 0, count: n)
    var expectedByDomain = [Double](repeating: 0, count: n * D)
    var glm: ImbalanceResult.GLMSummary? = nil
    var notes: [LocalizedText] = []
    switch adjust {
    case .none:
      let rate = totalObserved / members.reduce(0, +)
      for r in 0..<n { expected[r] = members[r] * rate }
      // Within each domain, the same rule: the domain's rate per member.
      for dd in 0..<D {
        let domainRate = (0..<n).reduce(0.0) { $0 + byDomain[$1 * D + dd] } / members.reduce(0, +)
        for r in 0..<n { expectedByDomain[r * D + dd] = members[r] * domainRate }
      }
    case .risk:
      let (fit, kept, withRisk, fitNotes) = try fitGLM(
        d, counts: byDomain, members: members, risk: risk, n: n, D: D)
      notes += fitNotes
      var coefficients: [(String, Double?)] = d.manifest.domains.map { ($0, nil) }
      for (j, dd) in kept.enumerated() { coefficients[dd].1 = fit.coefficients[j] }
      if withRisk { coefficients.append(("risk", fit.coefficients[kept.count])) }
      var row = 0
      for r in 0..<n {
        for dd in 0..<D where kept.contains(dd) {
          expectedByDomain[r * D + dd] = fit.fitted[row]
          expected[r] += fit.fitted[row]
          row += 1
        }
      }
      glm = .init(coefficients: coefficients, riskDropped: !withRisk, deviance: fit.deviance, iterations: fit.iterations, converged: fit.converged)
    }

    let model = FunnelPlot(dispersion: settings.dispersion)
    let funnel = model.fit(observed: observed, expected: expected, limits: limitsForNodes)

    // Inequality of (kind-weighted) intensity across the level's nodes.
    let intensity = nodes.map { p.metrics.intensity[$0] }
    let tops = nodes.map { Int32(f.ancestor(of: $0, atLevel: 0)) }
    let inequality = Inequality(intensity, groups: tops)

    // Domain coverage: supervision share against risk share.
    var domains: [ImbalanceResult.DomainRow] = []
    var riskTotal = 0.0
    for r in 0..<n { for dd in 0..<D { riskTotal += members[r] * risk[r * D + dd] } }
    for dd in 0..<D {
      let sup = (0..<n).reduce(0.0) { $0 + byDomain[$1 * D + dd] }
      let rsk = (0..<n).reduce(0.0) { $0 + members[$1] * risk[$1 * D + dd] }
      let supShare = totalObserved > 0 ? sup / totalObserved : Double.nan
      let riskShare = riskTotal > 0 ? rsk / riskTotal : Double.nan
      let coverage = riskShare > 0 ? supShare / riskShare : Double.nan
      domains.append(.init(
        domain: dd, supervisionShare: supShare, riskShare: riskShare, coverage: coverage,
        blindSpot: coverage.isFinite && coverage < settings.blindSpot && !Ties.equal(coverage, settings.blindSpot)))
    }

    var result = ImbalanceResult(
      period: t, level: level, adjust: adjust, nodes: nodes, observed: observed,
      expected: expected, expectedByDomain: expectedByDomain, countsByDomain: byDomain,
      funnel: funnel, pValues: [], qValues: [], fdr: fdr, earlyShare: nodes.map { p.metrics.earlyShare[$0] },
      levelEarlyShare: totalObserved > 0 ? reminders / totalObserved : nil,
      inequality: inequality, domains: domains, glm: glm, notes: notes)
    if testsNodes {
      result.pValues = model.pValues(funnel, observed: observed, expected: expected)
      result.qValues = benjaminiHochberg(result.pValues)
    }
    return result
  }

  /// The Poisson GLM of METHODS.md section 3: one row per (node, domain), log mu =
  /// ln(members) + alpha_d + beta x risk. Domains with no supervision at all are left out
  /// (their maximum-likelihood mean is 0); the risk term is dropped when risk is constant
  /// within every remaining domain (beta is then not identified).
  func fitGLM(
    _ d: Dataset, counts: [Double], members: [Double], risk: [Double], n: Int, D: Int
  ) throws -> (PoissonRegression.Fit, [Int], Bool, [LocalizedText]) {
    var notes: [LocalizedText] = []
    var kept: [Int] = []
    for dd in 0..<D {
      let total = (0..<n).reduce(0.0) { $0 + counts[$1 * D + dd] }
      if total > 0 {
        kept.append(dd)
      } else {
        let name = d.manifest.domains[dd]
        notes.append(LocalizedText(
          zh: "领域 '\(name)' 在该层没有任何督查：不纳入模型（期望为 0，系数为空），这是监督盲区而非错误",
          en: "domain '\(name)' has no supervision at all in the level: left out of the model (expected 0, coefficient null); it is a blind spot, not an error"))
      }
    }
    // `run` has already refused a level without any supervision, so some domain is kept.
    precondition(!kept.isEmpty, "fitGLM: no domain with supervision")
    let withRisk = kept.contains { dd in
      let first = risk[dd]
      return (0..<n).contains { !Ties.equal(risk[$0 * D + dd], first) }
    }
    if !withRisk {
      notes.append(LocalizedText(
        zh: "各领域内风险值均相同，风险系数无法识别：已去掉风险项（相当于只按领域和人数调整）",
        en: "risk is constant within every domain, so its coefficient is not identified: the risk term is dropped (the adjustment is by domain and members only)"))
    }
    // One row per (node, kept domain): the domain's indicator, and the risk weight.
    let rows = n * kept.count
    var group = [Int32](repeating: 0, count: rows)
    var riskColumn = withRisk ? [Double](repeating: 0, count: rows) : []
    var y = [Double](repeating: 0, count: rows)
    var offset = [Double](repeating: 0, count: rows)
    var row = 0
    for r in 0..<n {
      let logMembers = Foundation.log(members[r])
      for (j, dd) in kept.enumerated() {
        group[row] = Int32(j)
        if withRisk { riskColumn[row] = risk[r * D + dd] }
        y[row] = counts[r * D + dd]
        offset[row] = logMembers
        row += 1
      }
    }
    let design = FactorDesign(group: group, levels: kept.count, covariates: withRisk ? [riskColumn] : [])
    let names = kept.map { d.manifest.domains[$0] } + (withRisk ? ["risk"] : [])
    let fit = try PoissonRegression().fit(design: design, y: y, offset: offset, columnNames: names)
    if !fit.converged {
      notes.append(LocalizedText(
        zh: "泊松回归在 \(fit.iterations) 次迭代内未收敛",
        en: "the Poisson regression did not converge in \(fit.iterations) iterations"))
    }
    return (fit, kept, withRisk, notes)
  }
}

public enum ImbalanceError: Error, Sendable {
  case noSupervision, noRisks, noNodes, noSupervisionInLevel
}

/// What `ImbalanceAnalysis` found for one level and period.
public struct ImbalanceResult: Sendable {
  public struct DomainRow: Sendable {
    public var domain: Int
    public var supervisionShare: Double
    public var riskShare: Double
    public var coverage: Double
    public var blindSpot: Bool
  }

  public struct GLMSummary: Sendable {
    /// Named by domain, then `risk`; nil for a domain left out of the fit.
    public var coefficients: [(String, Double?)]
    public var riskDropped: Bool
    public var deviance: Double
    public var iterations: Int
    public var converged: Bool
  }

  public let period: Int
  public let level: Int
  public let adjust: ImbalanceAnalysis.Adjustment
  /// The level's nodes with members > 0 in the period, in index order.
  public let nodes: [Int]
  public let observed: [Double]
  public let expected: [Double]
  /// Expected and observed counts per node and domain (`[r * D + d]`).
  public let expectedByDomain: [Double]
  public let countsByDomain: [Double]
  public let funnel: FunnelPlot.Fit
  /// Two-sided p-values of the nodes under the funnel's count distribution, and their
  /// Benjamini-Hochberg q-values over the level (`FunnelPlot.pValues`); empty when the
  /// analysis was run without `testsNodes`.
  public internal(set) var pValues: [Double]
  public internal(set) var qValues: [Double]
  /// The FDR of `--fdr`; nil without it.
  public let fdr: Double?
  public let earlyShare: [Double]
  public let levelEarlyShare: Double?
  public let inequality: Inequality
  public let domains: [DomainRow]
  public let glm: GLMSummary?
  /// What the analysis did that a reader should know (also printed on stderr).
  public let notes: [LocalizedText]
}
