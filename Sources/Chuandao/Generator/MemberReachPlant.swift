import ChuandaoStats
import Foundation

/// The planted member step (member_reach.csv, docs/generator.md): each lowest-level node's
/// members are reached at its own latent score's rate (score / 100) times the bureau's
/// member-step transmission, times a node effect.
///
/// Every quantity is drawn from a stream of its own per bureau (`stream(bureau:seed:)`,
/// the seed mixed with the bureau and a constant), never from the bureau's main stream:
/// for the same seed, every file the generator wrote before member_reach.csv existed stays
/// byte for byte the same.
struct MemberReachPlant {
  /// The measures written, one row each per node and period.
  static let measures = ["commitment", "talk", "education"]
  /// Member-step transmission: ordinary bureaus (with a spread) and the worst bureau.
  static let tau = 0.80
  static let tauSpread = 0.03
  static let tauWorst = 0.65
  /// SD of the node-persistent log effect on the reach rate.
  static let nodeEffectSD = 0.05

  var rng: RandomSource
  /// This bureau's member-step transmission (1 under `--null`).
  let tau: Double
  /// Per local node, its log effect on the reach rate.
  var effect: [Double] = []
  /// For the truth, the last period: the bottom-level nodes with rows and the sum of the
  /// binomial variance of their log reach rate, (1 - rho) / (E rho).
  var branches = 0
  var binomialVariance = 0.0

  /// The bureau's own stream for the member step: the seed mixed with the bureau's index
  /// and "REACH" through SplitMix64 (the main stream mixes the seed with the index alone).
  static func stream(bureau b: Int, seed: UInt64) -> RandomSource {
    var sm = SplitMix64(seed: seed ^ (UInt64(b) &* 0x9E37_79B9_7F4A_7C15) ^ 0x5245_4143_48)
    _ = sm.next()
    return RandomSource(seed: sm.next())
  }

  init(bureau b: Int, seed: UInt64, worst: Bool, planted: Bool, nodes: Int) {
    rng = Self.stream(bureau: b, seed: seed)
    let spread = Self.tauSpread * (2 * rng.uniform() - 1)
    tau = planted ? (worst ? Self.tauWorst : Self.tau + spread) : 1
    effect = (0..<nodes).map { _ in Self.nodeEffectSD * rng.normal() }
  }

  /// The rows of node `i` (local index) in period `t`: for each measure, of `members`
  /// eligible (one fewer for `education` in a node of more than 20, someone on leave),
  /// Binomial(eligible, rho) reached, rho = min(1, score / 100 x tau x exp(effect)).
  mutating func emit<Sink: GeneratorSink>(
    node i: Int, id: String, period t: Int, score: Double, members: Int, last: Bool, into sink: inout Sink
  ) {
    let rho = min(1, max(0, score / 100 * tau * Foundation.exp(effect[i])))
    var eligibleSum = 0
    for (j, measure) in Self.measures.enumerated() {
      let eligible = j == 2 && members > 20 ? members - 1 : members
      let reached = rng.binomial(eligible, rho)
      sink.memberReach(period: t, node: id, measure: measure, reached: reached, eligible: eligible)
      eligibleSum += eligible
    }
    if last && rho > 0 && eligibleSum > 0 {
      branches += 1
      binomialVariance += (1 - rho) / (Double(eligibleSum) * rho)
    }
  }

  /// The truth of this bureau's member step: the planted tau, and a tolerance of
  /// tau x (exp(4 sd + 0.005) - 1), sd the standard deviation of the mean log ratio over
  /// the bureau's branches (node effect, binomial and score noise).
  func truth(id: String, name: String, worst: Bool) -> TruthRecorder.MemberGroup {
    let n = Double(max(branches, 1))
    let scoreNoise = pow(Plant.subjectSD / 2 / 80, 2)
    let variance = (Double(branches) * (Self.nodeEffectSD * Self.nodeEffectSD + scoreNoise) + binomialVariance) / (n * n)
    return .init(
      id: id, name: name, worst: worst, branches: branches, tau: tau,
      tolerance: tau * (Foundation.exp(4 * variance.squareRoot() + 0.005) - 1))
  }
}

extension RandomSource {
  /// A Binomial(n, p) draw: inversion, counting the rarer outcome (Devroye 1986, X.4.3,
  /// "sequential search"), O(n min(p, 1 - p)) uniforms' worth of work and one uniform.
  /// Beyond n = 1000 (where (1 - p)^n may underflow) a rounded normal approximation,
  /// clamped to [0, n].
  mutating func binomial(_ n: Int, _ p: Double) -> Int {
    if n <= 0 || p <= 0 { return 0 }
    if p >= 1 { return n }
    let flip = p > 0.5
    let q = flip ? 1 - p : p
    var k = 0
    if n > 1000 {
      let x = Double(n) * q + (Double(n) * q * (1 - q)).squareRoot() * normal()
      k = min(n, max(0, Int(x.rounded())))
    } else {
      var u = uniform()
      var pk = Foundation.pow(1 - q, Double(n))
      let odds = q / (1 - q)
      while u > pk && k < n {
        u -= pk
        pk *= Double(n - k) / Double(k + 1) * odds
        k += 1
      }
    }
    return flip ? n - k : k
  }
}
