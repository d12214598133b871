import ChuandaoStats
import Foundation

/// Vertical drop (落差): how much of a metric survives each level step, estimated over
/// parents (METHODS.md section 2).
public struct AttenuationAnalysis: Sendable {
  public var metric: Metric
  /// |z| at or beyond which a node is flagged (settings `attenuation.flag_z`).
  public var flagZ: Double
  /// The false-discovery rate of `--fdr` (nil without it).
  public var fdr: Double?

  public init(metric: Metric = .score, flagZ: Double = 2, fdr: Double? = nil) {
    self.metric = metric
    self.flagZ = flagZ
    self.fdr = fdr
  }

  public func run(_ d: Dataset, period t: Int) -> AttenuationResult {
    let f = d.forest
    let L = f.levelCount
    let r = logRatios(d, period: t)
    let (g, h) = (r.g, r.h)

    // Level steps over all parents.
    var steps: [AttenuationResult.Step] = []
    var nodes: [AttenuationResult.NodeRow] = []
    for k in 1..<L {
      let parents = f.levelRange(k - 1)
      let hs = parents.compactMap { h[$0].isNaN ? nil : h[$0] }
      let children = f.levelRange(k).filter { !g[$0].isNaN }
      let step = AttenuationResult.Step.estimate(level: k, h: hs, children: children.count)
      steps.append(step)
      // Node z against the step's parent-level mean, scaled by the node-level sd.
      let gs = children.map { g[$0] }
      let sd = sampleSD(gs)
      for i in f.levelRange(k) where f.exists(i, in: t) {
        guard !g[i].isNaN, let gbar = step.meanLogRatio else {
          nodes.append(.init(node: i, ratio: g[i].isNaN ? nil : Foundation.exp(g[i]), z: nil, flag: nil))
          continue
        }
        var z: Double? = nil
        var flag: AttenuationResult.Flag? = nil
        if let sd, sd > 0 {
          let zi = (g[i] - gbar) / sd
          z = zi
          if Ties.lessOrEqual(zi, -flagZ) { flag = .attenuated }
          if Ties.greaterOrEqual(zi, flagZ) { flag = .amplified }
        }
        nodes.append(.init(node: i, ratio: Foundation.exp(g[i]), z: z, flag: flag))
      }
    }
    // Two-sided normal p-values of the z's and their Benjamini-Hochberg q-values per step.
    for k in 1..<L {
      let rows = nodes.indices.filter { Int(f.level[nodes[$0].node]) == k && nodes[$0].z != nil }
      let p = rows.map { 2 * Normal.standard.cdf(-abs(nodes[$0].z!)) }
      for (j, q) in benjaminiHochberg(p).enumerated() {
        nodes[rows[j]].p = p[j]
        nodes[rows[j]].q = q
      }
    }

    let groups = self.groups(d, period: t, ratios: r)

    let retention = product(steps.map(\.tau))
    let perStep = retention.map { 1 - Foundation.pow($0, 1 / Double(L - 1)) }
    return AttenuationResult(
      period: t, metric: metric, flagZ: flagZ, fdr: fdr, steps: steps, endRetention: retention,
      perStepAttenuation: perStep, groups: groups, nodes: nodes, excluded: r.excluded,
      variance: varianceComponents(d, period: t),
      member: MemberStepAnalysis(metric: metric, flagZ: flagZ).run(d, period: t, endRetention: retention))
  }

  /// The per-node log-ratios of a period and each parent's mean child log-ratio.
  struct LogRatios {
    /// g_i = ln(x_i / x_parent) for non-top nodes that exist with both values > 0, else NaN.
    var g: [Double]
    /// h_p, the mean of the parent's children's g (NaN for a parent without one).
    var h: [Double]
    /// The number of children with a g, per parent.
    var count: [Int]
    /// Non-top nodes that exist but have no g: their value or their parent's is zero or missing.
    var excluded: [Int]
  }

