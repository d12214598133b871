import ChuandaoLinearAlgebra
import ChuandaoStats
import Foundation

/// Risks outside a leader's remit (分管工作外的风险点; issue 17 part 2): per unit, the share
/// of its risk in domains no leader overseeing it is in charge of; over the level, the
/// supervision share inside and outside the leaders' remits against the risk share
/// (coverage, as in the blind-spot analysis of `imbalance`), and the rate ratio of
/// supervision outside against inside with the domain held fixed; per leader, the risk of
/// the overseen units outside their domains. Method: docs/methods/remit.md.
public struct RemitAnalysis: Sendable {
  /// The level of the units; nil: the level most overseen nodes of the period are on.
  public var level: Int?
  public var blindSpot: Double

  public init(level: Int? = nil, blindSpot: Double = Settings.Imbalance().blindSpot) {
    self.level = level
    self.blindSpot = blindSpot
  }

  /// The level most of the period's overseen nodes are on (the lower one on a tie), or nil
  /// when no leader oversees anything in the period.
  public static func defaultLevel(_ d: Dataset, period t: Int) -> Int? {
    var count = [Int](repeating: 0, count: d.forest.levelCount)
    let l = d.leaders
    for r in 0..<l.count where Int(l.period[r]) == t {
      for j in l.overseen(byRow: r) { count[Int(d.forest.level[Int(j)])] += 1 }
    }
    guard let top = count.max(), top > 0 else { return nil }
    return count.lastIndex(of: top)
  }

