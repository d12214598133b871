import _ChuandaoOutput
import ChuandaoStats
import Foundation


/// An English plural for a level name: branch -> branches, unit -> units.
func plural(_ s: String) -> String {
  if s == "person" { return "people" }
  if s.hasSuffix("y") && !["ay", "ey", "oy", "uy"].contains(String(s.suffix(2))) { return s.dropLast() + "ies" }
  return s.hasSuffix("ch") || s.hasSuffix("sh") || s.hasSuffix("s") || s.hasSuffix("x") ? s + "es" : s + "s"
}

/// The metric as a table heading names it, with its unit: `intensity (kind-weighted
/// actions per 100 members)`, `score (0-100)`.
func metricText(_ m: Metric, _ lang: Language) -> String {
  switch m {
  case .intensity: lang.pick("intensity（每百名党员的督查次数，按方式加权）", "intensity (kind-weighted actions per 100 members)")
  case .score, .subject: lang.pick("\(m)（0-100 分）", "\(m) (points, 0-100)")
  }
}

/// "1 node", "2 nodes": an English count with its noun in the right number (`plural`).
func counted(_ n: Int, _ noun: String) -> String {
  n == 1 ? "1 \(noun)" : "\(n) \(plural(noun))"
}

/// A number with `digits` decimals for tables (JSON keeps full precision).
func fixed(_ x: Double?, _ digits: Int = 4) -> String {
  guard let x, x.isFinite else { return "-" }
  return String(format: "%.\(digits)f", x)
}

func percent(_ x: Double?, _ digits: Int = 1) -> String {
  guard let x, x.isFinite else { return "-" }
  return String(format: "%.\(digits)f%%", 100 * x)
}

