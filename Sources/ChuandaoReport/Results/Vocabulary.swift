import Chuandao
import ChuandaoStats

// The words tables print, in Chinese and English: one table of translations that every
// renderer uses, so that a level, subject, domain, kind, flag, grade or indicator reads the
// same in every command. Names a dataset defines itself (levels, subjects, domains and
// kinds beyond the defaults of docs/data.md) are printed as the dataset writes them.
// JSON and CSV keep the English identifiers in both languages: they are data, read by
// programs (docs/output.md).

/// The display name of a level in Chinese or English.
func levelLabel(_ name: String, _ lang: Language) -> String {
  guard lang == .zh else { return name }
  let zh = ["bureau": "局", "division": "处", "section": "科", "unit": "单位", "branch": "支部", "group": "小组"]
  return zh[name] ?? name
}

/// One of the four responsibilities (四责).
func subjectLabel(_ name: String, _ lang: Language) -> String {
  guard lang == .zh else { return name }
  let zh = ["committee": "党委主体责任", "secretary": "书记第一责任", "commission": "纪委监督责任", "members": "班子一岗双责"]
  return zh[name] ?? name
}

/// A risk domain of supervision.
func domainLabel(_ name: String, _ lang: Language) -> String {
  guard lang == .zh else { return name }
  let zh = ["finance": "财务", "engineering": "工程", "personnel": "人事", "assets": "资产", "procurement": "采购", "other": "其他"]
  return zh[name] ?? name
}

/// A kind of supervision action, mildest first in the defaults.
func kindLabel(_ name: String, _ lang: Language) -> String {
  guard lang == .zh else { return name }
  let zh = ["reminder": "提醒谈话", "interview": "约谈", "inspection": "检查", "petition": "信访", "case": "立案"]
  return zh[name] ?? name
}

/// A list heading that says what the flag means.
func flagHeading(_ f: ChuandaoStats.FunnelFlag, _ lang: Language) -> String {
  switch f {
  case .cold: lang.pick("冷（低于 99.8% 下限：督查远少于期望）", "Cold: below the 99.8% lower limit (far less supervision than expected)")
  case .cool: lang.pick("偏冷（低于 95% 下限，未低于 99.8% 下限）", "Cool: below the 95% lower limit, not the 99.8% one")
  case .normal: lang.pick("正常", "Normal")
  case .warm: lang.pick("偏热（高于 95% 上限，未高于 99.8% 上限）", "Warm: above the 95% upper limit, not the 99.8% one")
  case .hot: lang.pick("热（高于 99.8% 上限：督查远多于期望）", "Hot: above the 99.8% upper limit (far more supervision than expected)")
  }
}

func flagText(_ f: ChuandaoStats.FunnelFlag, _ lang: Language) -> String {
  switch f {
  case .cold: lang.pick("冷", "cold")
  case .cool: lang.pick("偏冷", "cool")
  case .normal: lang.pick("正常", "normal")
  case .warm: lang.pick("偏热", "warm")
  case .hot: lang.pick("热", "hot")
  }
}

func indicatorText(_ name: String, _ lang: Language) -> String {
  guard lang == .zh else { return name }
  let zh = ["score": "评分", "transmission": "传导", "balance": "均衡", "closure": "闭环", "coordination": "协同"]
  return zh[name] ?? name
}

func gradeText(_ grade: Int, _ lang: Language) -> String {
  [lang.pick("优秀", "excellent"), lang.pick("良好", "good"), lang.pick("一般", "fair"), lang.pick("较差", "poor")][grade]
}

func directionText(_ d: TrendResult.Direction, _ lang: Language) -> String {
  switch d {
  case .rising: lang.pick("上升", "rising")
  case .falling: lang.pick("下降", "falling")
  case .flat: lang.pick("平稳", "flat")
  }
}

/// An English plural for a level name: branch -> branches, unit -> units.
func plural(_ s: String) -> String {
  if s == "person" { return "people" }
  if s.hasSuffix("y") && !["ay", "ey", "oy", "uy"].contains(String(s.suffix(2))) { return s.dropLast() + "ies" }
  return s.hasSuffix("ch") || s.hasSuffix("sh") || s.hasSuffix("s") || s.hasSuffix("x") ? s + "es" : s + "s"
}

/// "1 node", "2 nodes": an English count with its noun in the right number (`plural`).
func counted(_ n: Int, _ noun: String) -> String {
  n == 1 ? "1 \(noun)" : "\(n) \(plural(noun))"
}

/// The metric as a table heading names it, with its unit: `intensity (kind-weighted
/// actions per 100 members)`, `score (0-100)`.
func metricText(_ m: Metric, _ lang: Language) -> String {
  switch m {
  case .intensity: lang.pick("intensity（每百名党员的督查次数，按方式加权）", "intensity (kind-weighted actions per 100 members)")
  case .score, .subject: lang.pick("\(m)（0-100 分）", "\(m) (points, 0-100)")
  }
}

/// "……另有 12 个，见 --format csv": the line under a list cut at `shown` rows.
func moreLine(_ total: Int, _ shown: Int, _ lang: Language, see format: String = "csv") -> String? {
  guard total > shown else { return nil }
  return lang.pick("……另有 \(total - shown) 个，见 --format \(format)", "... and \(total - shown) more: see --format \(format)")
}

/// The rows of a table of every top-level node: all of them, in their order, up to
/// `limit`; beyond that (a national dataset has 2,000 bureaus) the `limit` rows with the
/// lowest `key` (a missing key last, ties in their order).
func shownRows<T>(_ rows: [T], limit: Int = 30, lowest key: (T) -> Double?) -> [T] {
  guard rows.count > limit else { return rows }
  let keys = rows.map { key($0) ?? .infinity }
  return firstIndices(limit, of: rows.count) { keys[$0] < keys[$1] }.map { rows[$0] }
}

/// The first `k` of the indices `0..<count` in the order `precedes` (a strict weak
/// order), ties by index: the prefix of a stable sort, found in one pass that keeps `k`
/// candidates (O(count) comparisons when few indices displace a kept one), so that the
/// top 30 of a million nodes cost no sort of the million.
func firstIndices(_ k: Int, of count: Int, by precedes: (Int, Int) -> Bool) -> [Int] {
  guard k > 0 else { return [] }
  var kept: [Int] = []
  kept.reserveCapacity(k + 1)
  for i in 0..<count {
    // A later index loses a tie, so it enters a full list only by preceding the last.
    if kept.count == k, !precedes(i, kept[k - 1]) { continue }
    var position = kept.count
    while position > 0, precedes(i, kept[position - 1]) { position -= 1 }
    kept.insert(i, at: position)
    if kept.count > k { kept.removeLast() }
  }
  return kept
}
