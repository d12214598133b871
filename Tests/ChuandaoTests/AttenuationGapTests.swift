import ChuandaoStats
import Foundation
import Testing

@testable import Chuandao

/// Gaps in the attenuation tests (METHODS.md section 2): a flag that never fires, swapped
/// interval ends, the parent-level (not node-level) estimate, and the path where the
/// variance components cannot be fitted.
@Suite("Attenuation gaps (METHODS.md section 2)")
struct AttenuationGapTests {
  static func close(_ a: Double?, _ b: Double, _ tol: Double = 1e-12) -> Bool {
    a.map { abs($0 - b) <= tol * max(1, abs(b)) } ?? false
  }

  // MARK: - tau and its t-interval over three parents

  /// Two levels, three bureaus (parents) with 2, 1 and 3 units:
  ///   B1 100 -> U11 90, U12 80        ratios 0.9, 0.8
  ///   B2  50 -> U21 40                ratio  0.8
  ///   B3  80 -> U31 80, U32 72, U33 64  ratios 1, 0.9, 0.8
  /// By hand (Python's math as a calculator, scipy.stats.t.ppf(0.975, 2) =
  /// 4.302652729749462):
  ///   h_B1 = (ln 0.9 + ln 0.8)/2 = -0.164252033486018
  ///   h_B2 = ln 0.8              = -0.2231435513142097
  ///   h_B3 = ln 0.72 / 3         = -0.10950135565734537
  ///   gbar = mean(h) = -0.1656323134858577, tau = exp(gbar) = 0.847357738931103
  ///   s_h (sample sd of the h) = 0.05683366993329506, m = 3 parents
  ///   half-width = 4.302652729749462 x s_h / sqrt(3) = 0.14118266277846914
  ///   ci = [exp(gbar - half), exp(gbar + half)] = [0.7357867263224115, 0.9758468208786456]
  /// The node-level mean of the six log-ratios would be -0.1511... (not the estimate).
  /// z: node-level sd of the six g = 0.09216251423966895; z = (g - gbar)/sd:
  ///   ratio 0.9: 0.6539730206501787, 0.8: -0.6240198447580741, 1: 1.7971765945439624.
  static let threeParents: [String: String] = [
    "dataset.yaml": "levels: [bureau, unit]\nperiods: [\"2025\"]\n",
    "org.csv": """
      id,parent,level,name,members
      B1,,bureau,局一,10
      B2,,bureau,局二,10
      B3,,bureau,局三,10
      U11,B1,unit,u11,10
      U12,B1,unit,u12,10
      U21,B2,unit,u21,10
      U31,B3,unit,u31,10
      U32,B3,unit,u32,10
      U33,B3,unit,u33,10

      """,
    "scores.csv": """
      period,node,subject,score
      2025,B1,committee,100
      2025,B2,committee,50
      2025,B3,committee,80
      2025,U11,committee,90
      2025,U12,committee,80
      2025,U21,committee,40
      2025,U31,committee,80
      2025,U32,committee,72
      2025,U33,committee,64

      """,
  ]

