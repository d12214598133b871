/// What to generate: the forest's shape, the periods, the seed, and whether to plant.
public struct GeneratorSpec: Sendable, Equatable {
  /// The presets of OUTPUT.md.
  public enum Preset: String, Sendable, CaseIterable {
    case sample, city, province, national
  }

  /// One factor per level: the number of top-level nodes, then children per parent.
  public var shape: [Int]
  public var periods: Int
  public var seed: UInt64
  /// Plant nothing: scores drawn independently of the parent, supervision pure Poisson
  /// around one rate per member (for measuring false flags).
  public var null: Bool
  /// The preset this spec came from, if any (the sample preset also names its bureaus).
  public var preset: Preset?

  public init(shape: [Int], periods: Int, seed: UInt64 = 1, null: Bool = false, preset: Preset? = nil) {
    self.shape = shape
    self.periods = periods
    self.seed = seed
    self.null = null
    self.preset = preset
  }

  /// The sizes of OUTPUT.md: sample 4x5x4 over 5 periods, city 20x30x15 over 5, province
  /// 200x50x20 over 3, national 2000x100x25 over 3.
  public static func preset(_ p: Preset, seed: UInt64 = 1, null: Bool = false) -> GeneratorSpec {
    switch p {
    case .sample: GeneratorSpec(shape: [4, 5, 4], periods: 5, seed: seed, null: null, preset: p)
    case .city: GeneratorSpec(shape: [20, 30, 15], periods: 5, seed: seed, null: null, preset: p)
    case .province: GeneratorSpec(shape: [200, 50, 20], periods: 3, seed: seed, null: null, preset: p)
    case .national: GeneratorSpec(shape: [2000, 100, 25], periods: 3, seed: seed, null: null, preset: p)
    }
  }

  /// Level names by depth: three levels are bureau, unit, branch (DATA.md's default).
  public var levelNames: [String] {
    switch shape.count {
    case 2: ["bureau", "unit"]
    case 3: ["bureau", "unit", "branch"]
    case 4: ["bureau", "division", "unit", "branch"]
    case 5: ["bureau", "division", "unit", "branch", "group"]
    default: ["bureau", "division", "section", "unit", "branch", "group"]
    }
  }

  /// Period labels: consecutive years ending in 2025.
  public var periodLabels: [String] {
    (0..<periods).map { String(2025 - periods + 1 + $0) }
  }

  /// The number of nodes the shape gives, before reorganisations and zero-member extras.
  public var baseNodeCount: Int {
    var total = 0
    var level = 1
    for f in shape {
      level *= f
      total += level
    }
    return total
  }

  /// Parses `--shape 20x30x15`: 2 to 6 positive factors.
  public static func parseShape(_ text: String) -> [Int]? {
    let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
    let factors = parts.compactMap { Int($0) }
    guard factors.count == parts.count, (2...6).contains(factors.count),
      factors.allSatisfy({ $0 >= 1 && $0 <= 1_000_000 })
    else { return nil }
    return factors
  }

  /// Why this spec cannot be generated, or nil.
  public var problem: LocalizedText? {
    if !(2...6).contains(shape.count) {
      return LocalizedText(zh: "形状须有 2 至 6 层", en: "the shape must have 2 to 6 levels")
    }
    if shape.contains(where: { $0 < 1 }) {
      return LocalizedText(zh: "形状的每个因子须 >= 1", en: "every factor of the shape must be >= 1")
    }
    if !(1...50).contains(periods) {
      return LocalizedText(zh: "期数须在 1 至 50 之间", en: "the number of periods must be 1 to 50")
    }
    return nil
  }
}
