import ChuandaoStats
import Foundation

/// Coordination of the four responsibilities (四责协同): does every subject of a node pull
/// its weight, or does one sweep only its own doorstep (各扫门前雪)? METHODS.md section 4.
public struct CoordinationAnalysis: Sendable {
  /// Points between the subjects' mean and the weakest at which a node is a silo.
  public var siloGap: Double

  public init(siloGap: Double = 10) { self.siloGap = siloGap }

  public func run(_ d: Dataset, period t: Int) -> CoordinationResult {
    let f = d.forest
    let S = d.manifest.subjects.count
    let scores = d.periods[t].scores
    var rows: [CoordinationResult.NodeRow] = []
    for i in 0..<f.count where f.exists(i, in: t) {
      let present = (0..<S).filter { !scores[i * S + $0].isNaN }
      guard present.count >= 2 else { continue }
      let values = present.map { scores[i * S + $0] }
      let m = values.reduce(0, +) / Double(values.count)
      let sd = (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count)).squareRoot()
      let index: Double? = m == 0 ? nil : min(1, max(0, 1 - sd / m))
      // The weakest: the lowest score, ties (in METHODS.md's 1e-9 sense) by subject order.
      var weakest = present[0]
      for s in present.dropFirst() where Ties.sign(scores[i * S + s], scores[i * S + weakest]) < 0 {
        weakest = s
      }
      let gap = m - scores[i * S + weakest]
      rows.append(.init(
        node: i, mean: m, sd: sd, index: index, weakest: weakest, gap: gap,
        silo: Ties.greaterOrEqual(gap, siloGap)))
    }

    // Per level: mean index and the subjects' pairwise-complete Pearson correlations.
    var levels: [CoordinationResult.LevelRow] = []
    for k in 0..<f.levelCount {
      let range = f.levelRange(k)
      let indices = rows.filter { range.contains($0.node) }.compactMap(\.index)
      let nodes = range.filter { f.exists($0, in: t) }
      var corr = [[Double?]](repeating: [Double?](repeating: nil, count: S), count: S)
      for a in 0..<S {
        for b in a..<S {
          var xs: [Double] = []
          var ys: [Double] = []
          for i in nodes {
            let x = scores[i * S + a]
            let y = scores[i * S + b]
            if !x.isNaN && !y.isNaN {
              xs.append(x)
              ys.append(y)
            }
          }
          let r = pearson(xs, ys)
          corr[a][b] = r
          corr[b][a] = r
        }
      }
      levels.append(.init(
        level: k, meanIndex: indices.isEmpty ? nil : indices.reduce(0, +) / Double(indices.count),
        nodes: indices.count, correlation: corr))
    }

    // Dual core (党政分设): mean index of nodes with the split against those without.
    func meanIndex(_ split: Int8) -> Double? {
      let v = rows.filter { f.partyAdminSplit[$0.node] == split }.compactMap(\.index)
      return v.isEmpty ? nil : v.reduce(0, +) / Double(v.count)
    }
    return CoordinationResult(
      period: t, siloGap: siloGap, nodes: rows, levels: levels,
      splitMeanIndex: meanIndex(1), jointMeanIndex: meanIndex(0))
  }
}

/// Pearson's r, or nil with fewer than 2 pairs or no variance in either.
func pearson(_ x: [Double], _ y: [Double]) -> Double? {
  let n = x.count
  guard n >= 2 else { return nil }
  let mx = x.reduce(0, +) / Double(n)
  let my = y.reduce(0, +) / Double(n)
  var sxy = 0.0
  var sxx = 0.0
  var syy = 0.0
  for i in 0..<n {
    sxy += (x[i] - mx) * (y[i] - my)
    sxx += (x[i] - mx) * (x[i] - mx)
    syy += (y[i] - my) * (y[i] - my)
  }
  guard sxx > 0 && syy > 0 else { return nil }
  return sxy / (sxx * syy).squareRoot()
}

public struct CoordinationResult: Sendable {
  public struct NodeRow: Sendable {
    public var node: Int
    public var mean: Double
    /// Population sd over the node's subjects.
    public var sd: Double
    /// C = clamp(1 - sd/mean, 0, 1); nil when the mean is 0.
    public var index: Double?
    /// Index into the manifest's subjects.
    public var weakest: Int
    public var gap: Double
    public var silo: Bool
  }
  public struct LevelRow: Sendable {
    public var level: Int
    public var meanIndex: Double?
    public var nodes: Int
    /// Subject x subject, nil where undefined.
    public var correlation: [[Double?]]
  }
  public let period: Int
  public let siloGap: Double
  /// The nodes with at least two subject scores in the period.
  public let nodes: [NodeRow]
  public let levels: [LevelRow]
  public let splitMeanIndex: Double?
  public let jointMeanIndex: Double?
}
