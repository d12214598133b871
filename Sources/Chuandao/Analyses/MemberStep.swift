import ChuandaoStats
import Foundation

/// The last step of the ladder, lowest-level organisation → member (延伸到具体党员身上),
/// from member_reach.csv: how far a branch's work reaches its own members, against the
/// branch's own score (docs/methods/member-reach.md).
///
/// For branch b in period t, over its measures: R_b = sum of reached, E_b = sum of
/// eligible; its value on the score's 0-100 scale v_b = 100 (R_b + 1/2) / (E_b + 1/2), and
/// its log ratio g_b = ln(v_b / score_b). (R + 1/2) / (E + 1/2) is the estimator of a
/// binomial proportion whose logarithm is unbiased to O(1/E^2) (Pettigrew, Gart and Thomas
/// 1986, Biometrika 73:425-435), and it keeps a branch that reached nobody finite. Each
/// branch is its own "parent" (its denominator is its own score, shared with nobody), so
/// the step's tau and its 95% t-interval are METHODS.md section 2's over the branches.
///
/// Node flags, a funnel plot for proportions with an additive random effect (Spiegelhalter
/// 2005, Stat Med 24:1185-1202): a branch's expected reach is what its own score and the
/// step's tau predict, pi_b = min(exp(gbar) score_b / 100, 1 - 1/(2 E_b + 1));
/// z_b = d_b / sqrt(pi_b (1 - pi_b) / E_b + pi_b^2 tau2), d_b = R_b / E_b - pi_b brought
/// half a member nearer to 0 (Yates's continuity correction), with the between-branch variance of the relative deviations beyond
/// sampling tau2 = max(0, var(p_b / pi_b - 1) - mean of (1 - pi_b) / (E_b pi_b)) (a moment
/// estimate, as DerSimonian and Laird's; on this scale a branch that reached nobody
/// weighs -1, where its log ratio would swamp the estimate and hide itself). On the log
/// scale of tau the z's are skewed (the log of a binomial proportion is): null data were flagged attenuated 3.2% of the time at z <= -2, and with
/// one common sd, as in the level steps, 3.3%; on the proportion scale 2.5%, and with the
/// continuity correction 2.15% (nominal 2.3%; docs/methods/member-reach.md).
struct MemberStepAnalysis {
  var metric: Metric
  var flagZ: Double

  func run(_ d: Dataset, period t: Int, endRetention: Double?) -> AttenuationResult.MemberStep? {
    guard d.hasMemberReach, metric != .intensity else { return nil }
    let f = d.forest
    let n = f.count
    let L = f.levelCount
    let table = d.memberReach
    let (reached, eligible) = table.totals(period: t, nodeCount: n)
    var hasRow = [Bool](repeating: false, count: n)
    var measureReached = [Int64](repeating: 0, count: table.measures.count)
    var measureEligible = [Int64](repeating: 0, count: table.measures.count)
    for k in 0..<table.count where Int(table.period[k]) == t {
      hasRow[Int(table.node[k])] = true
      measureReached[Int(table.measure[k])] += Int64(table.reached[k])
      measureEligible[Int(table.measure[k])] += Int64(table.eligible[k])
    }
    let score = metric.values(d, period: t, smoothed: false)
    var rows: [AttenuationResult.MemberRow] = []
    var g: [Double] = []
    var v: [Double] = []
    var excluded: [Int] = []
    var missing = 0
    for i in f.levelRange(L - 1) where f.exists(i, in: t) {
      guard hasRow[i] else {
        missing += 1
        continue
      }
      var row = AttenuationResult.MemberRow(node: i, reached: reached[i], eligible: eligible[i])
      let s = score[i]
      if eligible[i] > 0 && s.isFinite && s > 0 {
        let value = 100 * (Double(reached[i]) + 0.5) / (Double(eligible[i]) + 0.5)
        let gi = Foundation.log(value / s)
        row.ratio = Foundation.exp(gi)
        g.append(gi)
      } else {
        excluded.append(i)
      }
      rows.append(row)
    }
    guard !rows.isEmpty else { return nil }
    let step = AttenuationResult.Step.estimate(level: L, h: g, children: g.count)
    // z of the branch's reach against its expected reach; p and BH q as the steps'.
    if let gbar = step.meanLogRatio {
      for r in rows.indices where rows[r].ratio != nil {
        let i = rows[r].node
        let pi = min(1 - 0.5 / (Double(eligible[i]) + 0.5), Foundation.exp(gbar) * score[i] / 100)
        rows[r].expectedRate = pi
        v.append((1 - pi) / (Double(eligible[i]) * pi))
      }
    }
    var tau2: Double? = nil
    if let gbar = step.meanLogRatio, let sd = sampleSD(g), sd > 0 {
      let rel = rows.compactMap { r in
        r.expectedRate.map { (Double(r.reached) + 0.5) / (Double(r.eligible) + 0.5) / $0 - 1 }
      }
      let relSD = sampleSD(rel) ?? 0
      let between = max(0, relSD * relSD - v.reduce(0, +) / Double(v.count))
      tau2 = between
      for r in rows.indices {
        guard let pi = rows[r].expectedRate else { continue }
        let e = Double(rows[r].eligible)
        let variance = pi * (1 - pi) / e + pi * pi * between
        guard variance > 0 else { continue }
        // Half a member of continuity correction (Yates): the deviation of the observed
        // proportion, brought half a count nearer to pi_b.
        let d = Double(rows[r].reached) / e - pi
        let corrected = d < 0 ? min(0, d + 0.5 / e) : max(0, d - 0.5 / e)
        let z = corrected / variance.squareRoot()
        rows[r].z = z
        if Ties.lessOrEqual(z, -flagZ) { rows[r].flag = .attenuated }
        if Ties.greaterOrEqual(z, flagZ) { rows[r].flag = .amplified }
      }
      let tested = rows.indices.filter { rows[$0].z != nil }
      let p = tested.map { 2 * Normal.standard.cdf(-abs(rows[$0].z!)) }
      for (j, q) in benjaminiHochberg(p).enumerated() {
        rows[tested[j]].p = p[j]
        rows[tested[j]].q = q
      }
    }
    // Per top-level group: the mean log ratio over its branches.
    var sum = [Double](repeating: 0, count: n)
    var count = [Int](repeating: 0, count: n)
    for r in rows {
      guard let ratio = r.ratio else { continue }
      var a = r.node
      while f.parent[a] >= 0 { a = Int(f.parent[a]) }
      sum[a] += Foundation.log(ratio)
      count[a] += 1
    }
    let groups = f.levelRange(0).filter { f.exists($0, in: t) }.map { b in
      AttenuationResult.MemberGroup(
        node: b, branches: count[b], tau: count[b] > 0 ? Foundation.exp(sum[b] / Double(count[b])) : nil)
    }
    let measures = table.measures.indices.map { m in
      AttenuationResult.MeasureReach(
        measure: table.measures[m], reached: measureReached[m], eligible: measureEligible[m])
    }.filter { $0.eligible > 0 || $0.reached > 0 }
    return AttenuationResult.MemberStep(
      step: step, endRetention: endRetention.flatMap { r in step.tau.map { r * $0 } }, tau2: tau2,
      measures: measures, groups: groups, nodes: rows, excluded: excluded, missing: missing)
  }
}

