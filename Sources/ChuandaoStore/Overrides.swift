import Chuandao
import Foundation
import _ChuandaoOutput

/// Which of the three distinctions (三个区分开来) explains a flag, or a data error.
public enum OverrideKind: String, Sendable, CaseIterable {
  /// 推进改革中因缺乏经验、先行先试出现的失误
  case exploratoryTrial = "exploratory-trial"
  /// 尚无明确限制的探索性试验中的失误
  case noExplicitProhibition = "no-explicit-prohibition"
  /// 为推动发展的无意过失
  case honestMistake = "honest-mistake"
  /// The data are wrong.
  case dataError = "data-error"

  public func label(_ lang: Language) -> String {
    switch self {
    case .exploratoryTrial: lang.pick("推进改革中因缺乏经验、先行先试出现的失误", "a shortfall of inexperience in a reform tried first")
    case .noExplicitProhibition: lang.pick("尚无明确限制的探索性试验中的失误", "a shortfall in a trial no rule yet prohibited")
    case .honestMistake: lang.pick("为推动发展的无意过失", "an honest mistake for the common good")
    case .dataError: lang.pick("数据错误", "a data error")
    }
  }
}

/// The analyses whose flags or grades an override explains.
public enum OverrideAnalysis: String, Sendable, CaseIterable {
  case imbalance, attenuation, assess
}

/// An override as added, and its revocation if any (docs/store.md, "Overrides").
public struct Override: Sendable, Equatable {
  public struct Revocation: Sendable, Equatable {
    public var id: Int64
    public var reason: String
    public var by: String
    public var at: String
  }
  public var id: Int64
  public var period: String
  public var node: String
  public var analysis: OverrideAnalysis
  public var kind: OverrideKind
  public var reason: String
  public var by: String
  public var at: String
  public var revoked: Revocation?

  /// `{"id", "kind", "reason", "by", "at"}`, as outputs show it beside a node.
  public var json: JSON {
    .object(["id": .int(Int(id)), "kind": .string(kind.rawValue), "reason": .string(reason), "by": .string(by), "at": .string(at)])
  }
}

extension Store {
  /// Adds an override: the period must be in the store, the node in its organisation
  /// history and in existence in that period; reason and author must be given.
  @discardableResult
  public func addOverride(
    period: String, node: String, analysis: OverrideAnalysis, kind: OverrideKind, reason: String, by: String
  ) throws -> Override {
    try Self.requireText(reason, "--reason")
    try Self.requireText(by, "--by")
    return try db.write { sql in
      let state = try StoreState.read(sql)
      guard let t = state.periods.firstIndex(of: period) else {
        throw StoreError(.usage, zh: "--period：存储库没有期 '\(period)'（有：\(state.periods.joined(separator: ", "))）",
          en: "--period: the store has no period '\(period)' (it has \(state.periods.joined(separator: ", ")))")
      }
      guard let fields = state.org[node] else {
        throw StoreError(.usage, zh: "--node：组织沿革中没有节点 '\(node)'", en: "--node: the organisation history has no node '\(node)'")
      }
      let from = fields["valid_from"].flatMap { state.periods.firstIndex(of: $0) } ?? 0
      let to = fields["valid_to"].flatMap { state.periods.firstIndex(of: $0) } ?? state.periods.count - 1
      guard from <= t && t <= to else {
        throw StoreError(.usage, zh: "--node：节点 '\(node)' 在 \(period) 期不存在", en: "--node: node '\(node)' does not exist in period \(period)")
      }
      let at = Provenance.now()
      guard let id = try sql.value(
        "INSERT INTO override_event(action, target, period, node, analysis, kind, reason, author, at) VALUES ('add', NULL, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [.text(period), .text(node), .text(analysis.rawValue), .text(kind.rawValue), .text(reason), .text(by), .text(at)])?.int
      else { throw StoreError(.io, zh: "无法记录", en: "cannot record the override") }
      return Override(id: id, period: period, node: node, analysis: analysis, kind: kind, reason: reason, by: by, at: at)
    }
  }

  /// Revokes an override in force by adding a revoking event; nothing is edited.
  @discardableResult
  public func revokeOverride(id: Int64, reason: String, by: String) throws -> Override {
    try Self.requireText(reason, "--reason")
    try Self.requireText(by, "--by")
    return try db.write { sql in
      guard var o = try Self.overrides(sql).first(where: { $0.id == id }) else {
        throw StoreError(.usage, zh: "没有编号为 \(id) 的说明（用 `chuandao override list --all` 查看）",
          en: "no override with id \(id) (see `chuandao override list --all`)")
      }
      if let r = o.revoked {
        throw StoreError(.usage, zh: "说明 \(id) 已于 \(r.at) 由 \(r.by) 撤销", en: "override \(id) was revoked already, on \(r.at) by \(r.by)")
      }
      let at = Provenance.now()
      guard let rid = try sql.value(
        "INSERT INTO override_event(action, target, period, node, analysis, kind, reason, author, at) VALUES ('revoke', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [.int(id), .text(o.period), .text(o.node), .text(o.analysis.rawValue), .text(o.kind.rawValue), .text(reason), .text(by), .text(at)])?.int
      else { throw StoreError(.io, zh: "无法记录", en: "cannot record the revocation") }
      o.revoked = Override.Revocation(id: rid, reason: reason, by: by, at: at)
      return o
    }
  }

  /// Overrides, oldest first: those in force, or all with `includeRevoked`; of one period
  /// and analysis when given.
  public func overrides(period: String? = nil, analysis: OverrideAnalysis? = nil, includeRevoked: Bool = false) throws -> [Override] {
    try db.read { sql in
      try Self.overrides(sql).filter { o in
        (period == nil || o.period == period) && (analysis == nil || o.analysis == analysis) && (includeRevoked || o.revoked == nil)
      }
    }
  }

  static func overrides(_ sql: any StoreSQL) throws -> [Override] {
    var adds: [Override] = []
    var revocations: [Int64: Override.Revocation] = [:]
    for r in try sql.rows("SELECT id, action, target, period, node, analysis, kind, reason, author, at FROM override_event ORDER BY id") {
      let id = r[0].int ?? 0
      if r[1].text == "revoke", let target = r[2].int {
        revocations[target] = Override.Revocation(id: id, reason: r[7].text ?? "", by: r[8].text ?? "", at: r[9].text ?? "")
        continue
      }
      guard let analysis = OverrideAnalysis(rawValue: r[5].text ?? ""), let kind = OverrideKind(rawValue: r[6].text ?? "") else { continue }
      adds.append(Override(
        id: id, period: r[3].text ?? "", node: r[4].text ?? "", analysis: analysis, kind: kind,
        reason: r[7].text ?? "", by: r[8].text ?? "", at: r[9].text ?? ""))
    }
    return adds.map { o in
      var o = o
      o.revoked = revocations[o.id]
      return o
    }
  }

  static func requireText(_ s: String, _ option: String) throws {
    if s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
      throw StoreError(.usage, zh: "\(option) 不能为空：说明须写明理由和人", en: "\(option) must not be empty: an override needs its reason and its author")
    }
  }
}