  @Test("tau and its parent-level t-interval over three parents, by hand; ci_low < tau < ci_high")
  func threeParentInterval() throws {
    let ds = try TempDataset(Self.threeParents, base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let r = AttenuationAnalysis(metric: .score).run(d, period: 0)
    try #require(r.steps.count == 1)
    let s = r.steps[0]
    #expect(s.parents == 3 && s.children == 6)
    #expect(Self.close(s.meanLogRatio, -0.1656323134858577))
    #expect(Self.close(s.parentSD, 0.05683366993329506, 1e-10))
    #expect(Self.close(s.tau, 0.847357738931103))
    #expect(Self.close(s.attenuation, 1 - 0.847357738931103))
    #expect(Self.close(s.ciLow, 0.7357867263224115, 1e-10), "ci_low \(String(describing: s.ciLow))")
    #expect(Self.close(s.ciHigh, 0.9758468208786456, 1e-10), "ci_high \(String(describing: s.ciHigh))")
    let (lo, tau, hi) = (try #require(s.ciLow), try #require(s.tau), try #require(s.ciHigh))
    #expect(lo < tau && tau < hi, "not ordered: \(lo) \(tau) \(hi)")
    // One step: end retention is tau itself, per-step attenuation 1 - tau.
    #expect(Self.close(r.endRetention, 0.847357738931103))
    #expect(Self.close(r.perStepAttenuation, 1 - 0.847357738931103))
    // Each bureau's own tau is exp(h_b).
    let groupTau = Dictionary(uniqueKeysWithValues: r.groups.map { (d.forest.ids[$0.node], $0.steps[0].tau) })
    #expect(Self.close(groupTau["B1"] ?? nil, Foundation.exp(-0.164252033486018)))
    #expect(Self.close(groupTau["B2"] ?? nil, 0.8))
    #expect(Self.close(groupTau["B3"] ?? nil, Foundation.exp(-0.10950135565734537)))
    // z against the parent-level mean, scaled by the node-level sd.
    let z = Dictionary(uniqueKeysWithValues: r.nodes.map { (d.forest.ids[$0.node], $0.z) })
    #expect(Self.close(z["U11"] ?? nil, 0.6539730206501787, 1e-10))
    #expect(Self.close(z["U12"] ?? nil, -0.6240198447580741, 1e-10))
    #expect(Self.close(z["U31"] ?? nil, 1.7971765945439624, 1e-10))
    #expect(r.nodes.allSatisfy { $0.flag == nil })
    // trend and assess read the same step through `transmission`.
    let (steps, h) = AttenuationAnalysis(metric: .score).transmission(d, period: 0)
    #expect(Self.close(steps[0].ciLow, 0.7357867263224115, 1e-10) && Self.close(steps[0].ciHigh, 0.9758468208786456, 1e-10))
    #expect(Self.close(h[d.forest.index(of: "B2")!], -0.2231435513142097))
  }

  // MARK: - The attenuated / amplified flag on a planted outlier

  /// One bureau B1 (score 50) with n units: n - 1 at 45 (ratio 0.9) and one outlier at
  /// `outlier`. With one parent, gbar is the plain mean of the n log-ratios. Let d = g_out
  /// - g_sib. By hand: gbar = g_sib + d/n; the outlier's deviation is d(n-1)/n, a
  /// sibling's -d/n; the sample sd of the g is sqrt([(n-1)(d/n)^2 + (d(n-1)/n)^2]/(n-1)) =
  /// |d|/sqrt(n). So z_out = sign(d) (n-1)/sqrt(n) and z_sib = -sign(d)/sqrt(n), whatever d:
  ///   n = 6: z_out = -+5/sqrt(6) = -+2.0412414523193148 -> attenuated (or amplified);
  ///          siblings +-1/sqrt(6) = +-0.408248290463863, no flag
  ///   n = 5: z_out = -4/sqrt(5) = -1.7888543819998317 > -2 -> no flag.
  /// Outlier 15 (ratio 0.3) is far below its siblings, 100 (ratio 2) far above.
  struct Planted: Sendable, CustomTestStringConvertible {
    var n: Int
    var outlier: Double
    var flagZ: Double
    var z: Double
    var flag: AttenuationResult.Flag?
    var testDescription: String { "n \(n), outlier \(outlier), flag_z \(flagZ)" }
  }

  static let planted: [Planted] = [
    .init(n: 6, outlier: 15, flagZ: 2, z: -5 / 6.0.squareRoot(), flag: .attenuated),
    .init(n: 6, outlier: 100, flagZ: 2, z: 5 / 6.0.squareRoot(), flag: .amplified),
    .init(n: 5, outlier: 15, flagZ: 2, z: -4 / 5.0.squareRoot(), flag: nil),
    // flag_z set to |z| itself: z <= -flag_z holds with equality (the 1e-9 tie rule).
    .init(n: 6, outlier: 15, flagZ: 5 / 6.0.squareRoot(), z: -5 / 6.0.squareRoot(), flag: .attenuated),
    // ... and just beyond it, no flag.
    .init(n: 6, outlier: 15, flagZ: 2.05, z: -5 / 6.0.squareRoot(), flag: nil),
  ]

  @Test("a child far below (above) its siblings is attenuated (amplified); z by hand", arguments: planted)
  func plantedOutlier(_ c: Planted) throws {
    var org = "id,parent,level,name,members\nB1,,bureau,局,10\n"
    var scores = "period,node,subject,score\n2025,B1,committee,50\n"
    for k in 1...c.n {
      org += "U\(k),B1,unit,u\(k),10\n"
      scores += "2025,U\(k),committee,\(k == c.n ? c.outlier : 45)\n"
    }
    let ds = try TempDataset(
      ["dataset.yaml": "levels: [bureau, unit]\nperiods: [\"2025\"]\n", "org.csv": org, "scores.csv": scores], base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let r = AttenuationAnalysis(metric: .score, flagZ: c.flagZ).run(d, period: 0)
    try #require(r.nodes.count == c.n)
    var checked = 0
    for row in r.nodes {
      let isOutlier = d.forest.ids[row.node] == "U\(c.n)"
      let want = isOutlier ? c.z : -(c.z.sign == .minus ? -1.0 : 1.0) / Double(c.n).squareRoot()
      #expect(Self.close(row.z, want, 1e-9), "\(d.forest.ids[row.node]): z \(String(describing: row.z)) vs \(want)")
      #expect(row.flag == (isOutlier ? c.flag : nil), "\(d.forest.ids[row.node])")
      checked += 1
    }
    #expect(checked == c.n)
  }

  /// The generated sample (seed 1): every node's z and flag equal an independent
  /// recomputation from the loaded scores (g = ln(x_i / x_parent), gbar the mean over
  /// parents of their children's mean g, s the node-level sample sd), and the flag does fire
  /// on these data.
  @Test("generated sample: z and flags equal a recomputation; the attenuated flag fires")
  func generatedSample() throws {
    let (d, _) = DatasetGenerator(.preset(.sample, seed: 1)).makeDataset()
    let f = d.forest
    var attenuated = 0
    var amplified = 0
    var compared = 0
    for t in d.periods.indices {
      let x = d.periods[t].metrics.score
      let r = AttenuationAnalysis(metric: .score).run(d, period: t)
      let rows = Dictionary(uniqueKeysWithValues: r.nodes.map { ($0.node, $0) })
      for k in 1..<f.levelCount {
        var g: [Int: Double] = [:]
        for i in f.levelRange(k) where f.exists(i, in: t) {
          let p = Int(f.parent[i])
          if x[i] > 0 && x[p] > 0 && x[i].isFinite && x[p].isFinite { g[i] = Foundation.log(x[i] / x[p]) }
        }
        var byParent: [Int: [Double]] = [:]
        for (i, v) in g { byParent[Int(f.parent[i]), default: []].append(v) }
        let h = byParent.values.map { $0.reduce(0, +) / Double($0.count) }
        let gbar = h.reduce(0, +) / Double(h.count)
        let all = Array(g.values)
        let mean = all.reduce(0, +) / Double(all.count)
        let s = (all.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(all.count - 1)).squareRoot()
        #expect(Self.close(r.steps[k - 1].meanLogRatio, gbar, 1e-9), "period \(t) step \(k)")
        for (i, gi) in g {
          let z = (gi - gbar) / s
          let row = try #require(rows[i])
          #expect(Self.close(row.z, z, 1e-9), "\(f.ids[i]) period \(t)")
          let want: AttenuationResult.Flag? = z <= -2 ? .attenuated : z >= 2 ? .amplified : nil
          #expect(row.flag == want, "\(f.ids[i]) period \(t): z \(z)")
          if row.flag == .attenuated { attenuated += 1 }
          if row.flag == .amplified { amplified += 1 }
          compared += 1
        }
      }
    }
    #expect(compared > 100)
    #expect(attenuated > 0, "the attenuated flag never fired on the sample")
  }

  /// Random single-parent families (RandomSource, seeded): n = 8 to 15 children, one
  /// planted at 0.3 x the parent's score, its siblings at 0.8 to 1 x. The extreme case by
  /// hand (n = 8, three siblings at 0.8, four at 1: the widest sibling spread) gives z_low =
  /// -2.382, and siblings at most 0.58; 100,000 such families simulated with numpy gave
  /// z_low <= -2.40 and |z_sibling| <= 0.82. So the planted child is the unique minimum z
  /// and the only node flagged, attenuated.
  @Test("random families: the planted low child has the lowest z and is attenuated", arguments: [11, 12, 13] as [UInt64])
  func randomPlanted(_ seed: UInt64) throws {
    var rng = RandomSource(seed: seed)
    let n = 8 + rng.int(below: 8)
    let parent = 60 + 40 * rng.uniform()
    let low = rng.int(below: n)
    var org = "id,parent,level,name,members\nB1,,bureau,局,10\n"
    var scores = "period,node,subject,score\n2025,B1,committee,\(parent)\n"
    for k in 0..<n {
      let ratio = k == low ? 0.3 : 0.8 + 0.2 * rng.uniform()
      org += "U\(k),B1,unit,u\(k),10\n"
      scores += "2025,U\(k),committee,\(parent * ratio)\n"
    }
    let ds = try TempDataset(
      ["dataset.yaml": "levels: [bureau, unit]\nperiods: [\"2025\"]\n", "org.csv": org, "scores.csv": scores], base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let r = AttenuationAnalysis(metric: .score).run(d, period: 0)
    try #require(r.nodes.count == n, "seed \(seed)")
    let lowest = try #require(r.nodes.min { ($0.z ?? .infinity) < ($1.z ?? .infinity) })
    #expect(d.forest.ids[lowest.node] == "U\(low)", "seed \(seed)")
    #expect(lowest.flag == .attenuated, "seed \(seed): z \(String(describing: lowest.z))")
    #expect(r.nodes.filter { $0.flag != nil }.count == 1, "seed \(seed)")
  }

  // MARK: - Variance components that cannot be fitted

  /// The base dataset (bureau B1, units U1, U2, branches Z1, Z2, Z3) with Z3's scores
  /// removed: the bottom level has 2 values, and NestedRandomIntercepts needs at least 3
  /// (it throws tooFewObservations(2)). The analysis still reports everything else.
  @Test("fewer than 3 bottom-level values: no fit, the reason given, the rest still computed")
  func varianceProblem() throws {
    let scores = TempDataset.base["scores.csv"]!.split(separator: "\n").filter { !$0.contains("Z3") }.joined(separator: "\n") + "\n"
    let ds = try TempDataset(["scores.csv": scores])
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let r = AttenuationAnalysis(metric: .score).run(d, period: 1)
    #expect(r.variance.fit == nil)
    #expect(r.variance.observations == 2)
    #expect(r.variance.problem == "nested random intercepts: 2 observations, at least 3 are needed")
    // B1 90 -> U1 80, U2 85 (tau over one parent sqrt(80 x 85)/90); U1 80 -> Z1 70, Z2 75.
    #expect(Self.close(r.steps[0].tau, (80.0 * 85).squareRoot() / 90))
    #expect(Self.close(r.steps[1].tau, (70.0 * 75).squareRoot() / 80))
    #expect(r.excluded.map { d.forest.ids[$0] } == ["Z3"])

    // With Z3 back there are 3 values: a fit, no problem.
    let full = try TempDataset([:])
    defer { full.cleanUp() }
    let fitted = AttenuationAnalysis(metric: .score).run(try Dataset.load(folder: full.folder), period: 1)
    #expect(fitted.variance.fit != nil && fitted.variance.problem == nil && fitted.variance.observations == 3)
  }
}