  func logRatios(_ d: Dataset, period t: Int) -> LogRatios {
    let f = d.forest
    let values = metric.values(d, period: t, smoothed: metric == .intensity)
    var g = [Double](repeating: .nan, count: f.count)
    var excluded: [Int] = []
    for i in f.levelStart[1]..<f.count where f.exists(i, in: t) {
      let p = Int(f.parent[i])
      let (x, y) = (values[i], values[p])
      if x > 0 && y > 0 && x.isFinite && y.isFinite {
        g[i] = Foundation.log(x / y)
      } else {
        excluded.append(i)
      }
    }
    var sum = [Double](repeating: 0, count: f.count)
    var count = [Int](repeating: 0, count: f.count)
    for i in f.levelStart[1]..<f.count where !g[i].isNaN {
      sum[Int(f.parent[i])] += g[i]
      count[Int(f.parent[i])] += 1
    }
    let h = (0..<f.count).map { count[$0] > 0 ? sum[$0] / Double(count[$0]) : .nan }
    return LogRatios(g: g, h: h, count: count, excluded: excluded)
  }

  /// The level steps of a period and each parent's mean child log-ratio h_p (NaN where
  /// undefined), without node flags, groups or variance components: what `trend` and
  /// `assess` need, at a fraction of the cost.
  /// The same per top-level group (bureau), over the parents in its subtree: each group's
  /// tau per level step and its end retention, without the node flags and the variance
  /// components of `run` (what a series of end retentions over the periods needs).
  public func groups(_ d: Dataset, period t: Int) -> [AttenuationResult.Group] {
    groups(d, period: t, ratios: logRatios(d, period: t))
  }

  func groups(_ d: Dataset, period t: Int, ratios r: LogRatios) -> [AttenuationResult.Group] {
    let f = d.forest
    var groups: [AttenuationResult.Group] = []
    for b in f.levelRange(0) where f.exists(b, in: t) {
      var gsteps: [AttenuationResult.GroupStep] = []
      for k in 1..<f.levelCount {
        let parents = f.descendants(of: b, atLevel: k - 1)
        let hs = parents.compactMap { r.h[$0].isNaN ? nil : r.h[$0] }
        let n = parents.reduce(0) { $0 + r.count[$1] }
        let tau = hs.isEmpty ? nil : Foundation.exp(hs.reduce(0, +) / Double(hs.count))
        gsteps.append(.init(level: k, children: n, parents: hs.count, tau: tau))
      }
      groups.append(.init(node: b, steps: gsteps, endRetention: product(gsteps.map(\.tau))))
    }
    return groups
  }

  public func transmission(_ d: Dataset, period t: Int) -> (steps: [AttenuationResult.Step], parentMeanLogRatio: [Double]) {
    let f = d.forest
    let r = logRatios(d, period: t)
    let steps = (1..<max(1, f.levelCount)).map { k in
      let hs = f.levelRange(k - 1).compactMap { r.h[$0].isNaN ? nil : r.h[$0] }
      let children = f.levelRange(k).reduce(0) { $0 + (r.g[$1].isNaN ? 0 : 1) }
      return AttenuationResult.Step.estimate(level: k, h: hs, children: children)
    }
    return (steps, r.h)
  }

  /// REML variance components of the bottom level's (unsmoothed) metric, with random
  /// intercepts for every grouping level above it (lme4: `y ~ 1 + (1|bureau/unit)`).
  func varianceComponents(_ d: Dataset, period t: Int) -> AttenuationResult.Variance {
    let f = d.forest
    let L = f.levelCount
    let y = metric.values(d, period: t, smoothed: false)
    var obs: [Double] = []
    var groups = [[Int32]](repeating: [], count: L - 1)
    for i in f.levelRange(L - 1) where f.exists(i, in: t) && y[i].isFinite {
      obs.append(y[i])
      var a = i
      for k in stride(from: L - 2, through: 0, by: -1) {
        a = Int(f.parent[a])
        groups[k].append(Int32(a))
      }
    }
    do {
      let fit = try NestedRandomIntercepts().fit(y: obs, groups: groups)
      return .init(fit: fit, observations: obs.count, problem: nil)
    } catch {
      return .init(fit: nil, observations: obs.count, problem: "\(error)")
    }
  }
}