  public func run(_ d: Dataset, period t: Int) throws -> RemitResult {
    let f = d.forest
    let p = d.periods[t]
    let l = d.leaders
    guard l.hasDomains else { throw RemitError.noDomains }
    guard let supervision = p.supervision else { throw ImbalanceError.noSupervision }
    guard let k = level ?? Self.defaultLevel(d, period: t) else { throw RemitError.noOversight }
    let (K, D) = (d.manifest.kinds.count, d.manifest.domains.count)
    let units = f.levelRange(k).filter { f.exists($0, in: t) && p.members[$0] > 0 }
    guard !units.isEmpty else { throw ImbalanceError.noNodes }
    var row = [Int: Int]()
    for (r, i) in units.enumerated() { row[i] = r }

    // Covered (unit, domain) pairs and the leaders of each unit.
    var covered = [Bool](repeating: false, count: units.count * D)
    var leaderCount = [Int](repeating: 0, count: units.count)
    var leaderRows: [Int] = []
    for r in 0..<l.count where Int(l.period[r]) == t {
      let overseen = l.overseen(byRow: r).compactMap { row[Int($0)] }
      guard !overseen.isEmpty else { continue }
      leaderRows.append(r)
      for u in overseen {
        leaderCount[u] += 1
        for dd in l.domains(byRow: r) { covered[u * D + Int(dd)] = true }
      }
    }
    let risk: (Int, Int) -> Double = { i, dd in p.risk?[i * D + dd] ?? 1 }
    var counts = [Double](repeating: 0, count: units.count * D)
    for (u, i) in units.enumerated() {
      for kk in 0..<K { for dd in 0..<D { counts[u * D + dd] += Double(supervision[(i * K + kk) * D + dd]) } }
    }

    // Units.
    var unitRows: [RemitResult.Unit] = []
    for (u, i) in units.enumerated() {
      var total = 0.0
      var unowned = 0.0
      for dd in 0..<D {
        total += risk(i, dd)
        if !covered[u * D + dd] { unowned += risk(i, dd) }
      }
      unitRows.append(.init(
        node: i, leaders: leaderCount[u], covered: (0..<D).filter { covered[u * D + $0] },
        unownedRiskShare: total > 0 ? unowned / total : nil,
        supervision: (0..<D).reduce(0.0) { $0 + counts[u * D + $1] }))
    }

    // Level: inside and outside, and per domain; risk weighted by members (METHODS.md 3).
    var supIn = 0.0, supOut = 0.0, riskIn = 0.0, riskOut = 0.0
    var domainSup = [Double](repeating: 0, count: D), domainRisk = [Double](repeating: 0, count: D)
    var domainSupOut = [Double](repeating: 0, count: D), domainRiskOut = [Double](repeating: 0, count: D)
    var domainUnowned = [Int](repeating: 0, count: D)
    for (u, i) in units.enumerated() {
      let m = Double(p.members[i])
      for dd in 0..<D {
        let c = counts[u * D + dd]
        let w = m * risk(i, dd)
        domainSup[dd] += c
        domainRisk[dd] += w
        if covered[u * D + dd] {
          supIn += c
          riskIn += w
        } else {
          supOut += c
          riskOut += w
          domainSupOut[dd] += c
          domainRiskOut[dd] += w
          domainUnowned[dd] += 1
        }
      }
    }
    let supTotal = supIn + supOut
    let riskTotal = riskIn + riskOut
    func share(_ a: Double, _ b: Double) -> Double? { b > 0 ? a / b : nil }
    func coverage(_ s: Double?, _ r: Double?) -> Double? {
      guard let s, let r, r > 0 else { return nil }
      return s / r
    }
    let inside = RemitResult.Part(
      supervisionShare: share(supIn, supTotal), riskShare: share(riskIn, riskTotal),
      coverage: coverage(share(supIn, supTotal), share(riskIn, riskTotal)))
    let outside = RemitResult.Part(
      supervisionShare: share(supOut, supTotal), riskShare: share(riskOut, riskTotal),
      coverage: coverage(share(supOut, supTotal), share(riskOut, riskTotal)))
    var domains: [RemitResult.Domain] = []
    for dd in 0..<D {
      let s = share(domainSup[dd], supTotal)
      let r = share(domainRisk[dd], riskTotal)
      let c = coverage(s, r)
      // Within the domain: its supervision outside remits against its risk outside.
      let cOut = coverage(share(domainSupOut[dd], domainSup[dd]), share(domainRiskOut[dd], domainRisk[dd]))
      domains.append(.init(
        domain: dd, supervisionShare: s, riskShare: r, coverage: c,
        blindSpot: c.map { $0 < blindSpot && !Ties.equal($0, blindSpot) } ?? false,
        unitsOutside: domainUnowned[dd], coverageOutside: cOut))
    }

    // Leaders: the risk of their overseen units (at this level) outside their own domains.
    var leaders: [RemitResult.Leader] = []
    for r in leaderRows {
      let own = Set(l.domains(byRow: r).map(Int.init))
      var total = 0.0
      var outsideRisk = 0.0
      let overseen = l.overseen(byRow: r).map(Int.init).filter { row[$0] != nil }
      for i in overseen {
        let m = Double(p.members[i])
        for dd in 0..<D {
          total += m * risk(i, dd)
          if !own.contains(dd) { outsideRisk += m * risk(i, dd) }
        }
      }
      leaders.append(.init(row: r, units: overseen, domains: own.sorted(), outsideRisk: outsideRisk, outsideRiskShare: share(outsideRisk, total)))
    }

    let ratio = outsideRateRatio(d, t, units: units, counts: counts, covered: covered, D: D)
    return RemitResult(
      period: t, level: k, units: unitRows, inside: inside, outside: outside, domains: domains,
      leaders: leaders, outsideRateRatio: ratio.0, clusters: ratio.1, notes: ratio.2)
  }

