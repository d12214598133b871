import Foundation
import Yams

/// The dataset manifest, `dataset.yaml` (DATA.md), with its documented defaults applied.
public struct Manifest: Sendable, Equatable {
  public static let defaultLevels = ["bureau", "unit", "branch"]
  public static let defaultSubjects = ["committee", "secretary", "commission", "members"]
  public static let defaultDomains = [
    "finance", "engineering", "personnel", "assets", "procurement", "other",
  ]
  public static let defaultKinds = ["reminder", "interview", "inspection", "petition", "case"]

  public var name: String
  /// Level names, top first (2 to 6).
  public var levels: [String]
  /// Period labels, oldest first.
  public var periods: [String]
  /// The closing date of each period, as days since 1970-01-01; nil where not given.
  public var periodEnd: [Int32?]
  public var subjects: [String]
  public var domains: [String]
  /// Supervision kinds, mildest first (the first is the "early reminder" kind).
  public var kinds: [String]
  /// One weight per subject, in `subjects` order.
  public var subjectWeights: [Double]
  /// One weight per kind, in `kinds` order.
  public var kindWeights: [Double]

  public init(
    name: String, levels: [String] = Manifest.defaultLevels, periods: [String],
    periodEnd: [Int32?]? = nil, subjects: [String] = Manifest.defaultSubjects,
    domains: [String] = Manifest.defaultDomains, kinds: [String] = Manifest.defaultKinds,
    subjectWeights: [Double]? = nil, kindWeights: [Double]? = nil
  ) {
    self.name = name
    self.levels = levels
    self.periods = periods
    self.periodEnd = periodEnd ?? Array(repeating: nil, count: periods.count)
    self.subjects = subjects
    self.domains = domains
    self.kinds = kinds
    self.subjectWeights = subjectWeights ?? Array(repeating: 1, count: subjects.count)
    self.kindWeights = kindWeights ?? Array(repeating: 1, count: kinds.count)
  }

  /// The first day of period `t` (the day after the previous period's end), when known.
  public func periodStart(_ t: Int) -> Int32? {
    t > 0 ? periodEnd[t - 1].map { $0 + 1 } : nil
  }

  public func periodIndex(_ label: String) -> Int? { periods.firstIndex(of: label) }
  public func levelIndex(_ name: String) -> Int? { levels.firstIndex(of: name) }
}

extension Manifest {
  static let knownKeys: Set<String> = [
    "name", "levels", "periods", "period_end", "subjects", "domains", "kinds",
    "subject_weights", "kind_weights",
  ]

