import ChuandaoStats
import Foundation
import Yams

/// The configurable thresholds of METHODS.md section 8, with their defaults.
///
/// Read from `--config FILE` (YAML); keys given override the defaults key by key. An
/// unknown key, a value of the wrong type or out of range is a usage error naming the key.
public struct Settings: Sendable, Equatable {
  public struct Attenuation: Sendable, Equatable {
    /// |z| at or beyond which a node is flagged attenuated or amplified.
    public var flagZ = 2.0
  }
  public struct Imbalance: Sendable, Equatable {
    /// Coverage below which a domain is a blind spot.
    public var blindSpot = 0.5
    /// How overdispersion is measured and turned into funnel limits (METHODS.md section 3).
    public var dispersion = FunnelPlot.Dispersion.consistent
    public init() {}
  }
  public struct Coordination: Sendable, Equatable {
    /// Points between the subjects' mean and the weakest at which a node is a silo.
    public var siloGap = 10.0
  }
  public struct Trend: Sendable, Equatable {
    public var alpha = 0.10
    public var persistentOfLast = 3
    public var persistentAtLeast = 2
    public init() {}
  }
  public struct Assess: Sendable, Equatable {
    /// The indicators in their fixed order.
    public static let indicators = ["score", "transmission", "balance", "closure", "coordination"]
    /// One weight per indicator, in `indicators` order (scaled to sum 1 when used).
    public var weights = [0.4, 0.2, 0.15, 0.15, 0.1]
    /// Upper bounds of the Hazen percentile (rank - 0.5)/n for excellent, good and fair;
    /// the rest are poor.
    public var grades = [0.15, 0.85, 0.95]
    public var leaderOwn = 0.5
    public var leaderOversees = 0.5
    public var draws = 1000
    public var concentration = 50.0
    public var seed: UInt64 = 1
    /// Frozen goalposts: level name -> indicator -> (min, max).
    public var goalposts: [String: [String: Goalpost]] = [:]
    public init() {}
  }
  public struct Goalpost: Sendable, Equatable {
    public var min: Double
    public var max: Double
    public init(min: Double, max: Double) {
      self.min = min
      self.max = max
    }
  }

  public var attenuation = Attenuation()
  public var imbalance = Imbalance()
  public var coordination = Coordination()
  public var trend = Trend()
  public var assess = Assess()

  public init() {}
}

/// A settings file that cannot be used (a usage error, exit status 1).
public struct SettingsError: Error, Sendable, CustomStringConvertible {
  public var file: String
  public var line: Int?
  public var message: LocalizedText
  public var description: String { formatted(.en) }
  public func formatted(_ lang: Language) -> String {
    let place = line.map { "\(file):\($0)" } ?? file
    return "\(place): error: \(message.text(lang))"
  }
}

extension Settings {
  /// Reads a settings file (UTF-8 YAML).
  public static func load(path: String) throws(SettingsError) -> Settings {
    let name = path
    guard let data = FileManager.default.contents(atPath: path) else {
      throw SettingsError(file: name, line: nil,
        message: LocalizedText(zh: "无法读取配置文件", en: "cannot read the settings file"))
    }
    guard let text = String(validating: data, as: UTF8.self) else {
      throw SettingsError(file: name, line: nil,
        message: LocalizedText(zh: "配置文件须为 UTF-8 编码", en: "the settings file must be UTF-8"))
    }
    return try parse(yaml: text, file: name)
  }

  /// Parses settings YAML; `file` names the source in errors.
  public static func parse(yaml text: String, file: String) throws(SettingsError) -> Settings {
    let root: Node?
    do {
      root = try YAMLText.compose(text)
    } catch {
      throw SettingsError(file: file, line: error.line, message: error.message)
    }
    var p = SettingsParser(file: file)
    do {
      return try p.parse(root)
    } catch let e as SettingsError {
      throw e
    } catch {
      throw SettingsError(file: file, line: nil,
        message: LocalizedText(zh: "不是有效的 YAML：\(error)", en: "not valid YAML: \(error)"))
    }
  }
}

private struct SettingsParser {
  let file: String

  func fail(_ node: Node?, zh: String, en: String) -> SettingsError {
    SettingsError(file: file, line: node?.mark?.line, message: LocalizedText(zh: zh, en: en))
  }