extension AttenuationResult {
  /// The step from the lowest level to the members (member_reach.csv).
  public struct MemberStep: Sendable {
    /// tau, its interval and counts; `level` is one past the lowest level, `children` and
    /// `parents` both the branches with a ratio.
    public var step: Step
    /// The end retention of the level steps times this step's tau: from the top to the
    /// member (nil when either is).
    public var endRetention: Double?
    /// The between-branch variance of the relative deviations p / pi - 1 beyond sampling
    /// (nil with fewer than 2 ratios).
    public var tau2: Double?
    /// The level's rate per measure (sum of reached over sum of eligible).
    public var measures: [MeasureReach]
    /// Per top-level node, tau over its branches.
    public var groups: [MemberGroup]
    /// Every lowest-level node of the period with a member_reach.csv row.
    public var nodes: [MemberRow]
    /// Nodes with rows but no ratio: eligible 0, or their own score zero or missing.
    public var excluded: [Int]
    /// Lowest-level nodes of the period without any row.
    public var missing: Int

    /// Flags found against flags expected by chance, as for the level steps.
    public func chanceCounts(flagZ: Double) -> [(flag: Flag, found: Int, expected: Double)] {
      let tested = Double(nodes.filter { $0.z != nil }.count)
      let rate = Normal.standard.cdf(-flagZ)
      return [Flag.attenuated, .amplified].map { flag in
        (flag, nodes.filter { $0.flag == flag }.count, tested * rate)
      }
    }
  }

  public struct MeasureReach: Sendable {
    public var measure: String
    public var reached: Int64
    public var eligible: Int64
    public var rate: Double? { eligible > 0 ? Double(reached) / Double(eligible) : nil }
  }

  public struct MemberGroup: Sendable {
    public var node: Int
    public var branches: Int
    public var tau: Double?
  }

  public struct MemberRow: Sendable {
    public var node: Int
    /// Sums over the node's measures in the period.
    public var reached: Int64
    public var eligible: Int64
    /// 100 (reached + 1/2) / (eligible + 1/2) over the node's score.
    public var ratio: Double? = nil
    /// The reach rate the node's own score and the step's tau predict (capped below 1).
    public var expectedRate: Double? = nil
    public var z: Double? = nil
    public var flag: Flag? = nil
    public var p: Double? = nil
    public var q: Double? = nil
    /// The plain reach rate, reached / eligible.
    public var rate: Double? { eligible > 0 ? Double(reached) / Double(eligible) : nil }
  }
}