  /// Parses `dataset.yaml` text; every problem goes to `log` (file `dataset.yaml`).
  /// Returns nil when the manifest is unusable (then `log` holds at least one error).
  static func parse(yaml text: String, folderName: String, log: inout DiagnosticLog) -> Manifest? {
    let file = "dataset.yaml"
    let root: Node?
    do {
      root = try YAMLText.compose(text)
    } catch {
      log.error(file, error.line, zh: error.message.zh, en: error.message.en)
      return nil
    }
    guard let root, let map = root.mapping else {
      log.error(file, root?.mark?.line, zh: "应为键值映射（如 `periods: [\"2025\"]`）",
        en: "expected a mapping of keys (such as `periods: [\"2025\"]`)")
      return nil
    }
    var values: [String: Node] = [:]
    for (keyNode, value) in map {
      let key = keyNode.string ?? ""
      if !knownKeys.contains(key) {
        log.warning(file, keyNode.mark?.line, zh: "未知的键 '\(key)'（已忽略）",
          en: "unknown key '\(key)' (ignored)")
      }
      values[key] = value
    }

    func stringList(_ key: String, default def: [String], min: Int, max: Int) -> [String]? {
      guard let node = values[key] else { return def }
      guard let seq = node.sequence else {
        log.error(file, node.mark?.line, zh: "'\(key)' 应为列表", en: "'\(key)' must be a list")
        return nil
      }
      var out: [String] = []
      var ok = true
      for item in seq {
        guard let s = item.scalar?.string.trimmingCharacters(in: .whitespaces), !s.isEmpty else {
          log.error(file, item.mark?.line, zh: "'\(key)' 的元素应为非空文本",
            en: "'\(key)' items must be non-empty text")
          ok = false
          continue
        }
        if out.contains(s) {
          log.error(file, item.mark?.line, zh: "'\(key)' 中的 '\(s)' 重复",
            en: "'\(key)' lists '\(s)' twice")
          ok = false
        }
        out.append(s)
      }
      if out.count < min || out.count > max {
        let range = max == Int.max ? "at least \(min)" : "\(min) to \(max)"
        let rangeZh = max == Int.max ? "至少 \(min) 个" : "\(min) 至 \(max) 个"
        log.error(file, node.mark?.line, zh: "'\(key)' 应有\(rangeZh)元素，实有 \(out.count) 个",
          en: "'\(key)' must have \(range) items, found \(out.count)")
        ok = false
      }
      return ok ? out : nil
    }

    var name = folderName
    if let node = values["name"] {
      if let s = node.scalar?.string {
        name = s
      } else {
        log.error(file, node.mark?.line, zh: "'name' 应为文本", en: "'name' must be text")
      }
    }
    let levels = stringList("levels", default: defaultLevels, min: 2, max: 6)
    let subjects = stringList("subjects", default: defaultSubjects, min: 1, max: Int.max)
    let domains = stringList("domains", default: defaultDomains, min: 1, max: Int.max)
    let kinds = stringList("kinds", default: defaultKinds, min: 1, max: Int.max)
    var periods: [String]? = nil
    if values["periods"] == nil {
      log.error(file, nil, zh: "缺少必需的键 'periods'（各期标签，由早到晚）",
        en: "missing required key 'periods' (the period labels, oldest first)")
    } else {
      periods = stringList("periods", default: [], min: 1, max: Int.max)
    }

    func weights(_ key: String, names: [String]?) -> [Double]? {
      guard let names else { return nil }
      var w = Array(repeating: 1.0, count: names.count)
      guard let node = values[key] else { return w }
      guard let m = node.mapping else {
        log.error(file, node.mark?.line, zh: "'\(key)' 应为键值映射", en: "'\(key)' must be a mapping")
        return nil
      }
      var ok = true
      for (k, v) in m {
        let kname = k.string ?? ""
        guard let idx = names.firstIndex(of: kname) else {
          log.error(file, k.mark?.line, zh: "'\(key)' 中的 '\(kname)' 不在列表 \(names) 中",
            en: "'\(key)' names '\(kname)', which is not one of \(names)")
          ok = false
          continue
        }
        guard let text = v.scalar?.string, let x = Double(text), x.isFinite, x >= 0 else {
          log.error(file, v.mark?.line, zh: "'\(key).\(kname)' 应为非负数，实为 '\(v.scalar?.string ?? "?")'",
            en: "'\(key).\(kname)' must be a number >= 0, found '\(v.scalar?.string ?? "?")'")
          ok = false
          continue
        }
        w[idx] = x
      }
      return ok ? w : nil
    }
    let subjectWeights = weights("subject_weights", names: subjects)
    let kindWeights = weights("kind_weights", names: kinds)

    var periodEnd: [Int32?] = Array(repeating: nil, count: periods?.count ?? 0)
    var periodEndOK = true
    if let node = values["period_end"], let periods {
      if let m = node.mapping {
        for (k, v) in m {
          let label = k.string ?? ""
          guard let t = periods.firstIndex(of: label) else {
            log.error(file, k.mark?.line, zh: "'period_end' 中的期 '\(label)' 不在 periods 中",
              en: "'period_end' names period '\(label)', which is not in periods")
            periodEndOK = false
            continue
          }
          guard let text = v.scalar?.string, let day = ISODate.parse(text) else {
            log.error(file, v.mark?.line,
              zh: "'period_end.\(label)' 应为日期 YYYY-MM-DD，实为 '\(v.scalar?.string ?? "?")'",
              en: "'period_end.\(label)' must be a date YYYY-MM-DD, found '\(v.scalar?.string ?? "?")'")
            periodEndOK = false
            continue
          }
          periodEnd[t] = day
        }
        var last: (Int, Int32)? = nil
        for (t, d) in periodEnd.enumerated() {
          guard let d else { continue }
          if let (lt, ld) = last, d <= ld {
            log.error(file, node.mark?.line,
              zh: "'period_end' 须随期递增：\(periods[t]) 的 \(ISODate.format(d)) 不晚于 \(periods[lt]) 的 \(ISODate.format(ld))",
              en: "'period_end' must increase with the periods: \(periods[t]) ends \(ISODate.format(d)), not after \(periods[lt])'s \(ISODate.format(ld))")
            periodEndOK = false
          }
          last = (t, d)
        }
      } else {
        log.error(file, node.mark?.line, zh: "'period_end' 应为键值映射（期: 日期）",
          en: "'period_end' must be a mapping of period: date")
        periodEndOK = false
      }
    }

    guard let levels, let periods, let subjects, let domains, let kinds, let subjectWeights,
      let kindWeights, periodEndOK
    else { return nil }
    return Manifest(
      name: name, levels: levels, periods: periods, periodEnd: periodEnd, subjects: subjects,
      domains: domains, kinds: kinds, subjectWeights: subjectWeights, kindWeights: kindWeights)
  }

}

/// ISO 8601 calendar dates as days since 1970-01-01 (proleptic Gregorian, no time zone).
public enum ISODate {
  /// Parses `YYYY-MM-DD` exactly (surrounding spaces allowed); nil for anything else,
  /// including impossible dates such as 2025-02-30.
  public static func parse(_ text: String) -> Int32? {
    let s = Array(text.trimmingCharacters(in: .whitespaces).utf8)
    guard s.count == 10, s[4] == UInt8(ascii: "-"), s[7] == UInt8(ascii: "-") else { return nil }
    func num(_ r: Range<Int>) -> Int? {
      var v = 0
      for i in r {
        let c = s[i]
        guard c >= 48, c <= 57 else { return nil }
        v = v * 10 + Int(c - 48)
      }
      return v
    }
    guard let y = num(0..<4), let m = num(5..<7), let d = num(8..<10) else { return nil }
    guard (1...12).contains(m), d >= 1, d <= daysInMonth(y, m) else { return nil }
    return Int32(daysFromCivil(y, m, d))
  }

  public static func format(_ day: Int32) -> String {
    let (y, m, d) = civilFromDays(Int(day))
    func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    let ys = String(abs(y))
    let year = (y < 0 ? "-" : "") + String(repeating: "0", count: max(0, 4 - ys.count)) + ys
    return year + "-" + two(m) + "-" + two(d)
  }

  static func daysInMonth(_ y: Int, _ m: Int) -> Int {
    switch m {
    case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// Howard Hinnant's `days_from_civil` (http://howardhinnant.github.io/date_algorithms.html).
  static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
    let y = m <= 2 ? y0 - 1 : y0
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146097 + doe - 719468
  }

  /// The inverse of `daysFromCivil` (Hinnant's `civil_from_days`).
  static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
    let z = z0 + 719468
    let era = (z >= 0 ? z : z - 146096) / 146097
    let doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let y = yoe + era * 400
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (m <= 2 ? y + 1 : y, m, d)
  }
}
