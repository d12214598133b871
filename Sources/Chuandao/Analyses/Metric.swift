/// The metrics an analysis can read (METHODS.md section 1).
public enum Metric: Sendable, Equatable, CustomStringConvertible {
  /// The composite score.
  case score
  /// One subject's score, by index into the manifest's subjects.
  case subject(Int, name: String)
  /// Kind-weighted supervision per 100 direct members.
  case intensity

  /// Parses `score`, `score.SUBJECT` or `intensity` against the dataset's subjects.
  public init?(_ text: String, subjects: [String]) {
    switch text {
    case "score": self = .score
    case "intensity": self = .intensity
    default:
      guard text.hasPrefix("score."), let s = subjects.firstIndex(of: String(text.dropFirst(6))) else {
        return nil
      }
      self = .subject(s, name: subjects[s])
    }
  }

  public var description: String {
    switch self {
    case .score: "score"
    case .subject(_, let name): "score.\(name)"
    case .intensity: "intensity"
    }
  }

  /// The file the metric is read from.
  public var requiredFile: String {
    if case .intensity = self { return "supervision.csv" }
    return "scores.csv"
  }

  /// The metric's values in period `t` (NaN where undefined); `smoothed` gives the
  /// intensity used in ratios, 100 x (count + 0.5) / members.
  public func values(_ dataset: Dataset, period t: Int, smoothed: Bool = false) -> [Double] {
    let p = dataset.periods[t]
    switch self {
    case .score: return p.metrics.score
    case .intensity: return smoothed ? p.metrics.intensitySmoothed : p.metrics.intensity
    case .subject(let s, _):
      let S = dataset.manifest.subjects.count
      return (0..<dataset.forest.count).map { p.scores[$0 * S + s] }
    }
  }
}
