import Chuandao
import ChuandaoStats

/// The report's sections on discipline capacity and on risks outside leaders' remits
/// (issue 17 parts 1 and 2), at the end of section 3: each says briefly what data would
/// enable it when the dataset lacks it.
extension ReportContent {
  mutating func capacity() {
    heading(3, "纪检力量（合署办公、身兼数职）", "Discipline capacity (joint offices, staff stretched thin)")
    let hasStaff = f.disciplineStaff.contains { $0 >= 0 }
    let hasJoint = f.jointOffice.contains { $0 >= 0 }
    guard hasStaff || hasJoint else {
      say(L("org.csv 没有 discipline_staff 和 joint_office 的值；有了每个节点的专职纪检干部数和是否合署办公，这里会分析纪检力量与督查的关系（chuandao capacity）。",
            "org.csv gives no discipline_staff or joint_office values; with each node's full-time discipline staff and whether its office is joint, this section relates capacity to supervision (chuandao capacity)."))
      return
    }
    let mode = ImbalanceAnalysis.defaultAdjustment(d)
    guard let result = try? analysing("capacity", { try CapacityAnalysis(adjust: mode, settings: b.settings.imbalance).run(d, period: t) }) else {
      say(L("无法分析纪检力量。", "Discipline capacity could not be analysed."))
      return
    }
    store("capacity", result, period: labels[t]) { $0.json($1, provenance: $2) }
    if !hasJoint {
      say(L("org.csv 没有 joint_office 列：加上它（true/false）即可比较合署办公与单设的纪检部门。",
            "org.csv has no joint_office column: add it (true/false) to compare joint discipline offices with separate ones."))
    }
    doc(timed(.documents) { result.document(d, lang) })
    // The summary: the level with the most nodes in the regression.
    guard let l = result.levels.filter({ $0.staff != nil || $0.joint != nil }).max(by: { ($0.fitted, $1.level) < ($1.fitted, $0.level) }) else { return }
    func ratio(_ r: CapacityResult.RateRatio?) -> String? {
      r.map { "\(Figures.decimal($0.estimate, 2))（95% CI \(Figures.decimal($0.lower, 2))–\(Figures.decimal($0.upper, 2))）" }
    }
    func ratioEN(_ r: CapacityResult.RateRatio?) -> String? {
      r.map { "\(Figures.decimal($0.estimate, 2)) (95% CI \(Figures.decimal($0.lower, 2))-\(Figures.decimal($0.upper, 2)))" }
    }
    var zh: [String] = []
    var en: [String] = []
    if let s = ratio(l.staff), let e = ratioEN(l.staff) {
      zh.append("纪检干部人均配备每翻一倍，督查率比 \(s)")
      en.append("per doubling of staff per member, supervision rate ratio \(e)")
    }
    if let s = ratio(l.joint), let e = ratioEN(l.joint) {
      zh.append("合署办公的督查率比 \(s)")
      en.append("joint offices' rate ratio \(e)")
    }
    var sentence = L("纪检力量（\(level(l.level))层）：" + zh.joined(separator: "；"), "Discipline capacity (level \(level(l.level))): " + en.joined(separator: "; "))
    if l.clusters < CapacityResult.fewClusters {
      sentence += L("；仅 \(l.clusters) 个聚类，区间仅供参考", "; only \(l.clusters) clusters, so the intervals are indicative")
    }
    if let cold = l.cold, !cold.isEmpty, l.staffKnown > 0 {
      sentence += L("；\(cold.count) 个偏冷节点中 \(l.coldShort.count) 个人手不足", "; \(l.coldShort.count) of \(cold.count) cold \(self.en(cold.count, "node is", "nodes are")) short of staff")
    }
    summary.append(sentence + L("。", "."))
  }

  mutating func remit() {
    heading(3, "分管工作外的风险点", "Risks outside leaders' remits")
    guard d.file("leaders.csv") != nil, d.leaders.hasDomains else {
      say(L("leaders.csv 没有 domains 列；有了每名分管领导负责的风险领域（分管领域，用 ; 分隔），这里会给出无人分管的风险和分管范围内外的督查（chuandao remit）。",
            "leaders.csv has no domains column; with the risk domains each leader is in charge of (separated by ;), this section shows the risk no leader owns and supervision inside and outside the remits (chuandao remit)."))
      return
    }
    guard d.hasSupervision, let result = try? analysing("remit", { try RemitAnalysis(blindSpot: b.settings.imbalance.blindSpot).run(d, period: t) }) else {
      say(L("本期没有分管关系或督查记录，无法分析分管范围。", "No oversight or no supervision in the period: remits could not be analysed."))
      return
    }
    store("remit", result, period: labels[t]) { $0.json($1, provenance: $2) }
    doc(timed(.documents) { result.document(d, lang) })
    let unowned = result.units.filter { ($0.unownedRiskShare ?? 0) > 0 }.count
    var sentence = L(
      "分管范围：\(unowned) 个\(level(result.level))有无人分管的风险；范围外覆盖度 \(Figures.decimal(result.outside.coverage, 2))，范围内 \(Figures.decimal(result.inside.coverage, 2))",
      "Remits: \(unowned) \(level(result.level)) \(en(unowned, "node has", "nodes have")) risk no leader owns; coverage outside remits \(Figures.decimal(result.outside.coverage, 2)), inside \(Figures.decimal(result.inside.coverage, 2))")
    if let r = result.outsideRateRatio {
      let few = result.clusters < CapacityResult.fewClusters
      sentence += L(
        "（同一领域内范围外督查率比 \(Figures.decimal(r.estimate, 2))，95% CI \(Figures.decimal(r.lower, 2))–\(Figures.decimal(r.upper, 2))\(few ? "，仅 \(result.clusters) 个聚类，仅供参考" : "")）",
        " (within a domain, outside against inside: rate ratio \(Figures.decimal(r.estimate, 2)), 95% CI \(Figures.decimal(r.lower, 2))-\(Figures.decimal(r.upper, 2))\(few ? "; only \(result.clusters) clusters: indicative" : ""))")
    }
    summary.append(sentence + L("。", "."))
  }
}