  /// Supervision outside remits against inside, the domain held fixed: a Poisson GLM with
  /// one row per (unit, domain with supervision), log mu = ln(members) + alpha_d
  /// [+ beta risk] + gamma outside, intervals clustered by the unit's parent
  /// (`ClusterRobust`; docs/methods/remit.md).
  func outsideRateRatio(
    _ d: Dataset, _ t: Int, units: [Int], counts: [Double], covered: [Bool], D: Int
  ) -> (CapacityResult.RateRatio?, Int, [LocalizedText]) {
    let f = d.forest
    let p = d.periods[t]
    var notes: [LocalizedText] = []
    let n = units.count
    let kept = (0..<D).filter { dd in (0..<n).contains { counts[$0 * D + dd] > 0 } }
    // gamma is identified only where a kept domain is covered for some units and not others,
    // or inside and outside pairs both occur across domains; require both kinds of pair.
    let pairs = kept.flatMap { dd in (0..<n).map { covered[$0 * D + dd] } }
    guard pairs.contains(true) && pairs.contains(false) else {
      notes.append(LocalizedText(
        zh: "所有单位-领域都在分管范围内（或都不在）：无法比较内外",
        en: "every unit and domain is inside the remits (or every one outside): inside and outside cannot be compared"))
      return (nil, 0, notes)
    }
    let withRisk = p.risk.map { risk in
      kept.contains { dd in units.contains { !Ties.equal(risk[$0 * D + dd], risk[units[0] * D + dd]) } }
    } ?? false
    let (clusterIDs, clusterCount) = f.parentClusters(units)
    var group: [Int32] = [], cluster: [Int32] = [], y: [Double] = [], offset: [Double] = []
    var riskColumn: [Double] = [], outside: [Double] = []
    for (u, i) in units.enumerated() {
      let g = clusterIDs[u]
      for (j, dd) in kept.enumerated() {
        group.append(Int32(j))
        cluster.append(g)
        y.append(counts[u * D + dd])
        offset.append(Foundation.log(Double(p.members[i])))
        if withRisk { riskColumn.append(p.risk![i * D + dd]) }
        outside.append(covered[u * D + dd] ? 0 : 1)
      }
    }
    let design = FactorDesign(group: group, levels: kept.count, covariates: withRisk ? [riskColumn, outside] : [outside])
    let fit: PoissonRegression.Fit
    do {
      fit = try PoissonRegression().fit(design: design, y: y, offset: offset)
    } catch {
      notes.append(LocalizedText(zh: "泊松回归无法拟合：\(error)", en: "the Poisson regression could not be fitted: \(error)"))
      return (nil, clusterCount, notes)
    }
    let v = ClusterRobust.covariance(design: design, y: y, fitted: fit.fitted, cluster: cluster, clusters: clusterCount)
    if v != nil && clusterCount < CapacityResult.fewClusters {
      notes.append(LocalizedText(
        zh: "只有 \(clusterCount) 个聚类：聚类稳健区间偏窄，仅供参考",
        en: "only \(clusterCount) clusters: the cluster-robust intervals are too narrow, read them with care"))
    }
    let j = design.columns - 1
    let r = ClusterRobust.rateRatio(fit.coefficients[j], variance: v?[j, j])
    return (.init(estimate: r.estimate, lower: r.lower, upper: r.upper), clusterCount, notes)
  }
}

public enum RemitError: Error, Sendable {
  /// leaders.csv is absent or has no `domains` column.
  case noDomains
  /// No leader oversees a node in the period.
  case noOversight
}

/// What `RemitAnalysis` found for one level and period.
public struct RemitResult: Sendable {
  public struct Unit: Sendable {
    public var node: Int
    /// Leaders overseeing the unit in the period.
    public var leaders: Int
    /// Domains some leader overseeing the unit is in charge of.
    public var covered: [Int]
    /// The unit's risk in domains none of its leaders covers over its total risk.
    public var unownedRiskShare: Double?
    public var supervision: Double
  }

  public struct Part: Sendable {
    public var supervisionShare: Double?
    public var riskShare: Double?
    public var coverage: Double?
  }

  public struct Domain: Sendable {
    public var domain: Int
    public var supervisionShare: Double?
    public var riskShare: Double?
    public var coverage: Double?
    public var blindSpot: Bool
    /// Units for which the domain is outside every leader's remit.
    public var unitsOutside: Int
    /// Within the domain: supervision share outside remits over risk share outside.
    public var coverageOutside: Double?
  }

  public struct Leader: Sendable {
    /// Row of `LeaderList`.
    public var row: Int
    public var units: [Int]
    public var domains: [Int]
    public var outsideRisk: Double
    public var outsideRiskShare: Double?
  }

  public let period: Int
  public let level: Int
  public let units: [Unit]
  public let inside: Part
  public let outside: Part
  public let domains: [Domain]
  public let leaders: [Leader]
  /// Supervision outside remits against inside, domain (and risk) held fixed.
  public let outsideRateRatio: CapacityResult.RateRatio?
  public let clusters: Int
  public let notes: [LocalizedText]
}
