import Chuandao
import Foundation
import _ChuandaoOutput

/// A published assessment (docs/store.md, "Published assessments").
public struct Publication: Sendable {
  public var name: String
  public var period: String
  public var publishedAt: String
  public var publishedBy: String?
  /// The `--config` text, nil for the defaults.
  public var settings: String?
  public var settingsSHA256: String?
  /// Level -> indicator -> goalpost, as used.
  public var goalposts: [String: [String: Settings.Goalpost]]
  /// The weights as the document gives them (JSON text).
  public var weights: String
  /// The revisions used (JSON text).
  public var revisions: String
  /// The assessment's JSON document, as published.
  public var document: String
  public var rows: Int
}

extension Store {
  /// Records an assessment as published, with every node row; a name is published once.
  public func publish(
    name: String, period: String, by: String?, settings: String?, settingsSHA256: String?,
    goalposts: [String: [String: Settings.Goalpost]], document: JSONObject, revisions: JSON
  ) throws {
    let text = JSONWriter().string(.object(document))
    let weights = JSONWriter(pretty: false).string(document["weights"] ?? .null)
    try db.write { sql in
      if let at = try sql.value("SELECT published_at FROM publication WHERE name = ?", [.text(name)])?.text {
        throw StoreError(.usage,
          zh: "'\(name)' 已于 \(at) 发布；已发布的考核不会被改写。请另取一个名称",
          en: "'\(name)' was published on \(at); a published assessment is never rewritten. Choose another name")
      }
      try sql.execute(
        "INSERT INTO publication(name, period, published_at, published_by, settings, settings_sha256, goalposts, weights, revisions, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [.text(name), .text(period), .text(Provenance.now()), StoreValue(by), StoreValue(settings), StoreValue(settingsSHA256),
         .text(Self.goalpostsJSON(goalposts)), .text(weights), .text(JSONWriter(pretty: false).string(revisions)), .text(text)])
      for (k, node) in (document["nodes"]?.arrayValue ?? []).enumerated() {
        guard case .object(let o) = node else { continue }
        try sql.execute(
          "INSERT INTO publication_row(publication, node, position, level, composite, rank, grade, row) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          [.text(name), .text(o["id"]?.stringValue ?? ""), .int(Int64(k)), .text(o["level"]?.stringValue ?? ""),
           StoreValue(o["composite"]?.doubleValue), StoreValue(o["rank"]?.intValue), StoreValue(o["grade"]?.stringValue),
           .text(JSONWriter(pretty: false).string(node))])
      }
    }
  }

  /// Every publication, oldest first.
  public func publications() throws -> [Publication] {
    try db.read { sql in
      try sql.rows("""
        SELECT name, period, published_at, published_by, settings, settings_sha256, goalposts, weights, revisions, document,
          (SELECT count(*) FROM publication_row r WHERE r.publication = p.name)
        FROM publication p ORDER BY published_at, name
        """).map(Self.publication)
    }
  }

  public func publication(named name: String) throws -> Publication? {
    try publications().first { $0.name == name }
  }

  /// The goalposts of the latest publication of `period`, with its name.
  public func publishedGoalposts(period: String) throws -> (name: String, goalposts: [String: [String: Settings.Goalpost]])? {
    guard let p = try publications().last(where: { $0.period == period }) else { return nil }
    return (p.name, p.goalposts)
  }

  /// The published rows of a publication, in node order of the document.
  public func publishedRows(_ name: String) throws -> [(node: String, level: String, composite: Double?, rank: Int?, grade: String?)] {
    try db.read { sql in
      try sql.rows("SELECT node, level, composite, rank, grade FROM publication_row WHERE publication = ? ORDER BY position", [.text(name)]).map {
        ($0[0].text ?? "", $0[1].text ?? "", $0[2].real, $0[3].int.map(Int.init), $0[4].text)
      }
    }
  }

  static func publication(_ r: [StoreValue]) -> Publication {
    Publication(
      name: r[0].text ?? "", period: r[1].text ?? "", publishedAt: r[2].text ?? "", publishedBy: r[3].text,
      settings: r[4].text, settingsSHA256: r[5].text, goalposts: parseGoalposts(r[6].text ?? "{}"),
      weights: r[7].text ?? "", revisions: r[8].text ?? "", document: r[9].text ?? "", rows: Int(r[10].int ?? 0))
  }

  /// `{"level": {"indicator": [min, max]}}`.
  static func goalpostsJSON(_ g: [String: [String: Settings.Goalpost]]) -> String {
    var o = JSONObject()
    for level in g.keys.sorted() {
      var l = JSONObject()
      for i in (g[level] ?? [:]).keys.sorted() {
        let p = g[level]![i]!
        l[i] = .array([.number(p.min), .number(p.max)])
      }
      o[level] = .object(l)
    }
    return JSONWriter(pretty: false).string(.object(o))
  }

  static func parseGoalposts(_ text: String) -> [String: [String: Settings.Goalpost]] {
    guard case .object(let o)? = try? JSON.parse(text) else { return [:] }
    var out: [String: [String: Settings.Goalpost]] = [:]
    for (level, v) in zip(o.keys, o.values) {
      guard case .object(let l) = v else { continue }
      for (i, pair) in zip(l.keys, l.values) {
        guard let a = pair.arrayValue, a.count == 2, let lo = a[0].doubleValue, let hi = a[1].doubleValue else { continue }
        out[level, default: [:]][i] = Settings.Goalpost(min: lo, max: hi)
      }
    }
    return out
  }
}