  /// The mapping at `key`, checking that every key in it is one of `allowed`.
  func mapping(_ node: Node, key: String, allowed: [String]) throws -> [(String, Node)] {
    guard let m = node.mapping else {
      throw fail(node, zh: "'\(key)' 应为键值映射", en: "'\(key)' must be a mapping")
    }
    var out: [(String, Node)] = []
    for (k, v) in m {
      let name = k.string ?? ""
      let path = key.isEmpty ? name : "\(key).\(name)"
      guard allowed.contains(name) else {
        throw fail(k, zh: "未知的键 '\(path)'（可用：\(allowed.joined(separator: ", "))）",
          en: "unknown key '\(path)' (known: \(allowed.joined(separator: ", ")))")
      }
      out.append((name, v))
    }
    return out
  }

  func number(_ node: Node, key: String, range: ClosedRange<Double> = 0...Double.infinity) throws -> Double {
    guard let s = node.scalar, s.style == .plain, let x = Double(s.string), x.isFinite else {
      throw fail(node, zh: "'\(key)' 应为数值，实为 '\(node.scalar?.string ?? "（非标量）")'",
        en: "'\(key)' must be a number, found '\(node.scalar?.string ?? "(not a scalar)")'")
    }
    guard range.contains(x) else {
      func f(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
      let r = range.upperBound == .infinity ? ">= \(f(range.lowerBound))" : "in [\(f(range.lowerBound)), \(f(range.upperBound))]"
      throw fail(node, zh: "'\(key)' 应 \(r)，实为 \(s.string)", en: "'\(key)' must be \(r), found \(s.string)")
    }
    return x
  }

  /// One of an enumeration's raw values; anything else is an error listing them.
  func choice<T: RawRepresentable & CaseIterable>(_ node: Node, key: String) throws -> T
  where T.RawValue == String {
    let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
    guard let s = node.scalar, let value = T(rawValue: s.string) else {
      let found = node.scalar?.string ?? "(not a scalar)"
      throw fail(node, zh: "'\(key)' 应为 \(allowed) 之一，实为 '\(found)'",
        en: "'\(key)' must be one of \(allowed), found '\(found)'")
    }
    return value
  }

  func integer(_ node: Node, key: String, min: Int) throws -> Int {
    guard let s = node.scalar, s.style == .plain, let x = Int(s.string) else {
      throw fail(node, zh: "'\(key)' 应为整数，实为 '\(node.scalar?.string ?? "（非标量）")'",
        en: "'\(key)' must be a whole number, found '\(node.scalar?.string ?? "(not a scalar)")'")
    }
    guard x >= min else {
      throw fail(node, zh: "'\(key)' 应 >= \(min)，实为 \(x)", en: "'\(key)' must be >= \(min), found \(x)")
    }
    return x
  }

  mutating func parse(_ root: Node?) throws -> Settings {
    var s = Settings()
    guard let root else { return s }  // an empty file: defaults
    let sections = ["attenuation", "imbalance", "coordination", "trend", "assess"]
    for (section, node) in try mapping(root, key: "", allowed: sections) {
      switch section {
      case "attenuation":
        for (k, v) in try mapping(node, key: section, allowed: ["flag_z"]) where k == "flag_z" {
          s.attenuation.flagZ = try number(v, key: "attenuation.flag_z")
        }
      case "imbalance":
        for (k, v) in try mapping(node, key: section, allowed: ["blind_spot", "dispersion"]) {
          if k == "blind_spot" {
            s.imbalance.blindSpot = try number(v, key: "imbalance.blind_spot")
          } else {
            s.imbalance.dispersion = try choice(v, key: "imbalance.dispersion")
          }
        }
      case "coordination":
        for (k, v) in try mapping(node, key: section, allowed: ["silo_gap"]) where k == "silo_gap" {
          s.coordination.siloGap = try number(v, key: "coordination.silo_gap")
        }
      case "trend":
        for (k, v) in try mapping(node, key: section, allowed: ["alpha", "persistent"]) {
          if k == "alpha" {
            s.trend.alpha = try number(v, key: "trend.alpha", range: 0...1)
          } else {
            for (pk, pv) in try mapping(v, key: "trend.persistent", allowed: ["of_last", "at_least"]) {
              if pk == "of_last" {
                s.trend.persistentOfLast = try integer(pv, key: "trend.persistent.of_last", min: 1)
              } else {
                s.trend.persistentAtLeast = try integer(pv, key: "trend.persistent.at_least", min: 1)
              }
            }
          }
        }
      default:
        try parseAssess(node, into: &s.assess)
      }
    }
    if s.trend.persistentAtLeast > s.trend.persistentOfLast {
      throw fail(root, zh: "'trend.persistent.at_least'（\(s.trend.persistentAtLeast)）不能大于 'of_last'（\(s.trend.persistentOfLast)）",
        en: "'trend.persistent.at_least' (\(s.trend.persistentAtLeast)) cannot exceed 'of_last' (\(s.trend.persistentOfLast))")
    }
    return s
  }

  func parseAssess(_ node: Node, into a: inout Settings.Assess) throws {
    let keys = ["weights", "grades", "leader", "uncertainty", "goalposts"]
    let ind = Settings.Assess.indicators
    for (k, v) in try mapping(node, key: "assess", allowed: keys) {
      switch k {
      case "weights":
        for (w, x) in try mapping(v, key: "assess.weights", allowed: ind) {
          a.weights[ind.firstIndex(of: w)!] = try number(x, key: "assess.weights.\(w)")
        }
        if a.weights.allSatisfy({ $0 == 0 }) {
          throw fail(v, zh: "'assess.weights' 不能全为 0", en: "'assess.weights' cannot all be 0")
        }
      case "grades":
        let names = ["excellent", "good", "fair"]
        for (g, x) in try mapping(v, key: "assess.grades", allowed: names) {
          a.grades[names.firstIndex(of: g)!] = try number(x, key: "assess.grades.\(g)", range: 0...1)
        }
        if !(a.grades[0] <= a.grades[1] && a.grades[1] <= a.grades[2]) {
          throw fail(v, zh: "'assess.grades' 须满足 excellent <= good <= fair",
            en: "'assess.grades' must satisfy excellent <= good <= fair")
        }
      case "leader":
        for (l, x) in try mapping(v, key: "assess.leader", allowed: ["own", "oversees"]) {
          if l == "own" {
            a.leaderOwn = try number(x, key: "assess.leader.own")
          } else {
            a.leaderOversees = try number(x, key: "assess.leader.oversees")
          }
        }
        if a.leaderOwn + a.leaderOversees == 0 {
          throw fail(v, zh: "'assess.leader' 的两个权重不能都为 0", en: "'assess.leader' weights cannot both be 0")
        }
      case "uncertainty":
        for (u, x) in try mapping(v, key: "assess.uncertainty", allowed: ["draws", "concentration", "seed"]) {
          switch u {
          case "draws": a.draws = try integer(x, key: "assess.uncertainty.draws", min: 0)
          case "concentration":
            a.concentration = try number(x, key: "assess.uncertainty.concentration")
            if a.concentration == 0 {
              throw fail(x, zh: "'assess.uncertainty.concentration' 须 > 0", en: "'assess.uncertainty.concentration' must be > 0")
            }
          default: a.seed = UInt64(try integer(x, key: "assess.uncertainty.seed", min: 0))
          }
        }
      default:
        guard let levels = v.mapping else {
          throw fail(v, zh: "'assess.goalposts' 应为键值映射（层级: {指标: [最小, 最大]}）",
            en: "'assess.goalposts' must be a mapping (level: {indicator: [min, max]})")
        }
        for (levelNode, perLevel) in levels {
          let level = levelNode.string ?? ""
          var posts: [String: Settings.Goalpost] = [:]
          for (i, x) in try mapping(perLevel, key: "assess.goalposts.\(level)", allowed: ind) {
            let key = "assess.goalposts.\(level).\(i)"
            guard let seq = x.sequence, seq.count == 2 else {
              throw fail(x, zh: "'\(key)' 应为 [最小, 最大]", en: "'\(key)' must be [min, max]")
            }
            let lo = try number(seq[0], key: key, range: -Double.infinity...Double.infinity)
            let hi = try number(seq[1], key: key, range: -Double.infinity...Double.infinity)
            guard lo < hi else {
              throw fail(x, zh: "'\(key)'：最小值须小于最大值", en: "'\(key)': min must be below max")
            }
            posts[i] = Settings.Goalpost(min: lo, max: hi)
          }
          a.goalposts[level] = posts
        }
      }
    }
  }
}