/// The sample standard deviation (n - 1), or nil with fewer than 2 values.
func sampleSD(_ x: [Double]) -> Double? {
  guard x.count >= 2 else { return nil }
  let mean = x.reduce(0, +) / Double(x.count)
  let ss = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
  return (ss / Double(x.count - 1)).squareRoot()
}

/// The product of the values, or nil when any is nil or there are none.
func product(_ x: [Double?]) -> Double? {
  guard !x.isEmpty else { return nil }
  var p = 1.0
  for v in x {
    guard let v else { return nil }
    p *= v
  }
  return p
}

/// What `AttenuationAnalysis` found for one period.
public struct AttenuationResult: Sendable {
  public enum Flag: String, Sendable { case attenuated, amplified }

  /// Level step k: parents at level k - 1, children at level k.
  public struct Step: Sendable {
    public var level: Int
    /// Children with a ratio.
    public var children: Int
    /// Parents with at least one such child (m_k).
    public var parents: Int
    /// gbar_k, the mean over parents of their mean child log-ratio.
    public var meanLogRatio: Double?
    /// s_h, the sample sd of the parents' mean log-ratios.
    public var parentSD: Double?
    public var tau: Double? { meanLogRatio.map { Foundation.exp($0) } }
    public var ciLow: Double?
    public var ciHigh: Double?
    public var attenuation: Double? { tau.map { 1 - $0 } }

    /// tau and its parent-level 95% t-interval from the parents' mean log-ratios.
    static func estimate(level: Int, h: [Double], children: Int) -> Step {
      var s = Step(level: level, children: children, parents: h.count)
      guard !h.isEmpty else { return s }
      let m = Double(h.count)
      let gbar = h.reduce(0, +) / m
      s.meanLogRatio = gbar
      if let sd = sampleSD(h) {
        s.parentSD = sd
        let half = StudentT(df: m - 1).quantile(0.975) * sd / m.squareRoot()
        s.ciLow = Foundation.exp(gbar - half)
        s.ciHigh = Foundation.exp(gbar + half)
      }
      return s
    }
  }

  public struct GroupStep: Sendable {
    public var level: Int
    public var children: Int
    public var parents: Int
    public var tau: Double?
  }

  public struct Group: Sendable {
    public var node: Int
    public var steps: [GroupStep]
    public var endRetention: Double?
  }

  public struct NodeRow: Sendable {
    public var node: Int
    public var ratio: Double?
    public var z: Double?
    public var flag: Flag?
    /// 2 Φ(-|z|), and its Benjamini-Hochberg q-value over the step's nodes with a z.
    public var p: Double? = nil
    public var q: Double? = nil
  }

  public struct Variance: Sendable {
    public var fit: NestedRandomIntercepts.Fit?
    public var observations: Int
    /// Why there is no fit, when there is none.
    public var problem: String?
  }

  public let period: Int
  public let metric: Metric
  public let flagZ: Double
  /// The false-discovery rate of `--fdr` (nil without it).
  public let fdr: Double?
  public let steps: [Step]
  /// R, the product of tau over all steps (nil when some step has no ratio).
  public let endRetention: Double?
  /// 1 - R^(1/K).
  public let perStepAttenuation: Double?
  public let groups: [Group]
  /// Every non-top node that exists in the period.
  public let nodes: [NodeRow]
  /// Nodes without a ratio: their value or their parent's is zero or missing.
  public let excluded: [Int]
  public let variance: Variance
  /// The step from the lowest level to the members, with member_reach.csv and a score
  /// metric (nil otherwise; docs/methods/member-reach.md).
  public let member: MemberStep?
}
